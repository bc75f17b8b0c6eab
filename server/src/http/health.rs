use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;

use estafette_core::Services;

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers and every migration is applied.
pub async fn readyz(State(services): State<Arc<Services>>) -> (StatusCode, String) {
    match services.store.ready().await {
        Ok(()) => (StatusCode::OK, "ready".into()),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}"))
        }
    }
}
