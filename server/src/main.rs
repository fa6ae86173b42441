use omsorg_server::{config::Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("omsorg-server: configuration error: {e}");
            std::process::exit(2);
        }
    };
    telemetry::init(config.log_format);
    let server = omsorg_server::Server::start(config).await?;
    // Scripts and tests read the bound address from this line (port 0 is allowed).
    println!("omsorg-server listening on http://{}", server.addr);
    server.run_until_ctrl_c().await
}
