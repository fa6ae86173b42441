use axum::routing::get;
use axum::Json;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use omsorg_server::config::{Config, DevSeed, LogFormat};
use omsorg_server::Server;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

pub const DEV_ISSUER: &str = "http://127.0.0.1:1/dev-idp";
pub const AUDIENCE: &str = "urn:omsorg:api";
pub const KEY: &str = include_str!("../fixtures/test-signing-key.pem");
pub const OTHER_KEY: &str = include_str!("../fixtures/other-signing-key.pem");

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The public JWK of a PEM private key.
pub fn jwk(pem: &str, kid: &str) -> Value {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).expect("fixture key");
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
           "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
}

/// An issuer on loopback serving discovery and a JWKS (with the fixture key as "k1").
pub async fn spawn_issuer() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route(
            "/jwks",
            get(|| async { Json(json!({"keys": [jwk(KEY, "k1")]})) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    issuer
}

/// An RS256 token signed with `pem`, with `claims` over sensible defaults.
/// A real 1×1 PNG, standing in for a drawn signature.
pub const SIGNATURE_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// A complete order body for the dev register's `n`th test substitute
/// (each person has one live access at a time).
pub fn test_order_body(n: u16, user_id: &str) -> Value {
    let (cpr, name) = omsorg_server::cpr_register::test_substitute(n);
    order_body(&cpr, &name, user_id)
}

/// A complete order body for one of the dev register's people.
pub fn order_body(cpr: &str, name: &str, user_id: &str) -> Value {
    json!({
        "cpr": cpr,
        "confirmed_name": name,
        "id_document": "sundhedskort",
        "user_id": user_id,
        "declaration_version": omsorg_core::declaration::current().0,
        "signature_png": SIGNATURE_PNG,
    })
}

/// What the dev IdP says about a dev person in their token: name, e-mail,
/// assurance level and KOMBIT privileges (`server/dev-idp/dev-data.json`).
pub fn dev_claims(user_id: &str) -> Value {
    let data = omsorg_server::dev_data::get();
    let Some(person) = data.person(user_id) else {
        return json!({});
    };
    let xml = data.privileges_of(person).to_xml();
    json!({
        "name": person.name,
        "email": person.email,
        "loa": omsorg_server::dev_data::DevData::loa_of(person),
        "privileges_intermediate": omsorg_core::privileges::encode(&xml),
    })
}

/// `who` logs in with KOMBIT: the backend provisions them from what the
/// dev IdP's token says (the same as their first API call would).
pub async fn learn(state: &omsorg_server::AppState, issuer: &str, who: &str) {
    let said = dev_claims(who);
    let text = |k: &str| said[k].as_str().map(str::to_string);
    let claims = omsorg_server::auth::Claims {
        iss: issuer.into(),
        sub: who.into(),
        iat: Some(chrono::Utc::now().timestamp()),
        name: text("name"),
        email: text("email"),
        privileges_intermediate: text("privileges_intermediate"),
        loa: text("loa"),
        ..Default::default()
    };
    omsorg_server::provisioning::provision(state, &claims)
        .await
        .unwrap_or_else(|e| panic!("{who} provisioned: {e:?}"));
}

/// A privilege list granting `roles` (Omsorg role names of the dev data)
/// in København, limited to the units with these UUIDs (none: all units).
pub fn privileges(cvr: &str, roles: &[&str], unit_uuids: &[&str]) -> String {
    use omsorg_core::privileges::{Constraint, PrivilegeGroup, PrivilegeList};
    let data = omsorg_server::dev_data::get();
    let list = PrivilegeList {
        groups: vec![PrivilegeGroup {
            scope: format!("{}{cvr}", omsorg_core::privileges::CVR_SCOPE),
            privileges: roles.iter().map(|r| data.roles[*r].clone()).collect(),
            constraints: unit_uuids
                .iter()
                .map(|u| Constraint {
                    name: omsorg_core::privileges::ORG_UNIT_CONSTRAINT.into(),
                    value: (*u).into(),
                })
                .collect(),
        }],
    };
    omsorg_core::privileges::encode(&list.to_xml())
}

/// An access token as the broker issues it: for a dev person, with what the
/// dev IdP says about them (`dev_claims`), unless `claims` says otherwise
/// (a `null` removes a claim).
pub fn token(pem: &str, kid: Option<&str>, claims: Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut body = json!({"sub": "anna", "aud": AUDIENCE, "iat": now, "exp": now + 600});
    let sub = claims["sub"].as_str().unwrap_or("anna").to_string();
    for (k, v) in dev_claims(&sub).as_object().unwrap() {
        body[k] = v.clone();
    }
    for (k, v) in claims.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(
        &header,
        &body,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// One request to `url` with `authorization` (e.g. `Bearer …`), extra
/// headers and a JSON body, answered as (status, JSON body or null).
pub async fn request(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    authorization: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = client
        .request(method, url)
        .header("authorization", authorization);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// `omsorg-server` as a process of its own (this build's binary), with the
/// dev seed bound to `issuer` on `database_url`, any free port, its log in
/// `log`, and `env` on top; killed when dropped.
pub struct ServerProcess {
    pub child: tokio::process::Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(
        issuer: &str,
        database_url: &str,
        log: &std::path::Path,
        env: &[(&str, &str)],
    ) -> ServerProcess {
        use tokio::io::AsyncBufReadExt;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_omsorg-server"));
        command
            .env("OMSORG_LISTEN", "127.0.0.1:0")
            .env("OMSORG_DATABASE_URL", database_url)
            .env("OMSORG_DEV_SEED", "1")
            .env("OMSORG_DEV_ISSUER", issuer)
            .env("OMSORG_API_AUDIENCE", AUDIENCE)
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the backend binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("the backend says where it listens")
            .unwrap()
            .unwrap_or_else(|| {
                let said = std::fs::read_to_string(log).unwrap_or_default();
                panic!("the backend did not start: {said}")
            });
        let base = line
            .strip_prefix("omsorg-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        ServerProcess { child, base }
    }

    /// SIGKILL: no shutdown, no cleanup, whatever was running stops.
    pub async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    /// The running backend's state (for jobs driven with an injected clock).
    pub state: omsorg_server::AppState,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// One request with `authorization` (e.g. `Bearer …`) and a JSON body,
    /// answered as (status, JSON body or null).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let url = self.url(path);
        request(&self.client, method, &url, authorization, headers, body).await
    }

    /// Reserves a substitute user ID for the person behind `bearer`.
    pub async fn reserve(&self, bearer: &str) -> String {
        let (status, r) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/substitute-ids/reservations",
                &format!("Bearer {bearer}"),
                &[],
                None,
            )
            .await;
        assert_eq!(status, 201, "{r}");
        r["user_id"].as_str().unwrap().to_string()
    }

    /// An apartment tablet in `unit`, enrolled with a one-time code from the
    /// administrator behind `admin` (an Authorization value): its credential.
    pub async fn tablet(&self, admin: &str, unit: &str) -> String {
        let body = json!({"unit_id": unit, "mode": "apartment_tablet", "apartment": "Lejl. 3"});
        let path = "/api/v1/admin/enrollment-codes";
        let (status, code) = self
            .call(reqwest::Method::POST, path, admin, &[], Some(&body))
            .await;
        assert_eq!(status, 201, "{code}");
        let (status, enrolled) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/devices/enroll",
                "",
                &[],
                Some(&json!({"code": code["code"]})),
            )
            .await;
        assert_eq!(status, 201, "{enrolled}");
        enrolled["credential"].as_str().unwrap().to_string()
    }

    /// `POST /api/v1/substitute-accesses`, with `key` as the Idempotency-Key.
    pub async fn order(&self, bearer: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        self.call(
            reqwest::Method::POST,
            "/api/v1/substitute-accesses",
            &format!("Bearer {bearer}"),
            &headers,
            Some(body),
        )
        .await
    }
}

/// A backend with the dev seed on a free port and its own database file.
pub async fn spawn_app() -> TestApp {
    spawn_app_trusting(DEV_ISSUER).await
}

/// Everything every test's backend logged so far, at debug level (one
/// process-wide subscriber; tests read it to prove what is never logged).
static LOGS: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> =
    std::sync::OnceLock::new();

struct LogSink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .try_init();
        buf
    })
    .clone()
}

pub fn captured_logs() -> String {
    let buf = capture_logs();
    let bytes = buf.lock().unwrap_or_else(|p| p.into_inner());
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The same, with the dev seed's people and municipalities bound to `issuer`.
pub async fn spawn_app_trusting(issuer: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = crate::databases::fresh(dir.path(), "test").await;
    spawn_app_on(issuer, dir, database_url).await
}

/// A backend on an existing database (a restart: `dir` holds the file).
pub async fn spawn_app_on(issuer: &str, dir: tempfile::TempDir, database_url: String) -> TestApp {
    spawn_app_configured(issuer, dir, database_url, |_| {}).await
}

/// The tests' configuration: the dev seed bound to `issuer`, on port 0.
pub fn test_config(issuer: &str, database_url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.into(),
        log_format: LogFormat::Pretty,
        dev_seed: Some(DevSeed {
            issuer: issuer.into(),
            care_record: None,
        }),
        api_audience: AUDIENCE.into(),
        pin_pepper: "test-pepper-of-sixteen".into(),
        pin_min_len: 4,
        fresh_login: std::time::Duration::from_secs(600),
        shared_session_ttl: std::time::Duration::from_secs(1800),
        cpr_key: omsorg_server::config::CprKey([9; 32]),
        cpr_previous_keys: Vec::new(),
        smtp_url: None,
        mail_from: "Omsorg <omsorg@test.example>".into(),
        retention: Default::default(),
        order_lease: std::time::Duration::from_secs(60),
        dev_directory_latency: std::time::Duration::ZERO,
        jobs: Default::default(),
        id_quarantine_days: 30,
    }
}

/// The same, with the configuration adjusted (e.g. a mail server).
pub async fn spawn_app_configured(
    issuer: &str,
    dir: tempfile::TempDir,
    database_url: String,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    capture_logs();
    let mut config = test_config(issuer, &database_url);
    adjust(&mut config);
    let server = Server::start(config).await.expect("server starts");
    let base = format!("http://{}", server.addr);
    let state = server.state();
    server.spawn();
    // SPEC.md's dev people have logged in with KOMBIT once (the backend
    // learns people only from their tokens); frida and gustav have not.
    for who in ["anna", "bo", "carl", "eva"] {
        learn(&state, issuer, who).await;
    }
    TestApp {
        base,
        database_url,
        client: reqwest::Client::new(),
        state,
        dir,
    }
}
