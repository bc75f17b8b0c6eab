use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use estafette_core::visitor::Visitor;
use estafette_core::{cookie, ClientInfo};
use http::header::{
    ACCEPT, ACCEPT_LANGUAGE, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, RETRY_AFTER, USER_AGENT,
};
use http::{HeaderValue, Method, StatusCode};

use super::errors::ApiError;
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
            if wants_page(&req) {
                return unavailable_page();
            }
            let error = match e {
                e @ estafette_core::CoreError::Unavailable(_) => e,
                other => estafette_core::CoreError::Unavailable(other.to_string()),
            };
            return ApiError::from(error).into_response();
        }
    };
    // The access log names the account (by its id: never its address).
    if let Some(session) = visitor.any_session() {
        tracing::Span::current().record("account", session.account().id);
    }
    let client = client_info(&state, &req);
    // A page is rendered in the account's language, theme and the rest.
    if let (Visitor::SignedIn(session), true) = (&visitor, wants_page(&req)) {
        let browser = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or("en", app::browser_language);
        match state.services.page_preferences(session, browser).await {
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

/// Where the request comes from: the peer, or behind a trusted proxy the
/// client it names; the user agent; the device cookies it carries.
fn client_info(state: &AppState, req: &Request) -> ClientInfo {
    let headers = req.headers();
    let lines = |name: &str| -> Vec<&str> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    let address = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| {
        state
            .proxies
            .client(c.0.ip(), &lines("forwarded"), &lines("x-forwarded-for"))
            .to_string()
    });
    let device_cookies = lines(COOKIE.as_str())
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            estafette_core::cookie::is_device(name).then(|| value.to_owned())
        })
        .take(20)
        .collect();
    ClientInfo {
        address,
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
        device_cookies,
    }
}

/// What a browser asking for a page gets while the database is away: a
/// page that says so (in both languages, the account's being unknown), and
/// when to try again.
fn unavailable_page() -> Response {
    const PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width\"><title>Estafette</title></head>\
        <body style=\"font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em\">\
        <h1>Estafette</h1><p>Estafette cannot reach its database right now. Nothing was lost; \
        <a href=\"\">try again</a> in a moment.</p><p lang=\"fr\">Estafette ne peut pas joindre \
        sa base de données pour le moment. Rien n'est perdu ; <a href=\"\">réessayez</a> dans un \
        instant.</p></body></html>";
    let mut res = (StatusCode::SERVICE_UNAVAILABLE, PAGE).into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(RETRY_AFTER, HeaderValue::from_static("5"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    res
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
