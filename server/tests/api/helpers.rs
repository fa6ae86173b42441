use omsorg_server::config::{Config, DevSeed, LogFormat};
use omsorg_server::Server;

pub const DEV_ISSUER: &str = "http://127.0.0.1:1/dev-idp";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// A backend with the dev seed on a free port and its own database file.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("test.db").display()),
        log_format: LogFormat::Pretty,
        dev_seed: Some(DevSeed {
            issuer: DEV_ISSUER.into(),
        }),
    };
    let server = Server::start(config).await.expect("server starts");
    let base = format!("http://{}", server.addr);
    server.spawn();
    TestApp {
        base,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}
