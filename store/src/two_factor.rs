//! Two-factor state: the (sealed) TOTP secret, the last accepted step, and the
//! recovery codes. Replays are refused by the database itself, so that two
//! instances cannot both accept the same code.

use crate::{now, Store, StoreError};

impl Store {
    /// Stores a new secret, not yet enabled (enrolment in progress).
    pub async fn set_pending_totp(
        &self,
        account_id: i64,
        sealed_secret: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET totp_secret = $1, totp_enabled = 0, totp_last_step = NULL WHERE id = $2",
        )
        .bind(sealed_secret)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn enable_totp(&self, account_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET totp_enabled = 1 WHERE id = $1 AND totp_secret IS NOT NULL",
        )
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records `step` as used; false when it (or a later one) was used already.
    pub async fn claim_totp_step(&self, account_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn replace_recovery_codes(
        &self,
        account_id: i64,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for h in hashes {
            sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                .bind(account_id)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Spends a recovery code; false when unknown or already used.
    pub async fn use_recovery_code(&self, account_id: i64, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now())
        .bind(account_id)
        .bind(hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unused_recovery_codes(&self, account_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn delete_recovery_codes(&self, account_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
