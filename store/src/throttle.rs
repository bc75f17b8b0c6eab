//! Failure counters for throttling, shared by every instance through the
//! database. An attempt is *reserved* by one atomic statement before it is
//! judged (counted as a failure in advance, and locked in advance when it is
//! the last one allowed), then kept or released by its outcome; so attempts
//! sent at once are counted as they arrive, not after they are judged.

use sqlx::FromRow;

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, Copy, Default, FromRow, PartialEq, Eq)]
pub struct ThrottleRow {
    pub failures: i64,
    pub last_failure_at: i64,
    pub locked_until: i64,
}

/// The limits of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// Failures within the window before the key locks.
    pub max_failures: i64,
    /// A window without failure (or lock) forgets the count.
    pub window_secs: i64,
    /// How long the last allowed attempt holds the lock while it is judged.
    pub hold_secs: i64,
}

/// What a reservation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// The key was locked: the attempt is refused and not counted.
    pub refused: bool,
    /// Failures counted, this attempt included (unless refused).
    pub failures: i64,
    pub locked_until: i64,
    /// Attempts refused during the current lock, this one included.
    pub refusals: i64,
}

/// The count after one more attempt at `$2` (the same expression twice: an
/// UPDATE's expressions all read the row as it was).
const NEXT_COUNT: &str = "CASE WHEN $2 - throttle.last_failure_at > $4 \
     AND $2 - throttle.locked_until > $4 THEN 1 ELSE throttle.failures + 1 END";

impl Store {
    pub async fn throttle(&self, key: &str) -> Result<ThrottleRow, StoreError> {
        let row: Option<ThrottleRow> = sqlx::query_as(
            "SELECT failures, last_failure_at, locked_until FROM throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// Reserves one attempt on `key` at time `t`, in one statement: refused
    /// while locked; otherwise counted, and when the count reaches the
    /// maximum the key locks for `hold_secs` at once, so that no other
    /// attempt is judged meanwhile.
    pub async fn reserve_attempt(
        &self,
        key: &str,
        t: i64,
        rules: ThrottleRules,
    ) -> Result<Reservation, StoreError> {
        let sql = format!(
            "INSERT INTO throttle (key, failures, last_failure_at, locked_until, refused) \
             VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $2 + $5 ELSE 0 END, 0) \
             ON CONFLICT (key) DO UPDATE SET \
               refused = CASE WHEN throttle.locked_until > $2 THEN 1 ELSE 0 END, \
               failures = CASE WHEN throttle.locked_until > $2 THEN throttle.failures \
                               ELSE {NEXT_COUNT} END, \
               last_failure_at = CASE WHEN throttle.locked_until > $2 \
                                      THEN throttle.last_failure_at ELSE $2 END, \
               locked_until = CASE WHEN throttle.locked_until > $2 THEN throttle.locked_until \
                                   WHEN {NEXT_COUNT} >= $3 THEN $2 + $5 \
                                   ELSE throttle.locked_until END, \
               refused_count = CASE WHEN throttle.locked_until > $2 \
                                    THEN throttle.refused_count + 1 ELSE 0 END, \
               refused_audit_id = CASE WHEN throttle.locked_until > $2 \
                                       THEN throttle.refused_audit_id ELSE NULL END \
             RETURNING failures, locked_until, refused, refused_count"
        );
        let (failures, locked_until, refused, refusals): (i64, i64, i64, i64) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(key)
                .bind(t)
                .bind(rules.max_failures)
                .bind(rules.window_secs)
                .bind(rules.hold_secs)
                .fetch_one(&self.pool)
                .await?;
        Ok(Reservation {
            refused: refused != 0,
            failures,
            locked_until,
            refusals,
        })
    }

    /// A reserved attempt failed and its count locked the key: the lock it
    /// earned (its reservation held the key meanwhile, so none other wrote).
    pub async fn set_lock(&self, key: &str, until: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE throttle SET locked_until = $2 WHERE key = $1")
            .bind(key)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives back a reserved attempt that turned out not to be a failure
    /// (and the hold it took, if it took one).
    pub async fn release_attempt(&self, key: &str, held: bool) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END, \
             locked_until = CASE WHEN $2 = 1 THEN 0 ELSE locked_until END WHERE key = $1",
        )
        .bind(key)
        .bind(i64::from(held))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn clear_throttle(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The first refusal of a lock: the audit row `audit_id` counts them.
    pub async fn name_refusals_row(&self, key: &str, audit_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE throttle SET refused_audit_id = $2 WHERE key = $1")
            .bind(key)
            .bind(audit_id)
            .execute(&self.pool)
            .await?;
        self.count_refusals(key).await
    }

    /// Brings the audit row of the key's current lock up to its count of
    /// refusals (one statement from the counts: whichever instance runs it
    /// last writes the whole count).
    pub async fn count_refusals(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE audit_log SET repeats = \
               (SELECT refused_count - 1 FROM throttle WHERE key = $1) \
             WHERE id = (SELECT refused_audit_id FROM throttle WHERE key = $1)",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets keys with neither a lock nor a failure in the last `window_secs`
    /// (attempts on addresses that have no account among them); returns how many.
    pub async fn purge_throttle(&self, window_secs: i64) -> Result<u64, StoreError> {
        let before = now() - window_secs;
        let done =
            sqlx::query("DELETE FROM throttle WHERE last_failure_at < $1 AND locked_until < $1")
                .bind(before)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }
}
