//! The admin area's API. Every function here is under `/api/admin/` and its
//! first line is `admin()?`: the server refuses anyone else (401 for
//! strangers, 403 for signed-in users). A test enumerates these endpoints.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub email: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub two_factor: bool,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// Set while the account's sending is limited (see `sending_limit`).
    pub sending_limited: Option<SendingLimitView>,
}

/// An account's limited period: since the first refused send, until the
/// window that limits it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendingLimitView {
    pub since: i64,
    pub until: i64,
    /// Sends refused during it.
    pub refused: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSettings {
    /// `optional`, `admins` or `everyone`.
    pub two_factor_policy: estafette_wire::TwoFactorPolicy,
    /// Unknown addresses that IMAP accepts get an account (IMAP password mode only).
    pub provision_unknown: bool,
    pub imap_checks_passwords: bool,
    /// Users' filters may forward outside the organisation's domains.
    pub forward_outside: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: String,
    pub detail: String,
}

#[cfg(feature = "ssr")]
fn actor<'a>(
    admin: &'a estafette_core::visitor::Admin,
    client: &'a estafette_core::ClientInfo,
) -> estafette_core::accounts::Actor<'a> {
    estafette_core::accounts::Actor::admin(admin, client)
}

#[server(prefix = "/api/admin", endpoint = "accounts")]
pub async fn admin_accounts(search: String) -> Result<Vec<AccountView>, AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    let rows = services()?
        .account_rows(actor(&admin, &client), &search)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.account, row.sending_limited))
        .map(|(a, limited)| AccountView {
            sending_limited: limited.map(|l| SendingLimitView {
                since: l.since,
                until: l.until,
                refused: l.refused,
            }),
            is_admin: a.role == estafette_core::visitor::Role::Admin,
            disabled: a.state == estafette_core::visitor::AccountState::Disabled,
            two_factor: a.totp_enabled,
            created_at: a.created_at,
            last_sign_in_at: a.last_sign_in_at,
            email: a.email,
        })
        .collect())
}

#[server(prefix = "/api/admin", endpoint = "create_account")]
pub async fn admin_create_account(
    email: String,
    password: String,
    make_admin: Option<String>,
) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    use estafette_core::visitor::Role;
    let admin = admin()?;
    let client = client_info();
    let role = if make_admin.is_some() {
        Role::Admin
    } else {
        Role::User
    };
    let password = (!password.is_empty()).then(|| secrecy::SecretString::from(password));
    services()?
        .create_account(actor(&admin, &client), &email, password.as_ref(), role)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "set_disabled")]
pub async fn admin_set_disabled(email: String, disabled: bool) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    use estafette_core::visitor::AccountState;
    let admin = admin()?;
    let client = client_info();
    let state = if disabled {
        AccountState::Disabled
    } else {
        AccountState::Active
    };
    services()?
        .set_state(actor(&admin, &client), &email, state)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "delete_account")]
pub async fn admin_delete_account(email: String) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .delete_account(actor(&admin, &client), &email)
        .await?;
    Ok(())
}

/// Sets a temporary password (the user chooses a new one at the next sign-in)
/// and ends the account's sessions.
#[server(prefix = "/api/admin", endpoint = "reset_password")]
pub async fn admin_reset_password(email: String, password: String) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .set_password(
            actor(&admin, &client),
            &email,
            &secrecy::SecretString::from(password),
        )
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "reset_two_factor")]
pub async fn admin_reset_two_factor(email: String) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .reset_two_factor(actor(&admin, &client), &email)
        .await?;
    Ok(())
}

/// Lifts an account's sending limit: its counts start again from nothing.
#[server(prefix = "/api/admin", endpoint = "reset_sending_limit")]
pub async fn admin_reset_sending_limit(email: String) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .reset_sending_limit(&admin, &client, &email)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "set_admin")]
pub async fn admin_set_admin(email: String, make_admin: bool) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    use estafette_core::visitor::Role;
    let admin = admin()?;
    let client = client_info();
    let role = if make_admin { Role::Admin } else { Role::User };
    services()?
        .set_role(actor(&admin, &client), &email, role)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "settings")]
pub async fn admin_get_settings() -> Result<AdminSettings, AppError> {
    use super::context::{admin, services};
    admin()?;
    let services = services()?;
    Ok(AdminSettings {
        two_factor_policy: services.two_factor_policy().await?,
        provision_unknown: services.provisioning_allowed().await?,
        imap_checks_passwords: services.config.auth.password_source
            == estafette_core::config::PasswordSource::Imap,
        forward_outside: services.forwarding_outside_allowed().await?,
    })
}

#[server(prefix = "/api/admin", endpoint = "set_two_factor_policy")]
pub async fn admin_set_two_factor_policy(
    policy: estafette_wire::TwoFactorPolicy,
) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .set_two_factor_policy(actor(&admin, &client), policy)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "set_provisioning")]
pub async fn admin_set_provisioning(allowed: bool) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .set_provisioning(actor(&admin, &client), allowed)
        .await?;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "set_forward_outside")]
pub async fn admin_set_forward_outside(allowed: bool) -> Result<(), AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    services()?
        .set_forwarding_outside(actor(&admin, &client), allowed)
        .await?;
    Ok(())
}

/// The audit log, newest first; every filter narrows it.
#[server(prefix = "/api/admin", endpoint = "audit")]
pub async fn admin_audit(
    who: String,
    action: String,
    address: String,
    since: String,
    until: String,
) -> Result<Vec<AuditView>, AppError> {
    use super::context::{admin, client_info, services};
    let admin = admin()?;
    let client = client_info();
    let some = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let period = estafette_core::audit::Period::parse(&since, &until)?;
    let filter = estafette_core::visitor::AuditFilter {
        who: some(who).map(|w| w.to_lowercase()),
        action: some(action),
        client_address: some(address),
        since: period.since,
        until: period.until,
        limit: 500,
    };
    let entries = services()?
        .audit_log(actor(&admin, &client), &filter)
        .await?;
    Ok(entries
        .into_iter()
        .map(|e| AuditView {
            at: e.at,
            actor: e.actor.unwrap_or_default(),
            action: e.action,
            target: e.target.unwrap_or_default(),
            address: e.client_address.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect())
}
