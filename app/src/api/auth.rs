//! Signing in and out, the second factor, and the user's own password.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub is_admin: bool,
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use super::context::visitor;
    Ok(visitor().password_change().ok().map(|s| Me {
        email: s.session().account().email.clone(),
        is_admin: s.session().is_admin(),
    }))
}

/// Where a sign-in step leads (the page guard agrees; this saves a round trip
/// and covers the browser's client-side navigation).
#[cfg(feature = "ssr")]
fn next_page(done: &estafette_core::SignedInToken) -> &'static str {
    use estafette_core::visitor::Stage;
    match done.stage {
        Stage::SecondFactor => "/login/code",
        Stage::Enrol => "/enrol",
        Stage::Full if done.must_change_password => "/password",
        Stage::Full => "/",
    }
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::context::{client_info, services, set_device_cookie, set_session_cookie};
    let done = services()?
        .sign_in(
            &email,
            &secrecy::SecretString::from(password),
            &client_info(),
        )
        .await?;
    set_session_cookie(Some(&done.token))?;
    set_device_cookie(&done)?;
    leptos_axum::redirect(next_page(&done));
    Ok(())
}

/// The second step: a code from the authenticator app, or a recovery code.
#[server(prefix = "/api", endpoint = "verify_code")]
pub async fn verify_code(code: String) -> Result<(), AppError> {
    use super::context::{
        awaiting_code, client_info, services, set_device_cookie, set_session_cookie,
    };
    let session = awaiting_code()?;
    let done = services()?
        .verify_second_factor(&session, &code, &client_info())
        .await?;
    set_session_cookie(Some(&done.token))?;
    set_device_cookie(&done)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{services, set_session_cookie, visitor};
    if let Some(s) = visitor().any_session() {
        services()?.end_session(&s.key()).await?;
    }
    set_session_cookie(None)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use super::context::{services, set_session_cookie, signed_in};
    let me = signed_in()?;
    services()?.sign_out_everywhere(&me).await?;
    set_session_cookie(None)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    use super::context::{client_info, password_change, services};
    use secrecy::SecretString;
    let me = password_change()?;
    if new != confirm {
        return Err(
            estafette_core::CoreError::Invalid("the two new passwords differ".into()).into(),
        );
    }
    services()?
        .change_own_password(
            &me,
            &SecretString::from(current),
            &SecretString::from(new),
            &client_info(),
        )
        .await?;
    leptos_axum::redirect("/settings");
    Ok(())
}
