//! Building and running the application. `Application::build` binds the
//! listener first, so tests can ask for port 0 and read the real port.

use std::net::SocketAddr;
use std::sync::Arc;

use estafette_core::connections::IMAP_IDLE_CLOSE;

/// Attachments of a form never sent are removed after a day.
const ABANDONED_UPLOADS: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

use estafette_core::{Config, Services};
use estafette_store::{redact_url, Store};
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

use crate::http::{router, AppState};
use crate::ServerError;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// `/metrics`, on an address of its own (`server.metrics_listen`).
    metrics: Option<(TcpListener, metrics_exporter_prometheus::PrometheusHandle)>,
}

/// Opens the database and applies pending migrations; a failure stops here.
pub async fn open_store(config: &Config) -> Result<Store, ServerError> {
    let url = config.database_url();
    if config.database.url.is_empty() {
        estafette_core::files::private_dir(&config.server.data_dir)?;
    }
    let file = estafette_core::files::sqlite_file(config);
    let new_file = file.as_deref().is_some_and(|f| !f.exists());
    let store = Store::connect(&url, config.database.max_connections).await?;
    if let (Some(file), true) = (file, new_file) {
        // SQLite gives its journal files the database's mode.
        estafette_core::files::make_private(&file)?;
    }
    store.migrate().await?;
    tracing::info!(database = %redact_url(&url), "database ready");
    Ok(store)
}

/// Where the browser bundle is, under the site root: `pkg/<hash>` as
/// `scripts/build.sh` names it after its content (so that it can be cached
/// for good), or `pkg` for a site built otherwise.
fn bundle_dir(site_root: &std::path::Path) -> String {
    let version = std::fs::read_to_string(site_root.join("pkg").join("VERSION"));
    match version.as_deref().map(str::trim) {
        Ok(hash) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("pkg/{hash}")
        }
        _ => {
            tracing::warn!(site = %site_root.display(), "no pkg/VERSION: the bundle is served unversioned");
            "pkg".to_owned()
        }
    }
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, ServerError> {
        let addr = config.listen_addr()?;
        let store = open_store(&config).await?;
        let leptos_options = LeptosOptions::builder()
            .output_name("estafette")
            .site_root(config.server.site_root.display().to_string())
            .site_pkg_dir(bundle_dir(&config.server.site_root))
            .site_addr(addr)
            .build();
        let proxies = Arc::new(config.trusted_proxies());
        let metrics = match config.metrics_addr()? {
            Some(at) => {
                let handle = crate::metrics::install().map_err(ServerError::Usage)?;
                Some((TcpListener::bind(at).await?, handle))
            }
            None => None,
        };
        let services = Services::new(Arc::new(config), store)?;
        // The same key as the services read: addresses hash alike everywhere.
        crate::telemetry::set_redaction_key(&estafette_core::keys::load(&services.config)?);
        let listener = TcpListener::bind(addr).await?;
        Ok(Application {
            metrics,
            listener,
            state: AppState {
                leptos_options,
                services,
                proxies,
            },
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        Ok(self.listener.local_addr()?)
    }

    /// Where `/metrics` is served, when metrics are on.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn services(&self) -> Arc<Services> {
        self.state.services.clone()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run(self) -> Result<(), ServerError> {
        tracing::info!(address = %self.local_addr()?, "Estafette is serving");
        // Background work lives as long as the server (also when it is aborted).
        let mut background = vec![
            tokio::spawn(sweep_sessions(self.state.services.clone())),
            tokio::spawn(send_held_messages(self.state.services.clone())),
        ];
        if let Some((listener, handle)) = self.metrics {
            tracing::info!(address = %listener.local_addr()?, "metrics are served");
            let upkeep = handle.clone();
            // Histograms are folded every few seconds, scraped or not.
            background.push(tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    every.tick().await;
                    upkeep.run_upkeep();
                }
            }));
            let metrics = crate::metrics::router(handle, self.state.services.clone());
            background.push(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, metrics).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            }));
        }
        let _background = Background(background);
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

/// Tasks that end with the server.
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Ends expired sessions now and then, so that their rows and IMAP
/// connections do not wait for a request that never comes, and logs out of
/// IMAP connections nobody used for a while.
async fn sweep_sessions(services: Arc<Services>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        match services.end_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "expired sessions ended"),
            Err(e) => tracing::warn!(error = %e, "could not end expired sessions"),
        }
        match services.purge_throttle().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(forgotten = n, "quiet throttle keys forgotten"),
            Err(e) => tracing::warn!(error = %e, "could not forget quiet throttle keys"),
        }
        let abandoned = services.uploads.sweep(ABANDONED_UPLOADS).await;
        if abandoned > 0 {
            tracing::info!(abandoned, "abandoned uploads removed");
        }
        let closed = services.mail.close_idle(IMAP_IDLE_CLOSE).await;
        if closed > 0 {
            tracing::info!(closed, "idle IMAP connections closed");
        }
        match services.fail_abandoned_sends().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(interrupted = n, "held messages interrupted while sending"),
            Err(e) => tracing::warn!(error = %e, "could not look for interrupted sends"),
        }
        match services.forget_old_audit().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "audit entries past their retention removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove old audit entries"),
        }
        match services.sweep_message_files().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "message files no held message names removed"),
            Err(e) => tracing::warn!(error = %e, "could not sweep the message files"),
        }
    }
}

/// Sends the held messages (undo send, send later) when they fall due; a
/// look every second keeps an undo delay or a schedule to the second.
async fn send_held_messages(services: Arc<Services>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = services.deliver_due().await {
            tracing::warn!(error = %e, "could not send held messages");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
