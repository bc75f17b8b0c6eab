//! The outbox: messages waiting for their time (the undo delay, or a send
//! later), claimed by one instance when due.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{now, Store, StoreError};

/// A message to hold until `due_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutgoing {
    pub account_id: i64,
    pub send_key: String,
    pub due_at: i64,
    pub scheduled: bool,
    pub subject: String,
    pub recipients: String,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub message: Vec<u8>,
    /// The sealed SMTP password.
    pub credential: String,
    /// The id of the key that sealed it.
    pub sealed_by: String,
}

/// Where a held message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sending,
    Failed,
}

/// A held message as its author's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub send_key: String,
    pub due_at: i64,
    pub scheduled: bool,
    pub subject: String,
    pub recipients: String,
    pub state: OutboxState,
    pub error: Option<String>,
}

/// A held message claimed for submission.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub account_id: i64,
    pub send_key: String,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub message: Vec<u8>,
    pub credential: String,
}

fn state_of(text: &str) -> OutboxState {
    match text {
        "sending" => OutboxState::Sending,
        "failed" => OutboxState::Failed,
        _ => OutboxState::Queued,
    }
}

fn held(r: &AnyRow) -> Result<Held, StoreError> {
    Ok(Held {
        send_key: r.try_get("send_key")?,
        due_at: r.try_get("due_at")?,
        scheduled: r.try_get::<i64, _>("scheduled")? != 0,
        subject: r.try_get("subject")?,
        recipients: r.try_get("recipients")?,
        state: state_of(&r.try_get::<String, _>("state")?),
        error: r.try_get("error")?,
    })
}

impl Store {
    /// Holds a message; a key already held for the account is replaced
    /// (a failed or rescheduled message sent again).
    pub async fn hold(&self, m: &NewOutgoing) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox (account_id, send_key, due_at, scheduled, subject, recipients, \
             mail_from, rcpt_to, message, credential, sealed_by, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'queued') \
             ON CONFLICT (account_id, send_key) DO UPDATE SET due_at = excluded.due_at, \
             scheduled = excluded.scheduled, subject = excluded.subject, \
             recipients = excluded.recipients, mail_from = excluded.mail_from, \
             rcpt_to = excluded.rcpt_to, message = excluded.message, \
             credential = excluded.credential, sealed_by = excluded.sealed_by, state = 'queued', error = NULL, claimed_at = NULL",
        )
        .bind(m.account_id)
        .bind(&m.send_key)
        .bind(m.due_at)
        .bind(i64::from(m.scheduled))
        .bind(&m.subject)
        .bind(&m.recipients)
        .bind(&m.mail_from)
        .bind(m.rcpt_to.join(" "))
        .bind(&m.message)
        .bind(&m.credential)
        .bind(&m.sealed_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes a held message back before it went out (undo, cancel, edit);
    /// false when it is no longer waiting (sent, or being sent).
    pub async fn take_back(&self, account_id: i64, key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE account_id = $1 AND send_key = $2 AND state <> 'sending'",
        )
        .bind(account_id)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The account's held messages, soonest first.
    pub async fn held(&self, account_id: i64) -> Result<Vec<Held>, StoreError> {
        let rows = sqlx::query(
            "SELECT send_key, due_at, scheduled, subject, recipients, state, error \
             FROM outbox WHERE account_id = $1 ORDER BY due_at, send_key",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(held).collect()
    }

    /// One held message of the account.
    pub async fn held_one(&self, account_id: i64, key: &str) -> Result<Option<Held>, StoreError> {
        let row = sqlx::query(
            "SELECT send_key, due_at, scheduled, subject, recipients, state, error \
             FROM outbox WHERE account_id = $1 AND send_key = $2",
        )
        .bind(account_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(held).transpose()
    }

    /// Claims up to `limit` messages due by `at` and sealed by key `sealed_by`
    /// for this instance: each is claimed by one instance only, however many
    /// look at once.
    pub async fn claim_due(
        &self,
        at: i64,
        sealed_by: &str,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let due = sqlx::query(
            "SELECT account_id, send_key FROM outbox \
             WHERE state = 'queued' AND due_at <= $1 AND sealed_by = $2 \
             ORDER BY due_at LIMIT $3",
        )
        .bind(at)
        .bind(sealed_by)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for r in due {
            let (account_id, key): (i64, String) =
                (r.try_get("account_id")?, r.try_get("send_key")?);
            let won = sqlx::query(
                "UPDATE outbox SET state = 'sending', claimed_at = $3 \
                 WHERE account_id = $1 AND send_key = $2 AND state = 'queued'",
            )
            .bind(account_id)
            .bind(&key)
            .bind(now())
            .execute(&self.pool)
            .await?
            .rows_affected()
                == 1;
            if !won {
                continue;
            }
            let row = sqlx::query(
                "SELECT mail_from, rcpt_to, message, credential FROM outbox \
                 WHERE account_id = $1 AND send_key = $2",
            )
            .bind(account_id)
            .bind(&key)
            .fetch_one(&self.pool)
            .await?;
            claimed.push(Claimed {
                account_id,
                send_key: key,
                mail_from: row.try_get("mail_from")?,
                rcpt_to: row
                    .try_get::<String, _>("rcpt_to")?
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                message: row.try_get("message")?,
                credential: row.try_get("credential")?,
            });
        }
        Ok(claimed)
    }

    /// A claimed message went out: it leaves the outbox.
    pub async fn sent_from_outbox(&self, account_id: i64, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox WHERE account_id = $1 AND send_key = $2")
            .bind(account_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A claimed message could not go out: it stays, failed, with the reason
    /// (its credential is dropped: nothing will send it without the user).
    pub async fn outbox_failed(
        &self,
        account_id: i64,
        key: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'failed', error = $3, credential = '' \
             WHERE account_id = $1 AND send_key = $2",
        )
        .bind(account_id)
        .bind(key)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages claimed before `before` and never finished (their instance
    /// stopped mid-send): failed, since whether they left is unknown.
    pub async fn fail_abandoned(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'failed', credential = '', \
             error = 'Sending was interrupted; check your Sent folder before sending again.' \
             WHERE state = 'sending' AND claimed_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
