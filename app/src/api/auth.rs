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

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::context::{client_info, services};
    use estafette_core::cookie;
    use http::header::{HeaderValue, SET_COOKIE};

    let services = services()?;
    let done = services
        .sign_in(
            &email,
            &secrecy::SecretString::from(password),
            &client_info(),
        )
        .await?;
    let set_cookie = cookie::set(&done.token.encode(), services.config.server.tls);
    let value = HeaderValue::from_str(&set_cookie).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(SET_COOKIE, value);
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{services, visitor};
    use estafette_core::cookie;
    use estafette_core::visitor::Visitor;
    use http::header::{HeaderValue, SET_COOKIE};

    let services = services()?;
    if let Visitor::SignedIn(s) | Visitor::Partial(s) = visitor() {
        services.end_session(&s.token.id_hash()).await?;
    }
    let value = HeaderValue::from_str(&cookie::clear(services.config.server.tls))
        .map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(SET_COOKIE, value);
    leptos_axum::redirect("/login");
    Ok(())
}
