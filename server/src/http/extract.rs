//! Who is asking, for the server's own routes: extractors over the visitor
//! the session layer resolved. A handler that takes `Signed` cannot run for a
//! stranger; the proof inside comes from the domain only.

use axum::extract::FromRequestParts;
use estafette_core::visitor::{Admin, SignedIn, Visitor};
use http::request::Parts;

use super::errors::ApiError;

/// The visitor the session layer put on the request (none: a stranger).
fn visitor(parts: &Parts) -> &Visitor {
    parts
        .extensions
        .get::<Visitor>()
        .unwrap_or(&Visitor::Anonymous)
}

/// A fully signed-in visitor (the domain's `SignedIn`).
pub struct Signed(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Signed(visitor(parts).signed_in()?))
    }
}

/// A signed-in admin (the domain's `Admin`).
pub struct AdminOnly(pub Admin);

impl<S: Send + Sync> FromRequestParts<S> for AdminOnly {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(AdminOnly(visitor(parts).admin()?))
    }
}
