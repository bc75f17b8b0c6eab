//! What a server function knows about its request, put there by the server's
//! middleware: the services, the resolved visitor and the client.

use std::sync::Arc;

use estafette_core::visitor::{SignedIn, Visitor};
use estafette_core::{ClientInfo, Services};
use http::request::Parts;
use leptos::prelude::use_context;

use crate::error::AppError;

pub fn services() -> Result<Arc<Services>, AppError> {
    use_context::<Arc<Services>>().ok_or_else(|| {
        tracing::error!("services missing from the server function context");
        AppError::Internal
    })
}

fn extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<T>().cloned())
}

pub fn visitor() -> Visitor {
    extension::<Visitor>().unwrap_or(Visitor::Anonymous)
}

pub fn client_info() -> ClientInfo {
    extension::<ClientInfo>().unwrap_or_default()
}

pub fn signed_in() -> Result<SignedIn, AppError> {
    Ok(visitor().signed_in()?)
}
