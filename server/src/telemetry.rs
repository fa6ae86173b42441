use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Structured logs; `RUST_LOG` filters. Handlers log codes and ids, never personal data.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}
