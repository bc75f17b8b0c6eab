//! Who is making a request, as resolved from the session cookie by the server.
//!
//! The proofs (`SignedIn`, `Admin`, `PasswordChange`) and the `Session` they
//! carry have private fields: only this crate makes them, from a session row
//! it has just checked. The domain's operations take them by reference, so a
//! caller that forgot to check who is asking does not compile.

pub use estafette_auth::SessionToken;
use estafette_store::Account;
pub use estafette_store::SessionStage as Stage;
pub use estafette_store::{AccountState, AuditFilter, Role};

use crate::CoreError;

/// A request's session, resolved once per request and put in its extensions.
#[derive(Debug, Clone)]
pub enum Visitor {
    Anonymous,
    /// Password checked, sign-in not complete (second factor or enrolment due).
    Partial(Session),
    SignedIn(Session),
}

/// A session row the domain has resolved and checked (time-outs, account state).
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) token: SessionToken,
    pub(crate) account: Account,
    pub(crate) stage: Stage,
    pub(crate) sealed_password: Option<String>,
}

impl Session {
    pub fn account(&self) -> &Account {
        &self.account
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn is_admin(&self) -> bool {
        self.account.role == Role::Admin
    }

    /// The session's key in the database (the hash of its token, never the token).
    pub fn key(&self) -> String {
        self.token.id_hash()
    }

    /// An admin set this account's password: until the user chooses their
    /// own, only changing it and signing out are allowed.
    pub fn must_change_password(&self) -> bool {
        self.account.must_change_password
    }
}

/// Proof that the request comes from a fully signed-in, active account that
/// may use its mail (its password is its own).
#[derive(Debug, Clone)]
pub struct SignedIn(pub(crate) Session);

impl SignedIn {
    pub fn session(&self) -> &Session {
        &self.0
    }

    pub fn account(&self) -> &Account {
        &self.0.account
    }
}

/// Proof that the request comes from a signed-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub(crate) SignedIn);

impl Admin {
    pub fn signed_in(&self) -> &SignedIn {
        &self.0
    }

    pub fn account(&self) -> &Account {
        self.0.account()
    }
}

/// Proof that the request comes from a fully signed-in account, whether or
/// not it must change its password first: what changing it needs.
#[derive(Debug, Clone)]
pub struct PasswordChange(pub(crate) Session);

impl PasswordChange {
    pub fn session(&self) -> &Session {
        &self.0
    }
}

/// Proof that the request comes from a session that may enrol in two-factor
/// sign-in: a full one, or one sent to enrolment by the admin's policy.
#[derive(Debug, Clone)]
pub struct Enrolling(pub(crate) Session);

impl Enrolling {
    pub fn session(&self) -> &Session {
        &self.0
    }
}

/// Proof that the request comes from a session waiting for its second factor.
#[derive(Debug, Clone)]
pub struct AwaitingCode(pub(crate) Session);

impl AwaitingCode {
    pub fn session(&self) -> &Session {
        &self.0
    }
}

impl Visitor {
    pub fn signed_in(&self) -> Result<SignedIn, CoreError> {
        match self {
            Visitor::SignedIn(s) if s.must_change_password() => {
                Err(CoreError::PasswordChangeRequired)
            }
            Visitor::SignedIn(s) => Ok(SignedIn(s.clone())),
            _ => Err(CoreError::NotSignedIn),
        }
    }

    pub fn admin(&self) -> Result<Admin, CoreError> {
        let who = self.signed_in()?;
        if who.0.is_admin() {
            Ok(Admin(who))
        } else {
            Err(CoreError::Forbidden)
        }
    }

    pub fn password_change(&self) -> Result<PasswordChange, CoreError> {
        match self {
            Visitor::SignedIn(s) => Ok(PasswordChange(s.clone())),
            _ => Err(CoreError::NotSignedIn),
        }
    }

    pub fn enrolling(&self) -> Result<Enrolling, CoreError> {
        match self {
            Visitor::SignedIn(s) if s.must_change_password() => {
                Err(CoreError::PasswordChangeRequired)
            }
            Visitor::SignedIn(s) => Ok(Enrolling(s.clone())),
            Visitor::Partial(s) if s.stage == Stage::Enrol => Ok(Enrolling(s.clone())),
            _ => Err(CoreError::NotSignedIn),
        }
    }

    pub fn awaiting_code(&self) -> Result<AwaitingCode, CoreError> {
        match self {
            Visitor::Partial(s) if s.stage == Stage::SecondFactor => Ok(AwaitingCode(s.clone())),
            _ => Err(CoreError::NotSignedIn),
        }
    }

    /// The session of whoever holds one, at any stage (to end it).
    pub fn any_session(&self) -> Option<&Session> {
        match self {
            Visitor::Anonymous => None,
            Visitor::Partial(s) | Visitor::SignedIn(s) => Some(s),
        }
    }
}
