use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// What is logged unless `RUST_LOG` says otherwise.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Structured logs; `RUST_LOG` filters. Handlers log codes and ids, never personal data.
pub fn init(format: LogFormat) {
    init_writing_to(format, std::io::stderr);
}

/// The same logs to `writer` (a benchmark discards them: it pays for
/// making them, as the backend does, without printing them).
pub fn init_writing_to<W>(format: LogFormat, writer: W)
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}
