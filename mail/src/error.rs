use thiserror::Error;

/// What the mail path reports; the UI tells "unreachable" apart from "rejected".
#[derive(Debug, Error)]
pub enum MailError {
    #[error("the mail server {0} cannot be reached: {1}")]
    Unreachable(String, #[source] std::io::Error),
    #[error("secure connection to {0} failed: {1}")]
    Tls(String, String),
    #[error("the mail server refused the user name or password")]
    Rejected,
    #[error("plain-text connections are only allowed to loopback, not to {0}")]
    PlainNotLoopback(String),
    #[error("the mail server answered unexpectedly: {0}")]
    Protocol(String),
    #[error("the mail server refused the message: {0}")]
    Refused(String),
    /// An SMTP reply that is not a success (4xx or 5xx), as the server gave it.
    #[error("the mail server answered {code} {text}")]
    SmtpReply { code: u16, text: String },
    #[error("this is not a message: {0}")]
    Unparseable(String),
    #[error("there is no folder `{0}`")]
    NoSuchFolder(String),
    #[error("there is no message {0} in this folder (it may have been moved or deleted)")]
    NoSuchMessage(u32),
    #[error("this message has no part {0}")]
    NoSuchPart(String),
    #[error("{0}")]
    BadSearch(String),
    #[error("{0}")]
    BadFolderName(String),
    #[error("{0}")]
    BadMessage(String),
    /// The ManageSieve server's own words (a script's errors name their line).
    #[error("{0}")]
    ScriptRefused(String),
    #[error("{0}")]
    BadScriptName(String),
}

impl From<async_imap::error::Error> for MailError {
    fn from(e: async_imap::error::Error) -> Self {
        match e {
            async_imap::error::Error::Io(io) => MailError::Unreachable("IMAP".into(), io),
            async_imap::error::Error::ConnectionLost => MailError::Unreachable(
                "IMAP".into(),
                std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "connection lost"),
            ),
            other => MailError::Protocol(other.to_string()),
        }
    }
}
