use omsorg_server::{config::Config, cpr_rekey, db, telemetry};

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
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => {}
        // After a new OMSORG_CPR_KEY, with the old one in OMSORG_CPR_KEY_PREVIOUS.
        Some("rekey-cpr") => {
            let pool = db::connect(&config.database_url).await?;
            let vault = config.cpr_vault();
            let done = cpr_rekey::rekey(&pool, &vault).await?;
            println!(
                "re-sealed {} CPR numbers and {} receipts under key {}; \
                 OMSORG_CPR_KEY_PREVIOUS may now be dropped",
                done.cpr_numbers,
                done.receipts,
                vault.key_id()
            );
            return Ok(());
        }
        Some(other) => {
            eprintln!("omsorg-server: unknown command {other:?} (serve, rekey-cpr)");
            std::process::exit(2);
        }
    }
    let server = omsorg_server::Server::start(config).await?;
    // Scripts and tests read the bound address from this line (port 0 is allowed).
    println!("omsorg-server listening on http://{}", server.addr);
    server.run_until_stopped().await
}
