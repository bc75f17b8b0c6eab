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
    Ok(visitor().signed_in().ok().map(|s| Me {
        email: s.0.account.email.clone(),
        is_admin: s.0.is_admin(),
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
    use super::context::{client_info, services, set_session_cookie};
    let done = services()?
        .sign_in(
            &email,
            &secrecy::SecretString::from(password),
            &client_info(),
        )
        .await?;
    set_session_cookie(Some(&done.token))?;
    leptos_axum::redirect(next_page(&done));
    Ok(())
}

/// The second step: a code from the authenticator app, or a recovery code.
#[server(prefix = "/api", endpoint = "verify_code")]
pub async fn verify_code(code: String) -> Result<(), AppError> {
    use super::context::{client_info, partial, services, set_session_cookie};
    let session = partial()?;
    let done = services()?
        .verify_second_factor(&session, &code, &client_info())
        .await?;
    set_session_cookie(Some(&done.token))?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{services, set_session_cookie, visitor};
    use estafette_core::visitor::Visitor;
    if let Visitor::SignedIn(s) | Visitor::Partial(s) = visitor() {
        services()?.end_session(&s.token.id_hash()).await?;
    }
    set_session_cookie(None)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use super::context::{services, set_session_cookie, signed_in};
    let me = signed_in()?;
    services()?.sign_out_everywhere(&me.0).await?;
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
    use super::context::{client_info, services, signed_in};
    use secrecy::SecretString;
    let me = signed_in()?;
    if new != confirm {
        return Err(
            estafette_core::CoreError::Invalid("the two new passwords differ".into()).into(),
        );
    }
    services()?
        .change_own_password(
            &me.0,
            &SecretString::from(current),
            &SecretString::from(new),
            &client_info(),
        )
        .await?;
    leptos_axum::redirect("/settings");
    Ok(())
}
