use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use estafette_core::visitor::{SignedIn, Visitor};
use estafette_core::{cookie, ClientInfo};
use http::header::{ACCEPT, ACCEPT_LANGUAGE, COOKIE, USER_AGENT};
use http::{Method, StatusCode};

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
    // A page is rendered in the account's language, theme and the rest.
    if let (Visitor::SignedIn(session), true) = (&visitor, wants_page(&req)) {
        let browser = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or("en", app::browser_language);
        let who = SignedIn(session.clone());
        match state.services.page_preferences(&who, browser).await {
            Ok(preferences) => {
                req.extensions_mut().insert(preferences);
            }
            Err(e) => tracing::warn!(error = %e, "preferences unavailable; rendering the defaults"),
        }
    }
    req.extensions_mut().insert(visitor);
    req.extensions_mut().insert(client);
    next.run(req).await
}

/// A browser asking for a page (not a server function, a file or a stream).
fn wants_page(req: &Request) -> bool {
    req.method() == Method::GET
        && req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}
