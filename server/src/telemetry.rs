use estafette_core::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Logs to stderr, human or JSON; `ESTAFETTE_LOG` (an env-filter) sets the level.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("ESTAFETTE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
