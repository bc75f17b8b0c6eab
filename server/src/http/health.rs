use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;

use estafette_core::Services;

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers and every migration is applied. Why not is
/// logged, not shown (the answer is public).
pub async fn readyz(State(services): State<Arc<Services>>) -> (StatusCode, &'static str) {
    match services.ready().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready")
        }
    }
}
