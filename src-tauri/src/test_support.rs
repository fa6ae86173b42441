//! Backends on loopback for the shell's unit tests.

use axum::http::StatusCode;
use axum::routing::get;

/// A backend whose municipality list answers `status` with `body`.
pub async fn backend_answering(status: StatusCode, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/api/v1/municipalities",
        get(move || async move { (status, body) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A keystore the test keeps a hand on (to count its reads, or to put
/// something in it behind the shell's back).
pub struct SharedSecrets(pub std::sync::Arc<crate::secrets::MemoryStore>);

impl crate::secrets::SecretStore for SharedSecrets {
    fn get(&self, key: &str) -> Result<Option<String>, crate::error::CommandError> {
        self.0.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), crate::error::CommandError> {
        self.0.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), crate::error::CommandError> {
        self.0.delete(key)
    }
}

/// Opens nothing; records nothing.
pub struct NoViewer;

impl crate::oidc::browser::Browser for NoViewer {
    fn open(&self, _url: &str) -> Result<(), String> {
        Err("no viewer in tests".into())
    }
}

/// A personal-device shell talking to `url`, with a signed-in, unlocked
/// person (`anna`, who may order) and in-memory stores.
pub async fn shell_on(url: &str) -> (crate::Shell, tempfile::TempDir) {
    shell_with_secrets(url, Box::new(crate::secrets::MemoryStore::default())).await
}

/// The same, with `secrets` as its keystore.
pub async fn shell_with_secrets(
    url: &str,
    secrets: Box<dyn crate::secrets::SecretStore>,
) -> (crate::Shell, tempfile::TempDir) {
    let files = tempfile::tempdir().unwrap();
    let shell = crate::Shell {
        api: crate::api_client::ApiClient::new(url).unwrap(),
        store: crate::store::Store::open_in_memory().unwrap(),
        sessions: crate::session::Sessions::new(
            secrets,
            "omsorg-app",
            "urn:omsorg:api",
            std::time::Duration::from_secs(5),
        ),
        browser: Box::new(NoViewer),
        lock: crate::lock::DeviceLock::new(std::time::Duration::from_secs(600)),
        shared_idle: std::time::Duration::from_secs(600),
        shared: Default::default(),
        screen: Box::new(crate::device::NoScreen),
        files: files.path().join("declarations"),
        viewer: Box::new(NoViewer),
        exports: std::env::temp_dir().join("omsorg-test-exports"),
        care: crate::care::CareClient::new(),
    };
    shell
        .sessions
        .begin_personal_for_test("tok-1", anna())
        .await;
    shell.lock.begin_unlocked();
    (shell, files)
}

/// anna as the backend describes her: staff who may order, with a PIN.
pub fn anna() -> omsorg_core::api::Me {
    use omsorg_core::api::{Me, Role};
    Me {
        user_id: "anna".into(),
        name: "Anna Andersen".into(),
        municipality_code: "101".into(),
        unit: None,
        units: vec![],
        roles: vec![Role::Staff],
        has_pin: true,
        pin_locked: false,
        may_order_substitutes: true,
        pin_min_len: 4,
        period: Default::default(),
    }
}

/// A URL on which nothing listens.
pub fn unreachable_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
