use estafette_mail::MailError;
use estafette_store::StoreError;
use thiserror::Error;

/// What the domain reports. The HTTP and UI layers map it once to what users see.
#[derive(Debug, Error)]
pub enum CoreError {
    /// Wrong address or password (never says which).
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("wrong authentication code")]
    WrongCode,
    #[error("this account is disabled")]
    Disabled,
    #[error("too many failed attempts; try again in {0} seconds")]
    Locked(u64),
    #[error("not signed in")]
    NotSignedIn,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    Invalid(String),
    #[error("the mail server is unreachable: {0}")]
    MailUnreachable(String),
    #[error("mail error: {0}")]
    Mail(MailError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    TooLarge(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<MailError> for CoreError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Unreachable(..) | MailError::Tls(..) => {
                CoreError::MailUnreachable(e.to_string())
            }
            MailError::NoSuchFolder(_)
            | MailError::NoSuchMessage(_)
            | MailError::NoSuchPart(_)
            | MailError::BadSearch(_)
            | MailError::BadFolderName(_)
            | MailError::BadMessage(_) => CoreError::Invalid(e.to_string()),
            other => CoreError::Mail(other),
        }
    }
}
