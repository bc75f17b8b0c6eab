//! Who is making a request, as resolved from the session cookie by the server.

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

#[derive(Debug, Clone)]
pub struct Session {
    pub token: SessionToken,
    pub account: Account,
    pub stage: Stage,
    pub sealed_password: Option<String>,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.account.role == Role::Admin
    }
}

/// Proof that the request comes from a fully signed-in, active account.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Session);

/// Proof that the request comes from a signed-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub Session);

impl Visitor {
    pub fn signed_in(&self) -> Result<SignedIn, CoreError> {
        match self {
            Visitor::SignedIn(s) => Ok(SignedIn(s.clone())),
            _ => Err(CoreError::NotSignedIn),
        }
    }

    pub fn admin(&self) -> Result<Admin, CoreError> {
        let SignedIn(s) = self.signed_in()?;
        if s.is_admin() {
            Ok(Admin(s))
        } else {
            Err(CoreError::Forbidden)
        }
    }

    pub fn partial(&self) -> Result<Session, CoreError> {
        match self {
            Visitor::Partial(s) => Ok(s.clone()),
            _ => Err(CoreError::NotSignedIn),
        }
    }
}
