//! `/metrics` in Prometheus' text format (the `prometheus-client` crate):
//! requests by route template and status, their latency, login and PIN
//! failures, throttled devices, expiries and their lag, and, read from the
//! database when scraped, the mail queue, the oldest due expiry and the
//! pool. Labels are route templates and fixed words, never an ID, a user
//! ID or a CPR number.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

type Histograms = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms … 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// One instance's figures.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms,
    login_failures: Family<KindLabels, Counter>,
    throttled_devices: Counter,
    expiries: Counter,
    expiry_lag: Histogram,
    mail_queue: Gauge,
    mail_oldest: Gauge,
    expiry_overdue: Gauge,
    pool_size: Gauge,
    pool_idle: Gauge,
}

/// What a failed login was.
#[derive(Clone, Copy)]
pub enum Failure {
    /// A wrong user ID or PIN on a shared device.
    SharedLogin,
    /// A wrong personal PIN (the lock screen, or a PIN change).
    Pin,
    /// A token the API refused (forged, expired, for another audience).
    Token,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("omsorg");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        let latency: Histograms = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            latency.clone(),
        );
        let login_failures = Family::<KindLabels, Counter>::default();
        registry.register(
            "login_failures",
            "Failed logins: shared_login (user ID + PIN), pin (personal PIN), token (refused token)",
            login_failures.clone(),
        );
        let throttled_devices = Counter::default();
        registry.register(
            "throttled_device_logins",
            "Shared-device logins refused because the device failed too often",
            throttled_devices.clone(),
        );
        let expiries = Counter::default();
        registry.register(
            "expiries",
            "Substitute accesses this instance closed at their end",
            expiries.clone(),
        );
        let expiry_lag = Histogram::new(exponential_buckets(1.0, 2.0, 12));
        registry.register(
            "expiry_lag_seconds",
            "How long after its end an access was closed",
            expiry_lag.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let g = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
            registry.register(name, help, g.clone());
            g
        };
        let mail_queue = gauge(
            &mut registry,
            "mail_queue",
            "Mails not yet sent (all instances)",
        );
        let mail_oldest = gauge(
            &mut registry,
            "mail_queue_oldest_age_seconds",
            "Age of the oldest mail not yet sent (0: none)",
        );
        let expiry_overdue = gauge(
            &mut registry,
            "expiry_overdue_seconds",
            "How long the oldest access past its end has waited to be closed (0: none)",
        );
        let pool_size = gauge(
            &mut registry,
            "db_pool_connections",
            "Database connections open",
        );
        let pool_idle = gauge(&mut registry, "db_pool_idle", "Database connections idle");
        Metrics {
            registry,
            requests,
            latency,
            login_failures,
            throttled_devices,
            expiries,
            expiry_lag,
            mail_queue,
            mail_oldest,
            expiry_overdue,
            pool_size,
            pool_idle,
        }
    }
}

impl Metrics {
    pub fn failed(&self, failure: Failure) {
        let kind = match failure {
            Failure::SharedLogin => "shared_login",
            Failure::Pin => "pin",
            Failure::Token => "token",
        };
        self.login_failures
            .get_or_create(&KindLabels { kind })
            .inc();
    }

    pub fn throttled(&self) {
        self.throttled_devices.inc();
    }

    /// An access closed `lag_secs` after its end.
    pub fn expired(&self, lag_secs: i64) {
        self.expiries.inc();
        self.expiry_lag.observe(lag_secs.max(0) as f64);
    }

    /// The text a scrape gets: what this instance counted, and the
    /// database's queue figures as of now.
    pub async fn render(&self, state: &AppState) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM mail_outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&state.db)
        .await?;
        let (overdue,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(ends_at) FROM substitute_accesses
             WHERE ended_at IS NULL AND completed_at IS NOT NULL AND ends_at <= $1",
        )
        .bind(now)
        .fetch_one(&state.db)
        .await?;
        self.mail_queue.set(waiting);
        self.mail_oldest.set(oldest.map_or(0, |t| (now - t).max(0)));
        self.expiry_overdue
            .set(overdue.map_or(0, |t| (now - t).max(0)));
        self.pool_size.set(i64::from(state.db.size()));
        self.pool_idle
            .set(i64::try_from(state.db.num_idle()).unwrap_or(i64::MAX));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts and times every request under its route template.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let response = next.run(req).await;
    let metrics = &state.metrics;
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(started.elapsed().as_secs_f64());
    response
}
