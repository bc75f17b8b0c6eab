//! The outbound rate limit of each account, so that a stolen account cannot
//! become a spam relay: at most `limits.max_messages_per_hour` messages in
//! an hour window and `limits.max_recipients_per_day` recipients (To, Cc and
//! Bcc, as the envelope names them) in a day window, counted in the database
//! and so held across every instance.
//!
//! A message is counted at the moment its author sends it, whether it goes
//! out at once or waits in the outbox (the undo delay, send later), after
//! its send key is claimed (a repeated send is not counted again) and before
//! anything is submitted. One atomic statement reserves it (see
//! `estafette_store::Store::reserve_send`), so sends made at once are
//! counted as they arrive: with a limit of 5, fifty at once send 5.
//!
//! The windows are fixed and anchored at the account's first message: the
//! hour window begins with the first message after the previous one ended
//! and lasts an hour, the day window the same with a day. Within a window
//! no more than the maximum goes out; across the end of one and the start
//! of the next, at most twice the maximum in one window's time. Counting
//! starts again when a window ends, not bit by bit (a sliding window would
//! need a row per message, and a read and a write that concurrent sends
//! could interleave).
//!
//! The reservation is given back, with the send key, when the message did
//! not reach the mail server: SMTP refused or unreachable, a hold that
//! failed, a held message taken back (undo, cancel) or failed for good; so
//! failures do not use up the quota. A message that went out never gives
//! it back.
//!
//! A refused send starts a *limited period* (until the refusing window
//! ends): the user is told which limit and when they may send again (429),
//! one row of the audit log (`sending_limited`) counts the period's refusals,
//! and the admin area lists the account, "Sending limited since …", with a
//! reset (audited as `sending_limit_reset`).

use estafette_store::{
    now, NewAuditEntry, SendReservation, SendRules, REFUSED_MESSAGES, REFUSED_RECIPIENTS,
};

use crate::accounts::Actor;
use crate::visitor::{Admin, SignedIn};
use crate::{ClientInfo, CoreError, Services};

const HOUR_SECS: i64 = 3600;
const DAY_SECS: i64 = 24 * 3600;

/// Which limit a send met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendLimit {
    MessagesPerHour,
    RecipientsPerDay,
}

/// A send refused by the sending limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendingLimited {
    pub limit: SendLimit,
    /// The limit's maximum.
    pub max: u32,
    /// Seconds until the window that refused it ends.
    pub retry_after: u64,
}

impl std::fmt::Display for SendingLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.limit {
            SendLimit::MessagesPerHour => "messages per hour",
            SendLimit::RecipientsPerDay => "recipients per day",
        };
        write!(
            f,
            "the sending limit of {} {what} is reached; try again in {} seconds",
            self.max, self.retry_after
        )
    }
}

/// An account in a limited period, for the admin area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitedSender {
    pub email: String,
    pub since: i64,
    /// When the window that limits it ends.
    pub until: i64,
    /// Sends refused during the period.
    pub refused: i64,
}

impl Services {
    fn send_rules(&self) -> SendRules {
        let l = &self.config.limits;
        SendRules {
            max_messages: i64::from(l.max_messages_per_hour),
            max_recipients: i64::from(l.max_recipients_per_day),
            hour_secs: HOUR_SECS,
            day_secs: DAY_SECS,
        }
    }

    /// Counts a message of `recipients` recipients, whose send key `key` was
    /// just claimed, against the account's limits; refuses it (audited,
    /// once per limited period) when it does not fit. The caller gives the
    /// key back when refused, and when the message then does not go out.
    pub(crate) async fn reserve_sending(
        &self,
        who: &SignedIn,
        key: &str,
        recipients: usize,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let rules = self.send_rules();
        let max_recipients = self.config.limits.max_recipients_per_day;
        if recipients as u64 > u64::from(max_recipients) {
            tracing::warn!(
                recipients,
                "a message with more recipients than a day allows"
            );
            return Err(CoreError::Invalid(format!(
                "A message can have at most {max_recipients} recipients a day; this one has {recipients}."
            )));
        }
        let account = who.account();
        let t = now();
        let r = self
            .store
            .reserve_send(account.id, key, t, recipients as i64, rules)
            .await?;
        if r.accepted() {
            return Ok(());
        }
        let limited = self.limited(&r, t);
        tracing::warn!(limit = ?limited.limit, "a send was refused by the sending limit");
        self.count_send_refusal(&account.email, account.id, &r, &limited, client)
            .await;
        Err(CoreError::SendingLimited(limited))
    }

    /// What the user is told: the limit whose window ends last among those
    /// that refused, and when it ends.
    fn limited(&self, r: &SendReservation, t: i64) -> SendingLimited {
        let l = &self.config.limits;
        let by_messages = (r.refused & REFUSED_MESSAGES != 0).then(|| {
            (
                SendLimit::MessagesPerHour,
                l.max_messages_per_hour,
                r.hour_start + HOUR_SECS,
            )
        });
        let by_recipients = (r.refused & REFUSED_RECIPIENTS != 0).then(|| {
            (
                SendLimit::RecipientsPerDay,
                l.max_recipients_per_day,
                r.day_start + DAY_SECS,
            )
        });
        let (limit, max, until) = [by_messages, by_recipients]
            .into_iter()
            .flatten()
            .max_by_key(|(_, _, until)| *until)
            .unwrap_or((SendLimit::MessagesPerHour, l.max_messages_per_hour, t));
        SendingLimited {
            limit,
            max,
            retry_after: (until - t).max(1) as u64,
        }
    }

    /// The first refusal of a limited period writes an audit row; the next
    /// ones count in it.
    async fn count_send_refusal(
        &self,
        email: &str,
        account_id: i64,
        r: &SendReservation,
        limited: &SendingLimited,
        client: &ClientInfo,
    ) {
        let result = if r.refused_count == 1 {
            let detail = match limited.limit {
                SendLimit::MessagesPerHour => format!("{} messages per hour", limited.max),
                SendLimit::RecipientsPerDay => format!("{} recipients per day", limited.max),
            };
            let entry = NewAuditEntry {
                actor: Some(email),
                action: "sending_limited",
                target: Some(email),
                client_address: client.address.as_deref(),
                detail: Some(&detail),
            };
            match self.store.audit(entry).await {
                Ok(id) => self.store.name_send_refusals_row(account_id, id).await,
                Err(e) => Err(e),
            }
        } else {
            self.store.count_send_refusals(account_id).await
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "could not count a refused send in the audit log");
        }
    }

    /// The senders held by the limit now.
    pub(crate) async fn limited_now(&self) -> Result<Vec<LimitedSender>, CoreError> {
        Ok(self
            .store
            .limited_senders(now())
            .await?
            .into_iter()
            .map(|l| LimitedSender {
                email: l.email,
                since: l.limited_since,
                until: l.limited_until,
                refused: l.refused_count,
            })
            .collect())
    }

    /// Forgets an account's counts and limited period: it may send its
    /// whole quota again at once. Audited.
    pub async fn reset_sending_limit(
        &self,
        admin: &Admin,
        client: &ClientInfo,
        email: &str,
    ) -> Result<(), CoreError> {
        let account = self.store.account_by_email(email).await?.ok_or_else(|| {
            CoreError::Invalid(format!(
                "there is no account {}",
                estafette_store::normalise_email(email)
            ))
        })?;
        let had = self.store.reset_send_quota(account.id).await?;
        self.audit(
            Actor::admin(admin, client),
            "sending_limit_reset",
            &account.email,
            (!had).then_some("nothing was counted"),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_when_sending_is_possible_again() {
        let l = SendingLimited {
            limit: SendLimit::MessagesPerHour,
            max: 200,
            retry_after: 90,
        };
        assert_eq!(
            l.to_string(),
            "the sending limit of 200 messages per hour is reached; try again in 90 seconds"
        );
    }
}
