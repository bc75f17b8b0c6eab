//! What becomes of a held message the mail server did not take. A failure
//! that may pass — no connection (refused, reset, closed, timed out), a TLS
//! handshake that did not finish, a 4xx reply — is tried again: a minute
//! later, then each wait twice the last, up to an hour, for
//! `limits.send_retry_hours` after the message was due. Anything else — a
//! 5xx reply, a message or credential that cannot be read, an account
//! disabled — fails it for good, with the reason.

use estafette_mail::MailError;

use crate::sending::refusal;
use crate::CoreError;

/// The first wait, and the longest, in seconds.
const FIRST_WAIT: i64 = 60;
const LONGEST_WAIT: i64 = 3600;

/// Why a try failed, as the user reads it, and whether it may pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) reason: String,
    pub(crate) temporary: bool,
}

impl Failure {
    pub(crate) fn permanent(reason: impl Into<String>) -> Self {
        Failure {
            reason: reason.into(),
            temporary: false,
        }
    }
}

impl From<CoreError> for Failure {
    /// The database or the mail server out of reach may come back.
    fn from(e: CoreError) -> Self {
        let temporary = matches!(e, CoreError::Unavailable(_) | CoreError::MailUnreachable(_));
        Failure {
            reason: e.to_string(),
            temporary,
        }
    }
}

impl From<MailError> for Failure {
    fn from(e: MailError) -> Self {
        let temporary = match &e {
            MailError::Unreachable(..) | MailError::Tls(..) => true,
            MailError::SmtpReply { code, .. } => (400..500).contains(code),
            _ => false,
        };
        Failure {
            reason: refusal(e).to_string(),
            temporary,
        }
    }
}

/// The wait after the `attempts`-th try in a row failed (1 for the first).
fn wait_after(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    FIRST_WAIT.saturating_mul(1 << doublings).min(LONGEST_WAIT)
}

/// When to try again a message due at `due_at` whose `attempts`-th try
/// failed at `now`; `None`: it fails for good (the failure will not pass,
/// or `retry_hours` after it was due are over).
pub(crate) fn next_try(
    failure: &Failure,
    attempts: i64,
    due_at: i64,
    now: i64,
    retry_hours: u32,
) -> Option<i64> {
    let at = now + wait_after(attempts);
    (failure.temporary && at <= due_at + i64::from(retry_hours) * 3600).then_some(at)
}

/// The reason kept when tries stop after `retry_hours`.
pub(crate) fn given_up(failure: &Failure, retry_hours: u32) -> String {
    if failure.temporary {
        format!("Tried for {retry_hours} hours. {}", failure.reason)
    } else {
        failure.reason.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable() -> Failure {
        MailError::Unreachable(
            "127.0.0.1:9".into(),
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"),
        )
        .into()
    }

    fn reply(code: u16) -> Failure {
        MailError::SmtpReply {
            code,
            text: "5.1.1 <x@example.test>: Recipient address rejected".into(),
        }
        .into()
    }

    #[test]
    fn temporary_failures_wait_twice_as_long_each_time_up_to_an_hour() {
        let waits: Vec<i64> = (1..=8).map(wait_after).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(wait_after(1_000), 3600);
        let (due, now) = (1_000_000, 1_000_100);
        assert_eq!(next_try(&unreachable(), 1, due, now, 24), Some(now + 60));
        assert_eq!(next_try(&reply(451), 3, due, now, 24), Some(now + 240));
        assert!(reply(421).temporary);
    }

    #[test]
    fn tries_stop_after_the_configured_hours() {
        let due = 1_000_000;
        let late = due + 24 * 3600 - 30;
        assert_eq!(next_try(&unreachable(), 40, due, late, 24), None);
        assert_eq!(
            next_try(&unreachable(), 40, due, late, 25),
            Some(late + 3600)
        );
        let failure = unreachable();
        let reason = given_up(&failure, 24);
        assert!(reason.starts_with("Tried for 24 hours."), "{reason}");
        assert!(reason.contains("refused"), "{reason}");
    }

    #[test]
    fn permanent_failures_are_not_tried_again() {
        let refused = reply(550);
        assert!(!refused.temporary);
        assert_eq!(next_try(&refused, 1, 0, 10, 24), None);
        assert_eq!(
            refused.reason,
            "The mail server did not send the message: 550 5.1.1 <x@example.test>: Recipient address rejected"
        );
        assert_eq!(
            given_up(&refused, 24),
            refused.reason,
            "said as the server said it"
        );
        assert!(!Failure::from(MailError::BadMessage("unusable".into())).temporary);
        assert!(!Failure::permanent("The account is disabled.").temporary);
    }
}
