//! Each account's preferences, kept as one JSON document that the domain
//! layer reads and writes whole.

use crate::{now, Store, StoreError};

impl Store {
    pub async fn preferences(&self, account_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT data FROM preferences WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_preferences(&self, account_id: i64, data: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO preferences (account_id, data, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(account_id)
        .bind(data)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
