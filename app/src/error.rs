//! The errors a user can see, sent over the wire from server functions.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum AppError {
    #[error("Wrong email or password.")]
    WrongCredentials,
    #[error("Wrong authentication code.")]
    WrongCode,
    #[error("Too many failed attempts. Try again in {0} seconds.")]
    Locked(u64),
    #[error("This account is disabled. Ask your administrator.")]
    Disabled,
    #[error("Please sign in.")]
    NotSignedIn,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("{0}")]
    Invalid(String),
    #[error("The mail server cannot be reached right now. Try again in a moment.")]
    MailUnreachable,
    #[error("Something went wrong on the server. It has been logged.")]
    Internal,
    #[error("The server could not be reached ({0}). Nothing was lost; try again.")]
    Transport(String),
}

impl AppError {
    /// The message in the user's language.
    pub fn message(&self, t: &crate::i18n::Texts) -> String {
        match self {
            AppError::WrongCredentials => t.error_wrong_credentials.to_owned(),
            AppError::WrongCode => t.error_wrong_code.to_owned(),
            AppError::Locked(secs) => t.error_locked.replace("{seconds}", &secs.to_string()),
            AppError::Disabled => t.error_disabled.to_owned(),
            AppError::NotSignedIn => t.error_not_signed_in.to_owned(),
            AppError::Forbidden => t.error_forbidden.to_owned(),
            // The domain's own explanation, in the user's language.
            AppError::Invalid(m) => crate::i18n::translate(m, t),
            AppError::MailUnreachable => t.error_mail_unreachable.to_owned(),
            AppError::Internal => t.error_internal.to_owned(),
            AppError::Transport(_) => t.error_transport.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status of a server function that failed with this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::WrongCredentials | AppError::WrongCode | AppError::NotSignedIn => {
                S::UNAUTHORIZED
            }
            AppError::Locked(_) => S::TOO_MANY_REQUESTS,
            AppError::Disabled | AppError::Forbidden => S::FORBIDDEN,
            AppError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            AppError::MailUnreachable => S::BAD_GATEWAY,
            AppError::Internal | AppError::Transport(_) => S::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The one mapping from the domain's errors to what users see, and to the
/// response's status.
#[cfg(feature = "ssr")]
impl From<estafette_core::CoreError> for AppError {
    fn from(e: estafette_core::CoreError) -> Self {
        let error = Self::from_core(e);
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        error
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    fn from_core(e: estafette_core::CoreError) -> Self {
        use estafette_core::CoreError as C;
        match e {
            C::WrongCredentials => AppError::WrongCredentials,
            C::WrongCode => AppError::WrongCode,
            C::Locked(secs) => AppError::Locked(secs),
            C::Disabled => AppError::Disabled,
            C::NotSignedIn => AppError::NotSignedIn,
            C::Forbidden => AppError::Forbidden,
            C::Invalid(m) | C::TooLarge(m) => AppError::Invalid(m),
            C::MailUnreachable(detail) => {
                tracing::warn!(%detail, "mail server unreachable");
                AppError::MailUnreachable
            }
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::Internal
            }
        }
    }
}
