//! Sign-in: password, then IMAP login as the same user, then a new session
//! whose row holds the mailbox password sealed under the cookie's token.

use estafette_auth::{verify_password, SessionToken};
use estafette_store::{AccountState, NewAuditEntry, NewSession, SessionStage};
use secrecy::{ExposeSecret, SecretString};

use crate::config::PasswordSource;
use crate::{ClientInfo, CoreError, Services};

/// A successful password step: the cookie to set and what comes next.
#[derive(Debug)]
pub struct SignedInToken {
    pub token: SessionToken,
    pub stage: SessionStage,
}

impl Services {
    pub(crate) async fn audit_client(
        &self,
        client: &ClientInfo,
        actor: Option<&str>,
        action: &str,
        detail: Option<&str>,
    ) {
        let entry = NewAuditEntry {
            actor,
            action,
            target: actor,
            client_address: client.address.as_deref(),
            detail,
        };
        if let Err(e) = self.store.audit(entry).await {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }

    pub async fn sign_in(
        &self,
        email: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<SignedInToken, CoreError> {
        let email = estafette_store::normalise_email(email);
        if email.is_empty() || password.expose_secret().is_empty() {
            return Err(CoreError::WrongCredentials);
        }
        let account = self.store.account_by_email(&email).await?;
        let verified = match self.config.auth.password_source {
            PasswordSource::Database => {
                verify_password(
                    account.as_ref().and_then(|a| a.password_hash.as_deref()),
                    password,
                )
                .await
            }
            // The IMAP server is the judge; the login below decides.
            PasswordSource::Imap => account.is_some(),
        };
        let Some(account) = account.filter(|_| verified) else {
            self.audit_client(
                client,
                Some(&email),
                "sign_in_failed",
                Some("wrong email or password"),
            )
            .await;
            return Err(CoreError::WrongCredentials);
        };
        if account.state == AccountState::Disabled {
            self.audit_client(
                client,
                Some(&email),
                "sign_in_failed",
                Some("account disabled"),
            )
            .await;
            return Err(CoreError::Disabled);
        }
        let imap = match self.mail.login(&account.email, password).await {
            Ok(imap) => imap,
            Err(CoreError::Mail(estafette_mail::MailError::Rejected)) => {
                self.audit_client(
                    client,
                    Some(&email),
                    "sign_in_failed",
                    Some("refused by the IMAP server"),
                )
                .await;
                return Err(CoreError::WrongCredentials);
            }
            Err(e) => {
                tracing::warn!(error = %e, "IMAP login failed during sign-in");
                return Err(e);
            }
        };
        let token = SessionToken::generate();
        let stage = SessionStage::Full;
        let sealed = token.seal(password.expose_secret());
        self.store
            .create_session(NewSession {
                id_hash: &token.id_hash(),
                account_id: account.id,
                stage,
                sealed_password: Some(&sealed),
                client_address: client.address.as_deref(),
                user_agent: client.user_agent.as_deref(),
            })
            .await?;
        self.mail.adopt(&token.id_hash(), imap).await;
        self.store.record_sign_in(account.id).await?;
        self.audit_client(client, Some(&account.email), "sign_in", None)
            .await;
        Ok(SignedInToken { token, stage })
    }
}
