//! What a server function knows about its request, put there by the server's
//! middleware: the services, the resolved visitor and the client. The
//! extractors (`signed_in`, `admin`, `partial`) are each server function's
//! first line, so that forgetting one fails closed.

use std::sync::Arc;

use estafette_core::visitor::{Admin, Session, SessionToken, SignedIn, Stage, Visitor};
use estafette_core::{cookie, ClientInfo, Services};
use http::header::{HeaderValue, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::{expect_context, use_context};

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

pub fn admin() -> Result<Admin, AppError> {
    Ok(visitor().admin()?)
}

/// The signed-in user's language (English if their preferences cannot be read).
pub async fn texts(who: &SignedIn) -> &'static crate::i18n::Texts {
    let language = match services() {
        Ok(s) => s.preferences(who).await.ok().and_then(|p| p.language),
        Err(_) => None,
    };
    language
        .as_deref()
        .and_then(crate::i18n::Locale::from_code)
        .unwrap_or(crate::i18n::Locale::En)
        .texts()
}

/// A session in the middle of signing in (second factor or enrolment due).
pub fn partial() -> Result<Session, AppError> {
    Ok(visitor().partial()?)
}

/// A fully signed-in or enrolling session (enrolment works in both).
pub fn enrolling_or_signed_in() -> Result<Session, AppError> {
    match visitor() {
        Visitor::SignedIn(s) => Ok(s),
        Visitor::Partial(s) if s.stage == Stage::Enrol => Ok(s),
        _ => Err(AppError::NotSignedIn),
    }
}

/// Sets (or with `None` clears) the session cookie on the response.
pub fn set_session_cookie(token: Option<&SessionToken>) -> Result<(), AppError> {
    let tls = services()?.config.server.tls;
    let value = match token {
        Some(t) => cookie::set(&t.encode(), tls),
        None => cookie::clear(tls),
    };
    let value = HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(SET_COOKIE, value);
    Ok(())
}
