//! What a server function knows about its request, put there by the server's
//! middleware: the services, the resolved visitor and the client. The
//! extractors (`signed_in`, `admin`, `awaiting_code`, `enrolling`,
//! `password_change`) are each server function's first line, and the domain's
//! operations take what they return, so that forgetting one does not compile.
//! (The server refuses a caller without the right proof before the
//! arguments are read, too: see the server's `guard`.)

use std::sync::Arc;

use estafette_core::visitor::{
    Admin, AwaitingCode, Enrolling, PasswordChange, SessionToken, SignedIn, Visitor,
};
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
        Ok(s) => s
            .preferences(who)
            .await
            .ok()
            .and_then(|p| p.choices.language),
        Err(_) => None,
    };
    language
        .as_deref()
        .and_then(crate::i18n::Locale::from_code)
        .unwrap_or(crate::i18n::Locale::En)
        .texts()
}

/// A session waiting for its second factor.
pub fn awaiting_code() -> Result<AwaitingCode, AppError> {
    Ok(visitor().awaiting_code()?)
}

/// A fully signed-in or enrolling session (enrolment works in both).
pub fn enrolling() -> Result<Enrolling, AppError> {
    Ok(visitor().enrolling()?)
}

/// A fully signed-in session, also one that must change its password first.
pub fn password_change() -> Result<PasswordChange, AppError> {
    Ok(visitor().password_change()?)
}

/// Sets the device cookie a sign-in gave this browser, if any.
pub fn set_device_cookie(done: &estafette_core::SignedInToken) -> Result<(), AppError> {
    let Some(device) = &done.device_cookie else {
        return Ok(());
    };
    let tls = services()?.config.server.tls;
    let value = cookie::set_device(&device.name, &device.value, tls);
    let value = HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(SET_COOKIE, value);
    Ok(())
}

/// Sets (or with `None` clears) the session cookie on the response.
pub fn set_session_cookie(token: Option<&SessionToken>) -> Result<(), AppError> {
    let tls = services()?.config.server.tls;
    let value = match token {
        Some(t) => cookie::set(&t.encode(), tls),
        None => cookie::clear(tls),
    };
    let value = HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(SET_COOKIE, value);
    Ok(())
}
