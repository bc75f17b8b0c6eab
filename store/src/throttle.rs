//! Failure counters for throttling, shared by every instance through the database.

use sqlx::FromRow;

use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, Default, FromRow, PartialEq, Eq)]
pub struct ThrottleRow {
    pub failures: i64,
    pub last_failure_at: i64,
    pub locked_until: i64,
}

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

    pub async fn set_throttle(&self, key: &str, row: ThrottleRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
             last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(row.failures)
        .bind(row.last_failure_at)
        .bind(row.locked_until)
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
}
