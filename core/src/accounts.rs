//! Account administration, shared by the CLI and the admin area. Every change
//! is written to the audit log with who made it.

use estafette_auth::hash_password;
use estafette_store::{Account, AccountState, NewAccount, NewAuditEntry, Role};
use secrecy::{ExposeSecret, SecretString};

use crate::visitor::{Admin, PasswordChange};
use crate::{password_policy, ClientInfo, CoreError, Services};

/// Who asks for a change: a signed-in admin (the proof is needed to make
/// one), or the command line, run by whoever holds the server's
/// configuration and database.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a>(Who<'a>);

#[derive(Debug, Clone, Copy)]
enum Who<'a> {
    CommandLine,
    Admin {
        admin: &'a Admin,
        client_address: Option<&'a str>,
    },
}

impl<'a> Actor<'a> {
    pub fn admin(admin: &'a Admin, client: &'a ClientInfo) -> Self {
        Actor(Who::Admin {
            admin,
            client_address: client.address.as_deref(),
        })
    }

    pub fn command_line() -> Self {
        Actor(Who::CommandLine)
    }

    fn name(&self) -> &str {
        match self.0 {
            Who::CommandLine => "cli",
            Who::Admin { admin, .. } => &admin.account().email,
        }
    }

    fn address(&self) -> Option<&str> {
        match self.0 {
            Who::CommandLine => None,
            Who::Admin { client_address, .. } => client_address,
        }
    }

    /// A password an admin sets is temporary; the command line sets a lasting one.
    fn is_admin(&self) -> bool {
        matches!(self.0, Who::Admin { .. })
    }
}

/// A plausible address: one `@`, something on each side, no spaces or controls.
pub fn validate_email(email: &str) -> Result<String, CoreError> {
    let email = estafette_store::normalise_email(email);
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && email.len() <= 254
                && !email
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:\\[]".contains(c))
        }
        None => false,
    };
    if ok {
        Ok(email)
    } else {
        Err(CoreError::Invalid(format!(
            "`{email}` is not an email address"
        )))
    }
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub account: Account,
    /// The sending limit holding it now, if one does.
    pub sending_limited: Option<crate::sending_limit::LimitedSender>,
}

impl Services {
    pub(crate) async fn audit(
        &self,
        actor: Actor<'_>,
        action: &str,
        target: &str,
        detail: Option<&str>,
    ) {
        let entry = NewAuditEntry {
            actor: Some(actor.name()),
            action,
            target: Some(target),
            client_address: actor.address(),
            detail,
        };
        if let Err(e) = self.store.audit(entry).await {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }

    /// Accounts whose address contains `search`, for an admin or the command line.
    pub async fn list_accounts(
        &self,
        _actor: Actor<'_>,
        search: &str,
    ) -> Result<Vec<Account>, CoreError> {
        Ok(self.store.list_accounts(search).await?)
    }

    /// The accounts matching `search`, each with the sending limit that
    /// holds it now, if one does: the admin's list.
    pub async fn account_rows(
        &self,
        actor: Actor<'_>,
        search: &str,
    ) -> Result<Vec<AccountRow>, CoreError> {
        let accounts = self.list_accounts(actor, search).await?;
        let limited = self.limited_now().await?;
        Ok(accounts
            .into_iter()
            .map(|account| AccountRow {
                sending_limited: limited.iter().find(|l| l.email == account.email).cloned(),
                account,
            })
            .collect())
    }

    async fn existing(&self, email: &str) -> Result<Account, CoreError> {
        self.store.account_by_email(email).await?.ok_or_else(|| {
            CoreError::Invalid(format!(
                "there is no account {}",
                estafette_store::normalise_email(email)
            ))
        })
    }

    /// Creates an account. A password set by an admin is temporary: the user
    /// chooses a new one at the next sign-in. The CLI sets a lasting one.
    pub async fn create_account(
        &self,
        actor: Actor<'_>,
        email: &str,
        password: Option<&SecretString>,
        role: Role,
    ) -> Result<Account, CoreError> {
        let email = validate_email(email)?;
        let password_hash = match password {
            Some(p) => {
                password_policy::check(p.expose_secret(), &email)?;
                Some(
                    hash_password(p)
                        .await
                        .map_err(|e| CoreError::Internal(e.to_string()))?,
                )
            }
            None => None,
        };
        let account = self
            .store
            .create_account(NewAccount {
                email: email.clone(),
                password_hash,
                role,
                must_change_password: actor.is_admin() && password.is_some(),
            })
            .await
            .map_err(|e| match e {
                estafette_store::StoreError::Duplicate(_) => {
                    CoreError::Invalid(format!("an account {email} already exists"))
                }
                other => other.into(),
            })?;
        self.audit(actor, "account_created", &email, Some(role.as_str()))
            .await;
        Ok(account)
    }

    /// Sets a new password and signs the account out everywhere.
    pub async fn set_password(
        &self,
        actor: Actor<'_>,
        email: &str,
        password: &SecretString,
    ) -> Result<(), CoreError> {
        let account = self.existing(email).await?;
        password_policy::check(password.expose_secret(), &account.email)?;
        let phc = hash_password(password)
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let temporary = actor.is_admin();
        self.store
            .set_password_hash(&account.email, &phc, temporary)
            .await?;
        self.end_sessions(account.id).await?;
        self.audit(actor, "password_reset", &account.email, None)
            .await;
        Ok(())
    }

    /// Disabling ends the account's sessions at once.
    pub async fn set_state(
        &self,
        actor: Actor<'_>,
        email: &str,
        state: AccountState,
    ) -> Result<(), CoreError> {
        let account = self.existing(email).await?;
        if state == AccountState::Disabled && account.role == Role::Admin {
            self.keep_an_admin(&account).await?;
        }
        self.store.set_account_state(&account.email, state).await?;
        if state == AccountState::Disabled {
            self.end_sessions(account.id).await?;
        }
        let action = match state {
            AccountState::Active => "account_enabled",
            AccountState::Disabled => "account_disabled",
        };
        self.audit(actor, action, &account.email, None).await;
        Ok(())
    }

    pub async fn delete_account(&self, actor: Actor<'_>, email: &str) -> Result<(), CoreError> {
        let account = self.existing(email).await?;
        if account.role == Role::Admin {
            self.keep_an_admin(&account).await?;
        }
        self.end_sessions(account.id).await?;
        self.store.delete_account(&account.email).await?;
        self.audit(actor, "account_deleted", &account.email, None)
            .await;
        Ok(())
    }

    pub async fn set_role(
        &self,
        actor: Actor<'_>,
        email: &str,
        role: Role,
    ) -> Result<(), CoreError> {
        let account = self.existing(email).await?;
        if role == Role::User && account.role == Role::Admin {
            self.keep_an_admin(&account).await?;
        }
        self.store.set_account_role(&account.email, role).await?;
        self.audit(actor, "role_changed", &account.email, Some(role.as_str()))
            .await;
        Ok(())
    }

    pub async fn reset_two_factor(&self, actor: Actor<'_>, email: &str) -> Result<(), CoreError> {
        let account = self.existing(email).await?;
        self.store.reset_totp(&account.email).await?;
        self.audit(actor, "two_factor_reset", &account.email, None)
            .await;
        Ok(())
    }

    /// Refuses to remove the last active admin.
    async fn keep_an_admin(&self, account: &Account) -> Result<(), CoreError> {
        if account.state == AccountState::Active && self.store.count_admins().await? <= 1 {
            return Err(CoreError::Invalid(format!(
                "{} is the last active admin; make another admin first",
                account.email
            )));
        }
        Ok(())
    }

    async fn end_sessions(&self, account_id: i64) -> Result<(), CoreError> {
        for s in self.store.sessions_of(account_id).await? {
            self.mail.close(&s.id_hash).await;
        }
        self.store.delete_sessions_of(account_id).await?;
        Ok(())
    }
}

impl Services {
    /// The user's own change: the current password, then the new one. Other
    /// sessions end; this one keeps going with the new password sealed in it.
    pub async fn change_own_password(
        &self,
        me: &PasswordChange,
        current: &SecretString,
        new: &SecretString,
        client: &crate::ClientInfo,
    ) -> Result<(), CoreError> {
        let me = me.session();
        if self.config.auth.password_source == crate::config::PasswordSource::Imap {
            return Err(CoreError::Invalid(
                "passwords are managed by your mail server".into(),
            ));
        }
        self.reauthenticate(&me.account, current, client).await?;
        password_policy::check(new.expose_secret(), &me.account.email)?;
        if current.expose_secret() == new.expose_secret() {
            return Err(CoreError::Invalid(
                "choose a password different from the current one".into(),
            ));
        }
        let phc = hash_password(new)
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        self.store
            .set_password_hash(&me.account.email, &phc, false)
            .await?;
        let current_key = me.token.id_hash();
        for s in self.store.sessions_of(me.account.id).await? {
            if s.id_hash != current_key {
                self.end_session(&s.id_hash).await?;
            }
        }
        self.store
            .set_sealed_password(&current_key, &me.token.seal(new.expose_secret()))
            .await?;
        self.mail.close(&current_key).await;
        self.audit_client(client, Some(&me.account.email), "password_changed", None)
            .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_addresses() {
        assert_eq!(
            validate_email(" Alice@Example.TEST ").ok().as_deref(),
            Some("alice@example.test")
        );
        for bad in [
            "",
            "alice",
            "@example.test",
            "alice@",
            "a b@c.d",
            "a@b@c",
            "a\r\n@b.c",
            "<a@b.c>",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
    }
}
