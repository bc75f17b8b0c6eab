//! The errors a user can see, sent over the wire from server functions and
//! the server's own routes alike (JSON, the same encoding). On the server
//! there is one mapping from the domain's errors (`From<CoreError>`) and one
//! from an error to its HTTP status (`status`); the server applies the
//! status to every response that carries an error, however it was made.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which of the account's sending limits refused a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendLimit {
    MessagesPerHour,
    RecipientsPerDay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum AppError {
    #[error("Wrong email or password.")]
    WrongCredentials,
    #[error("Wrong authentication code.")]
    WrongCode,
    #[error("Too many failed attempts. Try again in {0} seconds.")]
    Locked(u64),
    #[error("Too many requests at once. Try again in a moment.")]
    Busy,
    /// The account's outbound rate limit (`max` of `limit`) refused a send;
    /// sending is possible again in `seconds`.
    #[error("You have reached your sending limit. Try again in {seconds} seconds.")]
    SendingLimited {
        limit: SendLimit,
        max: u32,
        seconds: u64,
    },
    #[error("This account is disabled. Ask your administrator.")]
    Disabled,
    #[error("Please sign in.")]
    NotSignedIn,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("Choose a new password first.")]
    PasswordChangeRequired,
    /// The domain refused the request; its explanation.
    #[error("{0}")]
    Invalid(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    TooLarge(String),
    /// The request itself is malformed (a missing or mistyped argument).
    #[error("This request was not understood: {0}")]
    BadRequest(String),
    #[error("The mail server cannot be reached right now. Try again in a moment.")]
    MailUnreachable,
    #[error("Estafette cannot reach its database right now. Try again in a moment.")]
    Unavailable,
    #[error("This file could not be scanned for viruses right now, so it is held back. Try again later.")]
    NotScanned,
    #[error("Something went wrong on the server. It has been logged.")]
    Internal,
    /// Made by the browser when the server could not be reached.
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
            AppError::Busy => t.error_busy.to_owned(),
            AppError::SendingLimited {
                limit,
                max,
                seconds,
            } => {
                let template = match limit {
                    SendLimit::MessagesPerHour => t.error_sending_limited_messages,
                    SendLimit::RecipientsPerDay => t.error_sending_limited_recipients,
                };
                // The values hold no brace: one replacement after the other is safe.
                template
                    .replace("{max}", &crate::i18n::number_in(u64::from(*max), t))
                    .replace("{wait}", &wait(*seconds, t))
            }
            AppError::Disabled => t.error_disabled.to_owned(),
            AppError::NotSignedIn => t.error_not_signed_in.to_owned(),
            AppError::Forbidden => t.error_forbidden.to_owned(),
            AppError::PasswordChangeRequired => t.error_password_change_required.to_owned(),
            // The domain's own explanation, in the user's language.
            AppError::Invalid(m) | AppError::NotFound(m) | AppError::TooLarge(m) => {
                crate::i18n::translate(m, t)
            }
            AppError::BadRequest(reason) => t.error_bad_request.replace("{reason}", reason),
            AppError::MailUnreachable => t.error_mail_unreachable.to_owned(),
            AppError::Unavailable => t.error_unavailable.to_owned(),
            AppError::NotScanned => t.error_not_scanned.to_owned(),
            AppError::Internal => t.error_internal.to_owned(),
            AppError::Transport(_) => t.error_transport.to_owned(),
        }
    }

    /// How long to wait before asking again, when the error says
    /// (the `Retry-After` of its response).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Locked(secs) | AppError::SendingLimited { seconds: secs, .. } => Some(*secs),
            _ => None,
        }
    }

    /// The error a response's body carries, if it is one of ours.
    pub fn from_body(body: &[u8]) -> Option<AppError> {
        serde_json::from_slice(body).ok()
    }

    /// The body of a response carrying this error.
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "\"Internal\"".into())
    }
}

/// A wait, in whole minutes rounded up: `12 min`, `3 h 05 min`.
fn wait(seconds: u64, t: &crate::i18n::Texts) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    if minutes < 60 {
        t.wait_minutes.replace("{minutes}", &minutes.to_string())
    } else {
        t.wait_hours
            .replace("{hours}", &(minutes / 60).to_string())
            .replace("{minutes}", &format!("{:02}", minutes % 60))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server: the call's arguments could not be read.
            ServerFnErrorErr::Args(reason) | ServerFnErrorErr::MissingArg(reason) => {
                AppError::BadRequest(reason)
            }
            // On the server, a body that is not the call's JSON; in the
            // browser, an answer that is not ours (the transport's fault).
            ServerFnErrorErr::Deserialization(reason) if cfg!(feature = "ssr") => {
                AppError::BadRequest(reason)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status of a response that carries this error: the one table.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::WrongCredentials | AppError::WrongCode | AppError::NotSignedIn => {
                S::UNAUTHORIZED
            }
            AppError::Locked(_) | AppError::Busy | AppError::SendingLimited { .. } => {
                S::TOO_MANY_REQUESTS
            }
            AppError::Disabled | AppError::Forbidden | AppError::PasswordChangeRequired => {
                S::FORBIDDEN
            }
            AppError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => S::NOT_FOUND,
            AppError::TooLarge(_) => S::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(_) => S::BAD_REQUEST,
            AppError::MailUnreachable => S::BAD_GATEWAY,
            AppError::Unavailable | AppError::NotScanned => S::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Transport(_) => S::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The one mapping from the domain's errors to what users see. The detail
/// of what is not the user's to know goes to the log only.
#[cfg(feature = "ssr")]
impl From<estafette_core::CoreError> for AppError {
    fn from(e: estafette_core::CoreError) -> Self {
        use estafette_core::CoreError as C;
        match e {
            C::WrongCredentials => AppError::WrongCredentials,
            C::WrongCode => AppError::WrongCode,
            C::Locked(secs) => AppError::Locked(secs),
            C::Busy => AppError::Busy,
            C::SendingLimited(l) => AppError::SendingLimited {
                limit: match l.limit {
                    estafette_core::sending_limit::SendLimit::MessagesPerHour => {
                        SendLimit::MessagesPerHour
                    }
                    estafette_core::sending_limit::SendLimit::RecipientsPerDay => {
                        SendLimit::RecipientsPerDay
                    }
                },
                max: l.max,
                seconds: l.retry_after,
            },
            C::Disabled => AppError::Disabled,
            C::NotSignedIn => AppError::NotSignedIn,
            C::Forbidden => AppError::Forbidden,
            C::PasswordChangeRequired => AppError::PasswordChangeRequired,
            C::Invalid(m) => AppError::Invalid(m),
            C::NotFound(m) => AppError::NotFound(m),
            C::TooLarge(m) => AppError::TooLarge(m),
            C::MailUnreachable(detail) => {
                tracing::warn!(%detail, "mail server unreachable");
                AppError::MailUnreachable
            }
            C::Unavailable(detail) => {
                tracing::error!(%detail, "database unavailable");
                AppError::Unavailable
            }
            C::NotScanned(detail) => {
                tracing::warn!(%detail, "a file could not be scanned");
                AppError::NotScanned
            }
            other @ (C::Mail(_) | C::Store(_) | C::Internal(_)) => {
                tracing::error!(error = %other, "request failed");
                AppError::Internal
            }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use estafette_core::sending_limit::{SendLimit as CoreLimit, SendingLimited};
    use estafette_core::CoreError as C;
    use estafette_core::MailError;

    /// Every variant of the domain's error: the status it answers and the body
    /// the browser receives. Details that are not the user's stay out.
    #[test]
    fn every_error_has_one_status_and_body() {
        let io = || std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let table: Vec<(C, u16, &str)> = vec![
            (C::WrongCredentials, 401, r#""WrongCredentials""#),
            (C::WrongCode, 401, r#""WrongCode""#),
            (C::NotSignedIn, 401, r#""NotSignedIn""#),
            (C::Locked(42), 429, r#"{"Locked":42}"#),
            (C::Busy, 429, r#""Busy""#),
            (
                C::SendingLimited(SendingLimited {
                    limit: CoreLimit::MessagesPerHour,
                    max: 200,
                    retry_after: 600,
                }),
                429,
                r#"{"SendingLimited":{"limit":"MessagesPerHour","max":200,"seconds":600}}"#,
            ),
            (
                C::SendingLimited(SendingLimited {
                    limit: CoreLimit::RecipientsPerDay,
                    max: 1000,
                    retry_after: 86_000,
                }),
                429,
                r#"{"SendingLimited":{"limit":"RecipientsPerDay","max":1000,"seconds":86000}}"#,
            ),
            (C::Disabled, 403, r#""Disabled""#),
            (C::Forbidden, 403, r#""Forbidden""#),
            (
                C::PasswordChangeRequired,
                403,
                r#""PasswordChangeRequired""#,
            ),
            (C::Invalid("no".into()), 422, r#"{"Invalid":"no"}"#),
            (C::NotFound("gone".into()), 404, r#"{"NotFound":"gone"}"#),
            (C::TooLarge("big".into()), 413, r#"{"TooLarge":"big"}"#),
            (
                C::MailUnreachable("10.0.0.1:993 refused".into()),
                502,
                r#""MailUnreachable""#,
            ),
            (
                C::Unavailable("postgres://u:secret@db".into()),
                503,
                r#""Unavailable""#,
            ),
            (
                C::NotScanned("clamd at /run/clamd.sock: refused".into()),
                503,
                r#""NotScanned""#,
            ),
            (
                C::Mail(MailError::Protocol("BAD".into())),
                500,
                r#""Internal""#,
            ),
            (C::Internal("key file".into()), 500, r#""Internal""#),
            // The mail layer's errors, through the domain.
            (
                C::from(MailError::NoSuchFolder("X".into())),
                404,
                r#"{"NotFound":"there is no folder `X`"}"#,
            ),
            (
                C::from(MailError::Unreachable("IMAP".into(), io())),
                502,
                r#""MailUnreachable""#,
            ),
            (
                C::from(MailError::BadSearch("bad".into())),
                422,
                r#"{"Invalid":"bad"}"#,
            ),
        ];
        for (core, status, body) in table {
            let shown = format!("{core:?}");
            let error = AppError::from(core);
            assert_eq!(error.status().as_u16(), status, "{shown}");
            assert_eq!(error.to_body(), body, "{shown}");
            assert_eq!(AppError::from_body(body.as_bytes()), Some(error), "{shown}");
        }
        assert_eq!(AppError::Locked(42).retry_after(), Some(42));
        assert_eq!(AppError::Busy.retry_after(), None);
        // Made outside the domain: the same table.
        assert_eq!(AppError::BadRequest("x".into()).status().as_u16(), 400);
        assert_eq!(AppError::Transport("x".into()).status().as_u16(), 500);
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `folder`".into())),
            AppError::BadRequest("missing field `folder`".into())
        );
    }

    #[test]
    fn a_sending_limit_says_which_and_how_long_in_each_language() {
        use crate::i18n::Locale;
        let limited = |limit, max, seconds| AppError::SendingLimited {
            limit,
            max,
            seconds,
        };
        let en = Locale::En.texts();
        let fr = Locale::Fr.texts();
        let hourly = limited(SendLimit::MessagesPerHour, 200, 601);
        assert_eq!(
            hourly.message(en),
            "You have sent 200 messages within an hour, the most your account may send. You can send again in 11 min."
        );
        assert_eq!(
            hourly.message(fr),
            "Vous avez envoyé 200 messages en une heure, le plus que votre compte peut envoyer. Vous pourrez envoyer de nouveau dans 11 min."
        );
        let daily = limited(SendLimit::RecipientsPerDay, 1000, 3 * 3600 + 4 * 60);
        assert_eq!(
            daily.message(en),
            "You have written to 1,000 recipients within a day, the most your account may write to. You can send again in 3 h 04 min."
        );
        assert!(
            daily.message(fr).contains("1\u{202f}000 destinataires"),
            "{}",
            daily.message(fr)
        );
        assert!(
            daily.message(fr).ends_with("dans 3 h 04 min."),
            "{}",
            daily.message(fr)
        );
        assert_eq!(
            limited(SendLimit::MessagesPerHour, 3, 1)
                .message(en)
                .rsplit(" in ")
                .next(),
            Some("1 min.")
        );
    }
}
