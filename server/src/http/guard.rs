use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use estafette_core::visitor::Visitor;
use http::Method;

/// Paths anyone may load: the sign-in page, the API (each server function
/// checks for itself) and static files.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path == "/favicon.ico"
}

/// Pages need a signed-in visitor; everyone else goes to the sign-in page,
/// and a signed-in visitor skips it. Done once, here, for every page.
pub async fn pages_need_sign_in(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let signed_in = matches!(
        req.extensions().get::<Visitor>(),
        Some(Visitor::SignedIn(_))
    );
    let path = req.uri().path();
    if path == "/login" && signed_in {
        return Redirect::to("/").into_response();
    }
    if !is_public(path) && !signed_in {
        return Redirect::to("/login").into_response();
    }
    next.run(req).await
}
