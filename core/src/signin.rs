//! Sign-in: throttle check, password, second factor or enrolment when due,
//! then an IMAP login as the same user and a new session whose row holds the
//! mailbox password sealed under the cookie's token.

use estafette_auth::device::{self, DeviceId};
use estafette_auth::{verify_password, SessionToken};
use estafette_mail::MailError;
use estafette_store::{Account, AccountState, NewAuditEntry, NewSession, Role, SessionStage};
use secrecy::{ExposeSecret, SecretString};

use crate::config::PasswordSource;
use crate::throttle::{AfterFailure, Attempt, OnSuccess, Policy};
use crate::{ClientInfo, CoreError, Services};

/// A successful step: the cookie to set and what comes next.
#[derive(Debug)]
pub struct SignedInToken {
    pub token: SessionToken,
    pub stage: SessionStage,
    /// An admin set the password: the user must choose a new one first.
    pub must_change_password: bool,
    /// A device cookie to give this browser (it signed in to the account
    /// for the first time).
    pub device_cookie: Option<DeviceCookie>,
}

/// A device cookie to set (see `estafette_auth::device`).
#[derive(Debug, Clone)]
pub struct DeviceCookie {
    pub name: String,
    pub value: String,
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
        let result = self.sign_in_checked(email, password, client).await;
        count_sign_in("password", &result);
        result
    }

    async fn sign_in_checked(
        &self,
        email: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<SignedInToken, CoreError> {
        let email = estafette_store::normalise_email(email);
        if email.is_empty() || password.expose_secret().is_empty() {
            return Err(CoreError::WrongCredentials);
        }
        let attempt = self
            .reserve(&self.password_keys(&email, client), client, &email)
            .await?;
        let (account, imap) = match self.check_password(&email, password).await {
            Ok(found) => {
                self.attempt_succeeded(attempt).await?;
                found
            }
            Err(CoreError::WrongCredentials) => {
                self.failed_sign_in(&email, attempt, client).await?;
                return Err(CoreError::WrongCredentials);
            }
            Err(e) => {
                self.attempt_not_judged(attempt).await?;
                return Err(e);
            }
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
        let stage = if account.totp_enabled {
            SessionStage::SecondFactor
        } else if crate::two_factor::required_by(self.two_factor_policy().await?, &account) {
            SessionStage::Enrol
        } else {
            return self
                .finish_sign_in(None, &account, password, imap, client)
                .await;
        };
        if let Some(mut imap) = imap {
            let _ = imap.logout().await;
        }
        let token = self.new_session(&account, stage, password, client).await?;
        self.audit_client(
            client,
            Some(&email),
            "sign_in_password_ok",
            Some(stage.as_str()),
        )
        .await;
        Ok(SignedInToken {
            token,
            stage,
            must_change_password: account.must_change_password,
            device_cookie: None,
        })
    }

    /// The device this browser proves it signed in to `email` from before.
    pub(crate) fn device_of(&self, email: &str, client: &ClientInfo) -> Option<DeviceId> {
        client
            .device_cookies
            .iter()
            .find_map(|value| device::verify(&self.device_key, email, value))
    }

    /// The keys a password for `email` counts against (see `throttle`): the
    /// browser's device if it has signed in to the account before, else the
    /// account's strangers and the client's address.
    fn password_keys(&self, email: &str, client: &ClientInfo) -> Vec<(String, Policy, OnSuccess)> {
        match self.device_of(email, client) {
            Some(d) => vec![(
                format!("device:{}", d.as_str()),
                self.sign_in_policy(false),
                OnSuccess::Clear,
            )],
            None => vec![
                (
                    format!("account:{email}"),
                    self.sign_in_policy(false),
                    OnSuccess::Clear,
                ),
                (
                    format!("address:{}", client.address.as_deref().unwrap_or("unknown")),
                    self.sign_in_policy(true),
                    OnSuccess::Release,
                ),
            ],
        }
    }

    /// Keeps the failure on every key, audits it, and the locks it caused.
    async fn failed_sign_in(
        &self,
        email: &str,
        attempt: Attempt,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        self.audit_client(
            client,
            Some(email),
            "sign_in_failed",
            Some("wrong email or password"),
        )
        .await;
        for after in self.attempt_failed(attempt).await? {
            if let AfterFailure::Locked(key, secs) = after {
                let detail = format!("{key} locked for {secs} s");
                self.audit_client(client, Some(email), "sign_in_lockout", Some(&detail))
                    .await;
            }
        }
        Ok(())
    }

    /// Checks the password where the configuration says; in IMAP mode the
    /// login it made is handed back for reuse, and unknown addresses are
    /// provisioned when the admin allows it.
    async fn check_password(
        &self,
        email: &str,
        password: &SecretString,
    ) -> Result<(Account, Option<estafette_mail::imap::ImapSession>), CoreError> {
        let account = self.store.account_by_email(email).await?;
        match self.config.auth.password_source {
            PasswordSource::Database => {
                let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
                match account {
                    Some(a) if verify_password(hash, password).await => Ok((a, None)),
                    _ => {
                        if hash.is_none() {
                            verify_password(None, password).await;
                        }
                        Err(CoreError::WrongCredentials)
                    }
                }
            }
            PasswordSource::Imap => {
                if account.is_none() && !self.may_provision(email).await? {
                    verify_password(None, password).await;
                    return Err(CoreError::WrongCredentials);
                }
                let imap = match self.mail.login(email, password).await {
                    Ok(imap) => imap,
                    Err(CoreError::Mail(MailError::Rejected)) => {
                        return Err(CoreError::WrongCredentials)
                    }
                    Err(e) => return Err(e),
                };
                let account = match account {
                    Some(a) => a,
                    None => {
                        let a = self.provision(email).await?;
                        tracing::info!(email, "provisioned an account on first sign-in");
                        a
                    }
                };
                Ok((account, Some(imap)))
            }
        }
    }

    /// Whether an address without an account may get one when the IMAP
    /// server accepts it: provisioning is on, the address is one, in a domain
    /// the configuration names, and not another name of an existing account's
    /// mailbox (a sub-address such as `alice+x@` beside `alice@`).
    async fn may_provision(&self, email: &str) -> Result<bool, CoreError> {
        if !self.provisioning_allowed().await? {
            return Ok(false);
        }
        let Ok(email) = crate::accounts::validate_email(email) else {
            return Ok(false);
        };
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Ok(false);
        };
        let listed = self
            .config
            .auth
            .provision_domains
            .iter()
            .any(|d| d.trim().eq_ignore_ascii_case(domain));
        if !listed {
            tracing::info!(
                domain,
                "sign-in refused: not a domain accounts are provisioned for"
            );
            return Ok(false);
        }
        if let Some((base, _)) = local.split_once('+') {
            if base.is_empty()
                || self
                    .store
                    .account_by_email(&format!("{base}@{domain}"))
                    .await?
                    .is_some()
            {
                tracing::info!("sign-in refused: a sub-address of an existing account");
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn provision(&self, email: &str) -> Result<Account, CoreError> {
        let account = self
            .store
            .create_account(estafette_store::NewAccount {
                email: email.to_owned(),
                password_hash: None,
                role: Role::User,
                must_change_password: false,
            })
            .await?;
        let entry = NewAuditEntry {
            actor: Some("imap"),
            action: "account_provisioned",
            target: Some(email),
            ..Default::default()
        };
        self.store.audit(entry).await?;
        Ok(account)
    }

    /// The last step of every sign-in: log into IMAP (or reuse the login just
    /// made), then a new session id, replacing the partial session if any.
    pub(crate) async fn finish_sign_in(
        &self,
        partial_key: Option<&str>,
        account: &Account,
        password: &SecretString,
        imap: Option<estafette_mail::imap::ImapSession>,
        client: &ClientInfo,
    ) -> Result<SignedInToken, CoreError> {
        let imap = match imap {
            Some(imap) => imap,
            None => match self.mail.login(&account.email, password).await {
                Ok(imap) => imap,
                Err(CoreError::Mail(MailError::Rejected)) => {
                    self.audit_client(
                        client,
                        Some(&account.email),
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
            },
        };
        let stage = SessionStage::Full;
        let token = self.new_session(account, stage, password, client).await?;
        if let Some(old) = partial_key {
            self.store.delete_session(old).await?;
        }
        self.mail.adopt(&token.id_hash(), imap).await;
        self.store.record_sign_in(account.id).await?;
        self.audit_client(client, Some(&account.email), "sign_in", None)
            .await;
        // A browser that signed in is a device of the account from now on.
        let device_cookie = match self.device_of(&account.email, client) {
            Some(_) => None,
            None => Some(DeviceCookie {
                name: device::cookie_name(&account.email),
                value: device::issue(&self.device_key, &account.email),
            }),
        };
        Ok(SignedInToken {
            token,
            stage,
            must_change_password: account.must_change_password,
            device_cookie,
        })
    }

    /// A new session row with a new token, the password sealed under it.
    async fn new_session(
        &self,
        account: &Account,
        stage: SessionStage,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<SessionToken, CoreError> {
        let token = SessionToken::generate();
        self.store
            .create_session(NewSession {
                id_hash: &token.id_hash(),
                account_id: account.id,
                stage,
                sealed_password: Some(&token.seal(password.expose_secret())),
                client_address: client.address.as_deref(),
                user_agent: client.user_agent.as_deref(),
            })
            .await?;
        Ok(token)
    }

    /// Re-authentication before a security change: the password again,
    /// counted like a sign-in's.
    pub(crate) async fn reauthenticate(
        &self,
        account: &Account,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let attempt = self
            .reserve(
                &self.password_keys(&account.email, client),
                client,
                &account.email,
            )
            .await?;
        let ok = match self.config.auth.password_source {
            PasswordSource::Database => {
                verify_password(account.password_hash.as_deref(), password).await
            }
            PasswordSource::Imap => match self.mail.login(&account.email, password).await {
                Ok(mut imap) => {
                    let _ = imap.logout().await;
                    true
                }
                Err(CoreError::Mail(MailError::Rejected)) => false,
                Err(e) => {
                    self.attempt_not_judged(attempt).await?;
                    return Err(e);
                }
            },
        };
        if ok {
            self.attempt_succeeded(attempt).await
        } else {
            self.failed_sign_in(&account.email, attempt, client).await?;
            Err(CoreError::WrongCredentials)
        }
    }
}

/// Counts a sign-in step by its outcome (`estafette_sign_ins_total`): a
/// success signs in fully, `password_ok` awaits the second factor.
pub(crate) fn count_sign_in(step: &'static str, result: &Result<SignedInToken, CoreError>) {
    let outcome = match result {
        Ok(t) if t.stage == SessionStage::Full => "success",
        Ok(_) => "password_ok",
        Err(CoreError::WrongCredentials) => "wrong_password",
        Err(CoreError::WrongCode) => "wrong_code",
        Err(CoreError::Locked(_) | CoreError::Busy) => "locked",
        Err(CoreError::Disabled) => "disabled",
        Err(_) => "error",
    };
    metrics::counter!("estafette_sign_ins_total", "step" => step, "outcome" => outcome)
        .increment(1);
}
