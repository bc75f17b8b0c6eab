//! The outbox: messages waiting for their time (the undo delay, or a send
//! later), claimed by one instance when due, and tried again later when the
//! mail server could not take them. A row names its message's file and the
//! directory that holds it; the bytes are not in the database.

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
    /// The message's file, by name, in the directory `stored_in` names.
    pub message_file: String,
    pub stored_in: String,
    /// The sealed SMTP password.
    pub credential: String,
    /// The id of the key that sealed it.
    pub sealed_by: String,
}

/// Where a held message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for its time (`retry_at` set: for another try).
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
    /// Why the last try failed (or why it failed for good).
    pub error: Option<String>,
    /// When it is tried again, after a temporary failure.
    pub retry_at: Option<i64>,
}

/// A held message claimed for submission.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub account_id: i64,
    pub send_key: String,
    pub due_at: i64,
    /// Tries that failed before this one.
    pub attempts: i64,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub message_file: String,
    pub credential: String,
}

fn state_of(text: &str) -> OutboxState {
    match text {
        "sending" => OutboxState::Sending,
        "failed" => OutboxState::Failed,
        _ => OutboxState::Queued,
    }
}

const HELD_COLUMNS: &str =
    "send_key, due_at, scheduled, subject, recipients, state, error, retry_at";

fn held(r: &AnyRow) -> Result<Held, StoreError> {
    Ok(Held {
        send_key: r.try_get("send_key")?,
        due_at: r.try_get("due_at")?,
        scheduled: r.try_get::<i64, _>("scheduled")? != 0,
        subject: r.try_get("subject")?,
        recipients: r.try_get("recipients")?,
        state: state_of(&r.try_get::<String, _>("state")?),
        error: r.try_get("error")?,
        retry_at: r.try_get("retry_at")?,
    })
}

impl Store {
    /// Holds a message, unless the account holds `max_held` already (then
    /// false); a key already held for the account is replaced (a failed or
    /// rescheduled message sent again) and is not counted twice. Holds of
    /// one account are counted one after the other, however many arrive at
    /// once: the account's row is locked first, by a write that changes
    /// nothing (a row lock on PostgreSQL, the write lock on SQLite).
    pub async fn hold(&self, m: &NewOutgoing, max_held: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET id = id WHERE id = $1")
            .bind(m.account_id)
            .execute(&mut *tx)
            .await?;
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE account_id = $1 AND send_key <> $2",
        )
        .bind(m.account_id)
        .bind(&m.send_key)
        .fetch_one(&mut *tx)
        .await?;
        if others >= max_held {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO outbox (account_id, send_key, due_at, scheduled, subject, recipients, \
             mail_from, rcpt_to, message_file, stored_in, credential, sealed_by, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'queued') \
             ON CONFLICT (account_id, send_key) DO UPDATE SET due_at = excluded.due_at, \
             scheduled = excluded.scheduled, subject = excluded.subject, \
             recipients = excluded.recipients, mail_from = excluded.mail_from, \
             rcpt_to = excluded.rcpt_to, message_file = excluded.message_file, \
             stored_in = excluded.stored_in, credential = excluded.credential, \
             sealed_by = excluded.sealed_by, state = 'queued', error = NULL, \
             claimed_at = NULL, attempts = 0, retry_at = NULL",
        )
        .bind(m.account_id)
        .bind(&m.send_key)
        .bind(m.due_at)
        .bind(i64::from(m.scheduled))
        .bind(&m.subject)
        .bind(&m.recipients)
        .bind(&m.mail_from)
        .bind(m.rcpt_to.join(" "))
        .bind(&m.message_file)
        .bind(&m.stored_in)
        .bind(&m.credential)
        .bind(&m.sealed_by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Takes a held message back before it went out (undo, cancel, edit):
    /// the name of its file (empty once failed), or `None` when it is no
    /// longer waiting (sent, or being sent).
    pub async fn take_back(
        &self,
        account_id: i64,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "DELETE FROM outbox WHERE account_id = $1 AND send_key = $2 AND state <> 'sending' \
             RETURNING message_file",
        )
        .bind(account_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account's held messages, soonest first.
    pub async fn held(&self, account_id: i64) -> Result<Vec<Held>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {HELD_COLUMNS} FROM outbox WHERE account_id = $1 ORDER BY due_at, send_key"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(held).collect()
    }

    /// One held message of the account.
    pub async fn held_one(&self, account_id: i64, key: &str) -> Result<Option<Held>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {HELD_COLUMNS} FROM outbox WHERE account_id = $1 AND send_key = $2"
        )))
        .bind(account_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(held).transpose()
    }

    /// Messages waiting in the outbox (queued or being sent), and when the
    /// one due first was due (or is to be tried again), of all accounts.
    pub async fn outbox_depth(&self) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS waiting, MIN(COALESCE(retry_at, due_at)) AS first_due \
             FROM outbox WHERE state IN ('queued', 'sending')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("waiting")?, row.try_get("first_due")?))
    }

    /// Claims up to `limit` messages due by `at` (or due for another try),
    /// sealed by key `sealed_by` and stored in directory `stored_in`, for
    /// this instance: each is claimed by one instance only, however many
    /// look at once.
    pub async fn claim_due(
        &self,
        at: i64,
        sealed_by: &str,
        stored_in: &str,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let due = sqlx::query(
            "SELECT account_id, send_key FROM outbox \
             WHERE state = 'queued' AND COALESCE(retry_at, due_at) <= $1 \
             AND sealed_by = $2 AND stored_in = $3 \
             ORDER BY COALESCE(retry_at, due_at) LIMIT $4",
        )
        .bind(at)
        .bind(sealed_by)
        .bind(stored_in)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for r in due {
            let (account_id, key): (i64, String) =
                (r.try_get("account_id")?, r.try_get("send_key")?);
            let row = sqlx::query(
                "UPDATE outbox SET state = 'sending', claimed_at = $3 \
                 WHERE account_id = $1 AND send_key = $2 AND state = 'queued' \
                 RETURNING due_at, attempts, mail_from, rcpt_to, message_file, credential",
            )
            .bind(account_id)
            .bind(&key)
            .bind(now())
            .fetch_optional(&self.pool)
            .await?;
            // Another instance won it.
            let Some(row) = row else { continue };
            claimed.push(Claimed {
                account_id,
                send_key: key,
                due_at: row.try_get("due_at")?,
                attempts: row.try_get("attempts")?,
                mail_from: row.try_get("mail_from")?,
                rcpt_to: row
                    .try_get::<String, _>("rcpt_to")?
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                message_file: row.try_get("message_file")?,
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

    /// A claimed message could not go out this time: it waits again, for
    /// another try at `retry_at`, with the reason.
    pub async fn retry_later(
        &self,
        account_id: i64,
        key: &str,
        retry_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'queued', claimed_at = NULL, attempts = attempts + 1, \
             retry_at = $3, error = $4 \
             WHERE account_id = $1 AND send_key = $2 AND state = 'sending'",
        )
        .bind(account_id)
        .bind(key)
        .bind(retry_at)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A claimed message could not go out: it stays, failed, with the reason
    /// (its credential and file are dropped: nothing will send it without
    /// the user).
    pub async fn outbox_failed(
        &self,
        account_id: i64,
        key: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'failed', error = $3, credential = '', \
             message_file = '', retry_at = NULL \
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
    /// stopped mid-send): failed, since whether they left is unknown. Their
    /// files are no longer named (each instance sweeps its directory).
    pub async fn fail_abandoned(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'failed', credential = '', message_file = '', \
             retry_at = NULL, \
             error = 'Sending was interrupted; check your Sent folder before sending again.' \
             WHERE state = 'sending' AND claimed_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The files that messages held in directory `stored_in` name.
    pub async fn held_files(&self, stored_in: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT message_file FROM outbox WHERE stored_in = $1 AND message_file <> ''",
        )
        .bind(stored_in)
        .fetch_all(&self.pool)
        .await?)
    }
}
