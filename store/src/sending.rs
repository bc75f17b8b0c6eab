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

    /// Gives a key back after a send that failed, so that it can be retried.
    pub async fn release_send(&self, account_id: i64, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sends WHERE account_id = $1 AND send_key = $2")
            .bind(account_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
