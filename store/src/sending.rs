//! Send keys: a message's key is claimed before it goes out, once.

use crate::{now, Store, StoreError};

impl Store {
    /// Claims `key` for `account_id`; false if it was claimed before.
    pub async fn claim_send(&self, account_id: i64, key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO sends (account_id, send_key, at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, send_key) DO NOTHING",
        )
        .bind(account_id)
        .bind(key)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a key back after a message that did not go out (refused or not
    /// reached by the mail server, taken back), so that it can be sent again;
    /// and, once (the key's row is deleted by one statement, by one caller),
    /// what it was counted in by the sending limit (see `reserve_send`).
    pub async fn release_send(&self, account_id: i64, key: &str) -> Result<(), StoreError> {
        let counted: Option<(Option<i64>, Option<i64>, Option<i64>)> = sqlx::query_as(
            "DELETE FROM sends WHERE account_id = $1 AND send_key = $2 \
             RETURNING quota_hour_start, quota_day_start, quota_recipients",
        )
        .bind(account_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((Some(hour_start), Some(day_start), Some(recipients))) = counted {
            self.release_reservation(account_id, hour_start, day_start, recipients)
                .await?;
        }
        Ok(())
    }
}
