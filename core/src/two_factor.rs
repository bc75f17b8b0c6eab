//! Two-factor sign-in: the admin's policy, enrolment (QR code and key,
//! confirmed by a first code), the second step of sign-in, recovery codes,
//! and turning it off (password and a code).

use estafette_auth::totp::{step_of, TotpSecret};
use estafette_auth::{recovery, seal};
use estafette_store::{now, Account, Role, SessionStage};
use secrecy::SecretString;

use crate::accounts::Actor;
use crate::signin::SignedInToken;
use crate::throttle::{AfterFailure, OnSuccess};
use crate::visitor::{AwaitingCode, Enrolling, Session, SignedIn};
use crate::{ClientInfo, CoreError, Services};

const POLICY_KEY: &str = "two_factor_policy";
const PROVISION_KEY: &str = "provision_unknown_imap_users";

pub use estafette_wire::TwoFactorPolicy;

/// Whether `policy` asks `account` for a second factor.
pub fn required_by(policy: TwoFactorPolicy, account: &Account) -> bool {
    match policy {
        TwoFactorPolicy::Optional => false,
        TwoFactorPolicy::Admins => account.role == Role::Admin,
        TwoFactorPolicy::Everyone => true,
    }
}

/// Where the account stands with two-factor sign-in.
#[derive(Debug, Clone, Copy)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
    /// The admin's policy requires it of this account.
    pub required: bool,
}

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub key: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

impl Services {
    pub async fn two_factor_policy(&self) -> Result<TwoFactorPolicy, CoreError> {
        let value = self.store.setting(POLICY_KEY).await?;
        Ok(value
            .as_deref()
            .and_then(TwoFactorPolicy::parse)
            .unwrap_or(TwoFactorPolicy::Optional))
    }

    pub async fn set_two_factor_policy(
        &self,
        actor: Actor<'_>,
        policy: TwoFactorPolicy,
    ) -> Result<(), CoreError> {
        self.store.set_setting(POLICY_KEY, policy.as_str()).await?;
        self.audit(
            actor,
            "two_factor_policy",
            "instance",
            Some(policy.as_str()),
        )
        .await;
        Ok(())
    }

    pub async fn provisioning_allowed(&self) -> Result<bool, CoreError> {
        Ok(self.store.setting(PROVISION_KEY).await?.as_deref() == Some("true"))
    }

    pub async fn set_provisioning(&self, actor: Actor<'_>, allowed: bool) -> Result<(), CoreError> {
        if allowed && self.config.auth.provision_domains.is_empty() {
            return Err(CoreError::Invalid(
                "name the domains to provision accounts for first (auth.provision_domains)".into(),
            ));
        }
        let value = if allowed { "true" } else { "false" };
        self.store.set_setting(PROVISION_KEY, value).await?;
        self.audit(actor, "imap_provisioning", "instance", Some(value))
            .await;
        Ok(())
    }

    fn secret_of(&self, account: &Account) -> Result<TotpSecret, CoreError> {
        let sealed = account.totp_secret.as_deref().ok_or(CoreError::WrongCode)?;
        let key =
            seal::unseal(&self.key, sealed).map_err(|e| CoreError::Internal(e.to_string()))?;
        TotpSecret::from_base32(&key)
            .ok_or_else(|| CoreError::Internal("damaged TOTP secret".into()))
    }

    /// Step one of enrolment, after the password again: a new secret, shown
    /// as a QR code and as text, not yet in force.
    pub async fn start_enrolment(
        &self,
        session: &Enrolling,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<Enrolment, CoreError> {
        let session = session.session();
        let account = &session.account;
        self.reauthenticate(account, password, client).await?;
        if account.totp_enabled {
            return Err(CoreError::Invalid(
                "two-factor sign-in is already on".into(),
            ));
        }
        let secret = TotpSecret::generate();
        self.store
            .set_pending_totp(account.id, &seal::seal(&self.key, &secret.to_base32()))
            .await?;
        Ok(Enrolment {
            key: secret.to_base32(),
            otpauth_url: secret.otpauth_url(&account.email),
            qr_svg: secret.qr_svg(&account.email),
        })
    }

    /// Step two: a first valid code turns it on and makes ten recovery codes,
    /// returned once. A session that was enrolling because of the policy is
    /// now fully signed in (with a new id, returned).
    pub async fn confirm_enrolment(
        &self,
        session: &Enrolling,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(Vec<String>, Option<SignedInToken>), CoreError> {
        let session = session.session();
        let account = self
            .store
            .account_by_id(session.account.id)
            .await?
            .ok_or(CoreError::NotSignedIn)?;
        if account.totp_enabled || account.totp_secret.is_none() {
            return Err(CoreError::Invalid("start the enrolment again".into()));
        }
        self.check_second_factor(&account, code, client).await?;
        self.store.enable_totp(account.id).await?;
        let codes = recovery::generate();
        let hashes: Vec<String> = codes.iter().map(|c| recovery::hash(c)).collect();
        self.store
            .replace_recovery_codes(account.id, &hashes)
            .await?;
        self.audit_client(client, Some(&account.email), "two_factor_enabled", None)
            .await;
        let upgraded = if session.stage == SessionStage::Enrol {
            let password = self.session_password(session)?;
            Some(
                self.finish_sign_in(
                    Some(&session.token.id_hash()),
                    &account,
                    &password,
                    None,
                    client,
                )
                .await?,
            )
        } else {
            None
        };
        Ok((codes, upgraded))
    }

    /// Turning it off takes the password and a current code (or a recovery code).
    pub async fn disable_two_factor(
        &self,
        who: &SignedIn,
        password: &SecretString,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let account = who.account();
        if !account.totp_enabled {
            return Err(CoreError::Invalid("two-factor sign-in is not on".into()));
        }
        if required_by(self.two_factor_policy().await?, account) {
            return Err(CoreError::Invalid(
                "your administrator requires two-factor sign-in".into(),
            ));
        }
        self.reauthenticate(account, password, client).await?;
        self.check_second_factor(account, code, client).await?;
        self.store.reset_totp(&account.email).await?;
        self.store.delete_recovery_codes(account.id).await?;
        self.audit_client(client, Some(&account.email), "two_factor_disabled", None)
            .await;
        Ok(())
    }

    /// The second step of sign-in: a TOTP code or a recovery code.
    pub async fn verify_second_factor(
        &self,
        session: &AwaitingCode,
        code: &str,
        client: &ClientInfo,
    ) -> Result<SignedInToken, CoreError> {
        let result = self.second_factor_checked(session, code, client).await;
        crate::signin::count_sign_in("code", &result);
        result
    }

    async fn second_factor_checked(
        &self,
        session: &AwaitingCode,
        code: &str,
        client: &ClientInfo,
    ) -> Result<SignedInToken, CoreError> {
        let session = session.session();
        self.check_second_factor(&session.account, code, client)
            .await?;
        let password = self.session_password(session)?;
        self.finish_sign_in(
            Some(&session.token.id_hash()),
            &session.account,
            &password,
            None,
            client,
        )
        .await
    }

    fn session_password(&self, session: &Session) -> Result<SecretString, CoreError> {
        let sealed = session
            .sealed_password
            .as_deref()
            .ok_or(CoreError::NotSignedIn)?;
        session
            .token
            .unseal(sealed)
            .map_err(|_| CoreError::NotSignedIn)
    }

    /// A TOTP code, or a recovery code (spent on use), reserved as an
    /// attempt before it is judged (see `throttle`): the account's code key
    /// for browsers that never signed in to it, the device's otherwise.
    async fn check_second_factor(
        &self,
        account: &Account,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let key = match self.device_of(&account.email, client) {
            Some(d) => format!("code:{}:device:{}", account.id, d.as_str()),
            None => format!("code:{}", account.id),
        };
        let keys = [(key, self.code_policy(), OnSuccess::Clear)];
        let attempt = self.reserve(&keys, client, &account.email).await?;
        let right = if recovery::looks_like(code) {
            self.recovery_code(account, code, client).await
        } else {
            self.totp_code(account, code).await
        };
        match right {
            Ok(true) => self.attempt_succeeded(attempt).await,
            Ok(false) => {
                self.audit_client(client, Some(&account.email), "second_factor_failed", None)
                    .await;
                for after in self.attempt_failed(attempt).await? {
                    if let AfterFailure::Locked(_, secs) = after {
                        let detail = format!("code entry locked for {secs} s");
                        self.audit_client(
                            client,
                            Some(&account.email),
                            "second_factor_lockout",
                            Some(&detail),
                        )
                        .await;
                    }
                }
                Err(CoreError::WrongCode)
            }
            Err(e) => {
                self.attempt_not_judged(attempt).await?;
                Err(e)
            }
        }
    }

    /// Spends a recovery code if it is one of the account's unused ones.
    async fn recovery_code(
        &self,
        account: &Account,
        code: &str,
        client: &ClientInfo,
    ) -> Result<bool, CoreError> {
        if !self
            .store
            .use_recovery_code(account.id, &recovery::hash(code))
            .await?
        {
            return Ok(false);
        }
        let left = self
            .store
            .unused_recovery_codes(account.id)
            .await?
            .to_string();
        self.audit_client(
            client,
            Some(&account.email),
            "recovery_code_used",
            Some(&left),
        )
        .await;
        Ok(true)
    }

    /// A TOTP code within ±1 step, accepted once: its step must be later
    /// than the last one used (the database decides, for every instance).
    async fn totp_code(&self, account: &Account, code: &str) -> Result<bool, CoreError> {
        let secret = self.secret_of(account)?;
        let t = now().max(0) as u64;
        match secret.verify(code, t) {
            Some(step) if self.store.claim_totp_step(account.id, step as i64).await? => Ok(true),
            Some(step) => {
                tracing::info!(step, current = step_of(t), "a TOTP code was replayed");
                Ok(false)
            }
            None => Ok(false),
        }
    }

    pub async fn two_factor_status(&self, who: &Enrolling) -> Result<TwoFactorStatus, CoreError> {
        let account = &who.session().account;
        Ok(TwoFactorStatus {
            enabled: account.totp_enabled,
            recovery_codes_left: self.store.unused_recovery_codes(account.id).await?,
            required: required_by(self.two_factor_policy().await?, account),
        })
    }
}
