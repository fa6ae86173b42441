//! The Omsorg reference backend: the HTTP contract of SPEC.md over a database.
//!
//! `app(state)` builds the whole router so tests can drive it in-process or on
//! port 0; `Server::start` binds, migrates and seeds.

pub mod access;
pub mod audit_log;
pub mod auth;
pub mod config;
pub mod cpr_lookups;
pub mod cpr_register;
pub mod cpr_rekey;
pub mod cpr_vault;
pub mod db;
pub mod declaration_pdf;
pub mod dev_data;
pub mod devices;
pub mod directory;
pub mod error;
pub mod expiry;
pub mod export;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod org_directory;
pub mod people;
pub mod pin;
pub mod provisioning;
pub mod retention;
pub mod returning;
pub mod routes;
pub mod secret;
pub mod substitute_ids;
pub mod telemetry;
pub mod units;

use std::net::SocketAddr;

use std::sync::Arc;

use axum::Router;
use sqlx::AnyPool;
use tokio::net::TcpListener;

use crate::config::Config;

/// Everything a request handler may touch. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    pub tokens: Arc<auth::TokenVerifier>,
    pub pins: pin::PinHasher,
    pub pin_min_len: usize,
    /// How recent a KOMBIT login must be to set a PIN without the current one.
    pub fresh_login: std::time::Duration,
    /// How long a user-ID + PIN session on a shared device lives.
    pub shared_session_ttl: std::time::Duration,
    /// Checked when a user ID does not exist, so the answer takes as long as
    /// a wrong PIN for one that does.
    pub dummy_pin_hash: Arc<String>,
    /// The shared-device login's admission and writes (`routes::shared`).
    pub logins: Arc<routes::shared::LoginFlow>,
    /// The CPR register: the dev people with the dev seed, none otherwise
    /// (the Serviceplatformen adapter's shape is in `cpr_register.rs`).
    pub cpr_register: Arc<dyn cpr_register::CprRegister>,
    pub cpr_vault: Arc<cpr_vault::CprVault>,
    /// Substitutes' accounts: the dev directory here (AD's shape in `directory.rs`).
    pub directory: Arc<dyn directory::Directory>,
    /// Units and their nearest managers: the database's units here (FK
    /// Organisation's shape in `org_directory.rs`).
    pub org: Arc<dyn org_directory::OrgDirectory>,
    /// `OMSORG_SMTP_URL`; without it mail waits in the outbox.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// How long an order's claim on its idempotency key holds (seconds).
    pub order_lease_secs: i64,
    /// `OMSORG_DEV_SEED=1`: the dev people get their PINs of SPEC.md when
    /// the backend first learns them.
    pub dev_seed: bool,
    /// This process among the instances on one database: random at start;
    /// it holds this instance's job claims and is in every log line.
    pub instance: Arc<str>,
    /// How often background jobs run and how long their claims hold.
    pub jobs: jobs::Timing,
    /// How long an archived user ID waits before it is free again.
    pub id_quarantine_secs: i64,
    /// What `/metrics` tells.
    pub metrics: Arc<metrics::Metrics>,
}

pub fn app(state: AppState) -> Router {
    let instance = state.instance.clone();
    routes::router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                move |req: &axum::http::Request<axum::body::Body>| {
                    // The route's template, never the URI: no personal data
                    // (an ID, a query string) reaches the logs this way.
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("unmatched", |m| m.as_str());
                    let request_id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), route, request_id,
                    instance = %instance)
                },
            ),
        )
        .layer(axum::middleware::from_fn(request_id))
}

/// The request ID header: a load balancer's (or a calling instance's) is
/// kept, so one request can be followed across instances; otherwise one
/// is made. Answered in the response too.
pub const REQUEST_ID: &str = "x-request-id";

async fn request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::HeaderValue;
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string);
    let id = given.unwrap_or_else(|| secret::random_token(12));
    let value = HeaderValue::from_str(&id).expect("checked or made of URL-safe characters");
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let mut response = next.run(req).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

pub struct Server {
    pub addr: SocketAddr,
    listener: TcpListener,
    router: Router,
    state: AppState,
    /// Tells the background jobs to stop (after the run in progress).
    stop: tokio::sync::watch::Sender<bool>,
    jobs: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        let db = db::connect(&config.database_url).await?;
        let bookkeeping = db::connect_relaxed(&db).await?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pins = pin::PinHasher::new(config.pin_pepper.as_bytes(), cores);
        if let Some(seed) = &config.dev_seed {
            db::seed_dev(&db, seed).await?;
        }
        let dummy_pin_hash = Arc::new(pins.hash("no-such-person").await?);
        let cpr_vault = Arc::new(config.cpr_vault());
        cpr_rekey::check_keys(&db, &cpr_vault).await?;
        let directory = Arc::new(directory::DevDirectory {
            db: db.clone(),
            hasher: pins.clone(),
            latency: config.dev_directory_latency,
        });
        let org = Arc::new(org_directory::DbOrgDirectory { db: db.clone() });
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let logins = Arc::new(routes::shared::LoginFlow::new(cores, &db, bookkeeping));
        let state = AppState {
            db,
            tokens: auth::TokenVerifier::new(config.api_audience),
            pins,
            pin_min_len: config.pin_min_len,
            fresh_login: config.fresh_login,
            shared_session_ttl: config.shared_session_ttl,
            dummy_pin_hash,
            logins,
            cpr_vault,
            directory,
            org,
            smtp_url: config.smtp_url.clone(),
            mail_from: config.mail_from.clone(),
            order_lease_secs: i64::try_from(config.order_lease.as_secs()).unwrap_or(60),
            dev_seed: config.dev_seed.is_some(),
            cpr_register: if config.dev_seed.is_some() {
                Arc::new(cpr_register::DevRegister)
            } else {
                Arc::new(cpr_register::NoRegister)
            },
            instance: secret::random_token(9).into(),
            jobs: config.jobs,
            id_quarantine_secs: config.id_quarantine_days * 86_400,
            metrics: Arc::new(metrics::Metrics::default()),
        };
        tracing::info!(instance = %state.instance, %addr, "instance started");
        // Catches up on what ended while the backend was down, then keeps time.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let jobs = vec![
            expiry::spawn(state.clone(), stopped.clone()),
            expiry::spawn_recovery(state.clone(), stopped.clone()),
            mail::spawn(state.clone(), stopped.clone()),
            retention::spawn(
                state.db.clone(),
                config.retention,
                state.instance.clone(),
                stopped,
            ),
        ];
        Ok(Server {
            addr,
            listener,
            router: app(state.clone()),
            state,
            stop,
            jobs,
        })
    }

    /// The state the server runs with (for tests that drive its jobs).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until SIGTERM (or Ctrl-C), then stops gracefully: takes no
    /// new connections, finishes the requests in flight, lets each
    /// background job finish its run (for at most a job lease), gives back
    /// the claims this instance still holds, and closes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                tracing::info!("stopping: finishing the requests in flight");
            })
            .await?;
        let _ = self.stop.send(true);
        let lease = self.state.jobs.lease;
        for job in self.jobs {
            if tokio::time::timeout(lease, job).await.is_err() {
                tracing::warn!("a background job did not finish its run within a lease");
            }
        }
        let released = jobs::release(&self.state.db, &self.state.instance).await?;
        self.state.logins.close().await;
        self.state.db.close().await;
        tracing::info!(released, "stopped");
        Ok(())
    }

    /// Serves in a background task; for tests (the jobs run as long as it).
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let _stop = self.stop;
            let _ = axum::serve(self.listener, self.router).await;
        })
    }
}
