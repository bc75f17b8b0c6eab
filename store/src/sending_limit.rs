//! The outbound rate limit of each account, shared by every instance through
//! the database: messages per hour and recipients per day.
//!
//! Windows are fixed, and anchored at the account's first message: the hour
//! window begins with the first message sent after the previous hour window
//! ended, and lasts `hour_secs`; the day window the same way with
//! `day_secs`. Within a window, at most the maximum is accepted; when it
//! ends, the count starts again from nothing. Like any fixed window, two
//! windows in a row let through at most twice the maximum over a span of one
//! window (the end of one, the start of the next), never more; in exchange
//! the count is one row per account, reserved by one atomic statement.
//!
//! A send is *reserved* before it goes out, by one statement (a conditional
//! UPSERT … RETURNING): counted when it fits both windows, refused (and not
//! counted) otherwise; so sends made at once, on any number of instances,
//! are counted as they arrive and no more than the maximum are accepted.
//! The windows a reservation counted in are written on its send key's row
//! (`sends`): a message that did not go out (the mail server refused it or
//! could not be reached, it was taken back) gives them back once, with its
//! send key (see `release_send`). A message that went out never does.
//!
//! A refusal starts a *limited period*, until the refusing window ends; the
//! refusals of one period are counted in one row of the audit log.

use sqlx::FromRow;

use crate::{Store, StoreError};

/// The limits of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRules {
    /// Messages accepted within one hour window.
    pub max_messages: i64,
    /// Recipients (To, Cc and Bcc) accepted within one day window.
    pub max_recipients: i64,
    /// How long a message window lasts (an hour).
    pub hour_secs: i64,
    /// How long a recipient window lasts (a day).
    pub day_secs: i64,
}

/// Which limit refused a send (both may).
pub const REFUSED_MESSAGES: i64 = 1;
pub const REFUSED_RECIPIENTS: i64 = 2;

/// What a reservation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct SendReservation {
    /// 0: accepted and counted; otherwise the limits that refused it
    /// (`REFUSED_MESSAGES`, `REFUSED_RECIPIENTS`, or both), not counted.
    pub refused: i64,
    /// Messages counted in the hour window (this one included, if accepted).
    pub messages: i64,
    /// Recipients counted in the day window (this one's included, if accepted).
    pub recipients: i64,
    pub hour_start: i64,
    pub day_start: i64,
    /// The limited period the account is in (0 when it never was).
    pub limited_since: i64,
    pub limited_until: i64,
    /// Sends refused during the current limited period, this one included.
    pub refused_count: i64,
}

impl SendReservation {
    pub fn accepted(&self) -> bool {
        self.refused == 0
    }
}

/// An account in a limited period.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LimitedSender {
    pub account_id: i64,
    pub email: String,
    pub limited_since: i64,
    pub limited_until: i64,
    /// Sends refused during the period.
    pub refused_count: i64,
}

/// The SQL of a reservation. Every expression reads the row as it was (an
/// UPDATE's expressions all do), so each is written out where it is used.
fn reserve_sql() -> String {
    // $1 account, $2 now, $3 recipients, $4 max messages, $5 max
    // recipients, $6 hour window, $7 day window.
    let cur_m = "(CASE WHEN $2 >= send_quota.hour_start + $6 THEN 0 ELSE send_quota.messages END)";
    let cur_r = "(CASE WHEN $2 >= send_quota.day_start + $7 THEN 0 ELSE send_quota.recipients END)";
    let ok = format!("({cur_m} + 1 <= $4 AND {cur_r} + $3 <= $5)");
    let limited = "send_quota.limited_until > $2";
    let refused = format!(
        "((CASE WHEN {cur_m} + 1 > $4 THEN {REFUSED_MESSAGES} ELSE 0 END) + \
          (CASE WHEN {cur_r} + $3 > $5 THEN {REFUSED_RECIPIENTS} ELSE 0 END))"
    );
    let until_m =
        format!("(CASE WHEN {cur_m} + 1 > $4 THEN send_quota.hour_start + $6 ELSE 0 END)");
    let until_r =
        format!("(CASE WHEN {cur_r} + $3 > $5 THEN send_quota.day_start + $7 ELSE 0 END)");
    let until = format!("(CASE WHEN {until_m} > {until_r} THEN {until_m} ELSE {until_r} END)");
    let first_ok = "(1 <= $4 AND $3 <= $5)";
    format!(
        "INSERT INTO send_quota (account_id, hour_start, messages, day_start, recipients, \
           refused, limited_since, limited_until, refused_count) \
         VALUES ($1, $2, CASE WHEN {first_ok} THEN 1 ELSE 0 END, $2, \
           CASE WHEN {first_ok} THEN $3 ELSE 0 END, \
           (CASE WHEN 1 > $4 THEN {REFUSED_MESSAGES} ELSE 0 END) + \
           (CASE WHEN $3 > $5 THEN {REFUSED_RECIPIENTS} ELSE 0 END), \
           CASE WHEN {first_ok} THEN 0 ELSE $2 END, \
           CASE WHEN {first_ok} THEN 0 WHEN $3 > $5 THEN $2 + $7 ELSE $2 + $6 END, \
           CASE WHEN {first_ok} THEN 0 ELSE 1 END) \
         ON CONFLICT (account_id) DO UPDATE SET \
           refused = CASE WHEN {ok} THEN 0 ELSE {refused} END, \
           hour_start = CASE WHEN {ok} AND $2 >= send_quota.hour_start + $6 THEN $2 \
                             ELSE send_quota.hour_start END, \
           messages = CASE WHEN {ok} THEN {cur_m} + 1 ELSE send_quota.messages END, \
           day_start = CASE WHEN {ok} AND $2 >= send_quota.day_start + $7 THEN $2 \
                            ELSE send_quota.day_start END, \
           recipients = CASE WHEN {ok} THEN {cur_r} + $3 ELSE send_quota.recipients END, \
           limited_since = CASE WHEN {ok} OR {limited} THEN send_quota.limited_since \
                                ELSE $2 END, \
           limited_until = CASE WHEN {ok} THEN send_quota.limited_until \
                                WHEN {limited} AND send_quota.limited_until >= {until} \
                                THEN send_quota.limited_until ELSE {until} END, \
           refused_count = CASE WHEN {ok} THEN send_quota.refused_count \
                                WHEN {limited} THEN send_quota.refused_count + 1 ELSE 1 END, \
           refused_audit_id = CASE WHEN {ok} OR {limited} THEN send_quota.refused_audit_id \
                                   ELSE NULL END \
         RETURNING refused, messages, recipients, hour_start, day_start, \
           limited_since, limited_until, refused_count"
    )
}

impl Store {
    /// Reserves one message of `recipients` recipients for `account_id` at
    /// time `t`, in one statement: counted in both windows when it fits
    /// them, refused otherwise (a refusal starts or prolongs the limited
    /// period). An accepted reservation is written on the row of the send
    /// key `key` (claimed before, see `claim_send`), so that releasing the
    /// key gives it back. A message with more recipients than the daily
    /// maximum never fits: callers refuse it before.
    pub async fn reserve_send(
        &self,
        account_id: i64,
        key: &str,
        t: i64,
        recipients: i64,
        rules: SendRules,
    ) -> Result<SendReservation, StoreError> {
        let reservation: SendReservation = sqlx::query_as(sqlx::AssertSqlSafe(reserve_sql()))
            .bind(account_id)
            .bind(t)
            .bind(recipients)
            .bind(rules.max_messages)
            .bind(rules.max_recipients)
            .bind(rules.hour_secs)
            .bind(rules.day_secs)
            .fetch_one(&self.pool)
            .await?;
        if reservation.accepted() {
            // A stop before this line keeps the reservation for good: the
            // limit errs on the side of refusing.
            sqlx::query(
                "UPDATE sends SET quota_hour_start = $3, quota_day_start = $4, \
                 quota_recipients = $5 WHERE account_id = $1 AND send_key = $2",
            )
            .bind(account_id)
            .bind(key)
            .bind(reservation.hour_start)
            .bind(reservation.day_start)
            .bind(recipients)
            .execute(&self.pool)
            .await?;
        }
        Ok(reservation)
    }

    /// Gives back what a send key's message was counted in, in the windows
    /// it was counted in (a window that has ended since has nothing to give
    /// back). Called by `release_send` with the key's row it deleted.
    pub(crate) async fn release_reservation(
        &self,
        account_id: i64,
        hour_start: i64,
        day_start: i64,
        recipients: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE send_quota SET \
               messages = CASE WHEN hour_start = $2 AND messages > 0 \
                               THEN messages - 1 ELSE messages END, \
               recipients = CASE WHEN day_start = $3 THEN \
                                 CASE WHEN recipients > $4 THEN recipients - $4 ELSE 0 END \
                                 ELSE recipients END \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .bind(hour_start)
        .bind(day_start)
        .bind(recipients)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The accounts in a limited period at `t`, the latest limited first.
    pub async fn limited_senders(&self, t: i64) -> Result<Vec<LimitedSender>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT q.account_id, a.email, q.limited_since, q.limited_until, q.refused_count \
             FROM send_quota q JOIN accounts a ON a.id = q.account_id \
             WHERE q.limited_until > $1 ORDER BY q.limited_since DESC, a.email",
        )
        .bind(t)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Forgets the account's counts and limited period (an admin's reset);
    /// returns whether it had any.
    pub async fn reset_send_quota(&self, account_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM send_quota WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The first refusal of a limited period: the audit row `audit_id` counts them.
    pub async fn name_send_refusals_row(
        &self,
        account_id: i64,
        audit_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE send_quota SET refused_audit_id = $2 WHERE account_id = $1")
            .bind(account_id)
            .bind(audit_id)
            .execute(&self.pool)
            .await?;
        self.count_send_refusals(account_id).await
    }

    /// Brings the audit row of the account's limited period up to its count
    /// of refusals (one statement from the counts: whichever instance runs it
    /// last writes the whole count).
    pub async fn count_send_refusals(&self, account_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE audit_log SET repeats = \
               (SELECT refused_count - 1 FROM send_quota WHERE account_id = $1) \
             WHERE id = (SELECT refused_audit_id FROM send_quota WHERE account_id = $1)",
        )
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
