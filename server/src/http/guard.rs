use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use estafette_core::visitor::{Stage, Visitor};
use http::{Method, StatusCode};

/// The API (each server function checks for itself) and static files.
fn is_api_or_asset(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/pkg/") || path == "/favicon.ico"
}

/// Where a visitor who asks for `path` must go instead, if anywhere. Every
/// page is decided here, once, on the server.
fn redirect_for(visitor: &Visitor, path: &str) -> Option<&'static str> {
    if is_api_or_asset(path) {
        return None;
    }
    let only = |page: &'static str| (path != page).then_some(page);
    match visitor {
        Visitor::Anonymous => only("/login"),
        Visitor::Partial(s) if s.stage == Stage::SecondFactor => only("/login/code"),
        Visitor::Partial(_) => only("/enrol"),
        Visitor::SignedIn(s) if s.account.must_change_password => only("/password"),
        Visitor::SignedIn(s) => match path {
            "/login" | "/login/code" | "/enrol" => Some("/"),
            "/password" => Some("/settings"),
            p if p.starts_with("/admin") && !s.is_admin() => Some("/"),
            _ => None,
        },
    }
}

/// Pages need a signed-in visitor who has finished signing in; everyone else
/// is sent to the step they are at.
pub async fn pages_need_sign_in(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let anonymous = Visitor::Anonymous;
    let visitor = req.extensions().get::<Visitor>().unwrap_or(&anonymous);
    match redirect_for(visitor, req.uri().path()) {
        Some(to) => Redirect::to(to).into_response(),
        None => next.run(req).await,
    }
}

/// Every route under `/api/admin/` refuses anyone but a signed-in admin, before
/// the request is even read; each admin server function checks again.
pub async fn admin_api_needs_admin(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/admin/") {
        return next.run(req).await;
    }
    match req.extensions().get::<Visitor>() {
        Some(Visitor::SignedIn(s)) if s.is_admin() => next.run(req).await,
        Some(Visitor::SignedIn(_)) => (StatusCode::FORBIDDEN, "\"Forbidden\"").into_response(),
        _ => (StatusCode::UNAUTHORIZED, "\"NotSignedIn\"").into_response(),
    }
}
