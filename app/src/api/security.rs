//! The user's security settings: two-factor sign-in, sessions, history.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    /// The key in base32, to type into an app.
    pub key: String,
    /// The QR code, an SVG document as a data URL.
    pub qr_data_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub handle: String,
    pub current: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub address: String,
    pub device: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: i64,
    pub action: String,
    pub address: String,
    pub detail: String,
}

#[server(prefix = "/api", endpoint = "two_factor_status")]
pub async fn get_two_factor_status() -> Result<TwoFactorStatus, AppError> {
    use super::context::{enrolling, services};
    let me = enrolling()?;
    let status = services()?.two_factor_status(&me).await?;
    Ok(TwoFactorStatus {
        enabled: status.enabled,
        recovery_codes_left: status.recovery_codes_left,
        required: status.required,
    })
}

#[server(prefix = "/api", endpoint = "start_enrolment")]
pub async fn start_enrolment(password: String) -> Result<EnrolmentView, AppError> {
    use super::context::{client_info, enrolling, services};
    use base64::Engine;
    let me = enrolling()?;
    let e = services()?
        .start_enrolment(&me, &secrecy::SecretString::from(password), &client_info())
        .await?;
    let svg = base64::engine::general_purpose::STANDARD.encode(e.qr_svg.as_bytes());
    Ok(EnrolmentView {
        key: e.key,
        qr_data_url: format!("data:image/svg+xml;base64,{svg}"),
    })
}

/// Turns two-factor sign-in on; returns the ten recovery codes, shown once.
#[server(prefix = "/api", endpoint = "confirm_enrolment")]
pub async fn confirm_enrolment(code: String) -> Result<Vec<String>, AppError> {
    use super::context::{client_info, enrolling, services, set_device_cookie, set_session_cookie};
    let me = enrolling()?;
    let (codes, upgraded) = services()?
        .confirm_enrolment(&me, &code, &client_info())
        .await?;
    if let Some(done) = upgraded {
        set_session_cookie(Some(&done.token))?;
        set_device_cookie(&done)?;
    }
    Ok(codes)
}

#[server(prefix = "/api", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use super::context::{client_info, services, signed_in};
    let me = signed_in()?;
    services()?
        .disable_two_factor(
            &me,
            &secrecy::SecretString::from(password),
            &code,
            &client_info(),
        )
        .await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    use super::context::{services, signed_in};
    let me = signed_in()?;
    Ok(services()?
        .my_sessions(&me)
        .await?
        .into_iter()
        .map(|s| SessionView {
            handle: s.handle,
            current: s.current,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            address: s.client_address.unwrap_or_default(),
            device: s.user_agent.unwrap_or_default(),
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "revoke_session")]
pub async fn revoke_session(handle: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let me = signed_in()?;
    services()?.revoke_session(&me, &handle).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_in_history")]
pub async fn sign_in_history() -> Result<Vec<HistoryView>, AppError> {
    use super::context::{services, signed_in};
    let me = signed_in()?;
    Ok(services()?
        .sign_in_history(&me)
        .await?
        .into_iter()
        .map(|e| HistoryView {
            at: e.at,
            action: e.action,
            address: e.client_address.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect())
}
