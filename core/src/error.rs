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
    /// An admin set the password: the user must choose their own first.
    #[error("choose a new password first")]
    PasswordChangeRequired,
    /// The account's outbound rate limit refused a send (see `sending_limit`).
    #[error("{0}")]
    SendingLimited(crate::sending_limit::SendingLimited),
    /// Too many requests of this kind at once, or in too short a time.
    #[error("too many requests; try again in a moment")]
    Busy,
    /// The request cannot be done as asked; the text says why, to the user.
    #[error("{0}")]
    Invalid(String),
    /// What the request names does not exist (a folder, a message, a part).
    #[error("{0}")]
    NotFound(String),
    #[error("the mail server is unreachable: {0}")]
    MailUnreachable(String),
    #[error("mail error: {0}")]
    Mail(MailError),
    /// The database cannot be reached (down, restarting, pool exhausted).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A file could not be scanned for viruses (clamd unreachable, or
    /// refusing it), and the configuration refuses such files.
    #[error("the file could not be scanned: {0}")]
    NotScanned(String),
    #[error(transparent)]
    Store(StoreError),
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
            MailError::NoSuchFolder(_) | MailError::NoSuchMessage(_) | MailError::NoSuchPart(_) => {
                CoreError::NotFound(e.to_string())
            }
            MailError::BadSearch(_) | MailError::BadFolderName(_) | MailError::BadMessage(_) => {
                CoreError::Invalid(e.to_string())
            }
            other => CoreError::Mail(other),
        }
    }
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        let unavailable = e.is_unavailable();
        if unavailable {
            CoreError::Unavailable(e.to_string())
        } else {
            CoreError::Store(e)
        }
    }
}
