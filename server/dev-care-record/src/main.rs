//! `omsorg-dev-care-record`: the local care record (see the library).
//!
//!   OMSORG_CARE_LISTEN=127.0.0.1:0           where to listen (port 0: any free one)
//!   OMSORG_CARE_ISSUER=<dev IdP issuer>      the one issuer whose tokens it believes
//!   OMSORG_CARE_AUDIENCE=urn:omsorg:care-record
//!   OMSORG_CARE_LOSE_FIRST_ANSWER=1          store the first measurement, answer 504
//!
//! Prints "omsorg-dev-care-record listening on <FHIR base>" once it accepts requests.

use anyhow::Context;
use omsorg_dev_care_record::{CareRecord, Settings, DEFAULT_AUDIENCE};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let listen = var("OMSORG_CARE_LISTEN").unwrap_or_else(|| "127.0.0.1:0".into());
    let issuer =
        var("OMSORG_CARE_ISSUER").context("OMSORG_CARE_ISSUER: the dev IdP's issuer URL")?;
    let settings = Settings {
        issuer,
        audience: var("OMSORG_CARE_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.into()),
        lose_first_answer: var("OMSORG_CARE_LOSE_FIRST_ANSWER").as_deref() == Some("1"),
    };
    let record = CareRecord::new(settings);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("omsorg-dev-care-record listening on http://{addr}/fhir");
    let stop = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    axum::serve(listener, record.router())
        .with_graceful_shutdown(stop)
        .await?;
    tracing::info!("stopped");
    Ok(())
}
