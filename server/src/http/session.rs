use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use estafette_core::{cookie, ClientInfo};
use http::header::{COOKIE, USER_AGENT};
use http::StatusCode;

use super::AppState;

/// Resolves the session cookie once per request and puts the `Visitor` and the
/// `ClientInfo` in the request's extensions for handlers and server functions.
pub async fn resolve_visitor(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let tls = state.services.config.server.tls;
    let cookie_value = req
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie::find(h, tls))
        .map(str::to_owned);
    let visitor = match state.services.resolve(cookie_value.as_deref()).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "cannot resolve the session");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Estafette cannot reach its database right now.",
            )
                .into_response();
        }
    };
    let client = ClientInfo {
        address: req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
        user_agent: req
            .headers()
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
    };
    req.extensions_mut().insert(visitor);
    req.extensions_mut().insert(client);
    next.run(req).await
}
