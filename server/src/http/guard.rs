//! Who may reach what, decided once on the server before a request is read:
//! pages send a visitor to the step of signing in they are at, and every
//! API call is refused unless its caller holds the proof it needs, before
//! its arguments are parsed (a stranger learns nothing from a malformed call).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use estafette_core::visitor::{Stage, Visitor};
use estafette_core::CoreError;
use http::Method;

use super::errors::ApiError;

/// The static files of the site, and the server's own routes that are not
/// pages (they answer a stranger 401, like the API).
fn is_not_a_page(path: &str) -> bool {
    const ROUTES: &[&str] = &[
        "/frame",
        "/part",
        "/inline",
        "/image",
        "/source",
        "/events",
        "/upload",
        "/contacts.vcf",
    ];
    path.starts_with("/pkg/") || path == "/favicon.ico" || ROUTES.contains(&path)
}

/// Where a visitor who asks for `path` must go instead, if anywhere. Every
/// page is decided here, once, on the server.
fn redirect_for(visitor: &Visitor, path: &str) -> Option<&'static str> {
    if path.starts_with("/api/") || is_not_a_page(path) {
        return None;
    }
    let only = |page: &'static str| (path != page).then_some(page);
    match visitor {
        Visitor::Anonymous => only("/login"),
        Visitor::Partial(s) if s.stage() == Stage::SecondFactor => only("/login/code"),
        Visitor::Partial(_) => only("/enrol"),
        Visitor::SignedIn(s) if s.must_change_password() => only("/password"),
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

/// What an API call needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Nothing,
    AwaitingCode,
    Enrolling,
    PasswordChange,
    SignedIn,
    Admin,
}

/// The calls open to anyone, and those of the steps of signing in; every
/// other call needs a full sign-in, and those under `/api/admin/` an admin.
fn needs(path: &str) -> Needs {
    match path.strip_prefix("/api/").unwrap_or(path) {
        "sign_in" | "sign_out" | "current_user" => Needs::Nothing,
        "verify_code" => Needs::AwaitingCode,
        "two_factor_status" | "start_enrolment" | "confirm_enrolment" => Needs::Enrolling,
        "change_password" => Needs::PasswordChange,
        p if p.starts_with("admin/") => Needs::Admin,
        _ => Needs::SignedIn,
    }
}

fn check(visitor: &Visitor, needs: Needs) -> Result<(), CoreError> {
    match needs {
        Needs::Nothing => Ok(()),
        Needs::AwaitingCode => visitor.awaiting_code().map(drop),
        Needs::Enrolling => visitor.enrolling().map(drop),
        Needs::PasswordChange => visitor.password_change().map(drop),
        Needs::SignedIn => visitor.signed_in().map(drop),
        Needs::Admin => visitor.admin().map(drop),
    }
}

/// Every API call is refused, before it is read, to a caller without the
/// proof it needs; each server function extracts the proof again.
pub async fn api_needs_its_proof(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let anonymous = Visitor::Anonymous;
    let visitor = req.extensions().get::<Visitor>().unwrap_or(&anonymous);
    match check(visitor, needs(path)) {
        Ok(()) => next.run(req).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_way_in_is_open() {
        assert_eq!(needs("/api/sign_in"), Needs::Nothing);
        assert_eq!(needs("/api/verify_code"), Needs::AwaitingCode);
        assert_eq!(needs("/api/messages"), Needs::SignedIn);
        assert_eq!(needs("/api/admin/accounts"), Needs::Admin);
        assert_eq!(needs("/api/sign_in/../messages"), Needs::SignedIn);
        assert!(check(&Visitor::Anonymous, Needs::SignedIn).is_err());
        assert!(check(&Visitor::Anonymous, Needs::Nothing).is_ok());
    }
}
