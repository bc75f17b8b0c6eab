//! Reply templates: named texts each account keeps to insert while writing.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub body: String,
}

/// Why a template was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateRefusal {
    /// The account has as many as it may.
    Full,
    /// Another of the account's templates has that name.
    NameTaken,
    /// The account has no template of that id.
    NotFound,
}

fn template(r: &AnyRow) -> Result<Template, StoreError> {
    Ok(Template {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        body: r.try_get("body")?,
    })
}

impl Store {
    /// The account's templates, by name.
    pub async fn templates(&self, account_id: i64) -> Result<Vec<Template>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, body FROM templates WHERE account_id = $1 ORDER BY name_key, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(template).collect()
    }

    /// One of the account's templates.
    pub async fn template(&self, account_id: i64, id: i64) -> Result<Option<Template>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, body FROM templates WHERE account_id = $1 AND id = $2")
                .bind(account_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(template).transpose()
    }

    /// Adds a template (`id` 0) or changes one of the account's; returns its
    /// id. Saves of one account are judged one after the other, however many
    /// arrive at once: its row is locked first, by a write that changes
    /// nothing (a row lock on PostgreSQL, the write lock on SQLite).
    pub async fn save_template(
        &self,
        account_id: i64,
        id: i64,
        name: &str,
        body: &str,
        max: i64,
    ) -> Result<Result<i64, TemplateRefusal>, StoreError> {
        let key = name.to_lowercase();
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET id = id WHERE id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM templates WHERE account_id = $1 AND name_key = $2 AND id <> $3",
        )
        .bind(account_id)
        .bind(&key)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            tx.rollback().await?;
            return Ok(Err(TemplateRefusal::NameTaken));
        }
        let saved = if id == 0 {
            let count: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM templates WHERE account_id = $1")
                    .bind(account_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if count >= max {
                tx.rollback().await?;
                return Ok(Err(TemplateRefusal::Full));
            }
            let row = sqlx::query(
                "INSERT INTO templates (account_id, name, name_key, body, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(account_id)
            .bind(name)
            .bind(&key)
            .bind(body)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            Ok(row.try_get("id")?)
        } else {
            let done = sqlx::query(
                "UPDATE templates SET name = $3, name_key = $4, body = $5, updated_at = $6 \
                 WHERE account_id = $1 AND id = $2",
            )
            .bind(account_id)
            .bind(id)
            .bind(name)
            .bind(&key)
            .bind(body)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                Ok(id)
            } else {
                Err(TemplateRefusal::NotFound)
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// Removes one of the account's templates; false if it has no such one.
    pub async fn remove_template(&self, account_id: i64, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM templates WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
