//! The names and addresses each account sends as, with their signatures.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub signature: String,
    pub is_default: bool,
}

/// An identity's fields as the user sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityFields {
    pub name: String,
    pub email: String,
    pub signature: String,
}

fn identity(r: &AnyRow) -> Result<Identity, StoreError> {
    Ok(Identity {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        signature: r.try_get("signature")?,
        is_default: r.try_get::<i64, _>("is_default")? != 0,
    })
}

impl Store {
    /// The account's identities, the default first, then oldest first.
    pub async fn identities(&self, account_id: i64) -> Result<Vec<Identity>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, email, signature, is_default FROM identities \
             WHERE account_id = $1 ORDER BY is_default DESC, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(identity).collect()
    }

    /// Adds an identity (the default when the account had none); returns its id.
    pub async fn add_identity(
        &self,
        account_id: i64,
        fields: &IdentityFields,
    ) -> Result<i64, StoreError> {
        let first = self.identities(account_id).await?.is_empty();
        let row = sqlx::query(
            "INSERT INTO identities (account_id, name, email, signature, is_default, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(account_id)
        .bind(&fields.name)
        .bind(&fields.email)
        .bind(&fields.signature)
        .bind(i64::from(first))
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Changes an identity of the account; false if it has no such identity.
    pub async fn update_identity(
        &self,
        account_id: i64,
        id: i64,
        fields: &IdentityFields,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE identities SET name = $3, email = $4, signature = $5 \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account_id)
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.email)
        .bind(&fields.signature)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes an identity; the oldest left becomes the default if it was.
    pub async fn remove_identity(&self, account_id: i64, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM identities WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        let left = self.identities(account_id).await?;
        if let Some(first) = left.first().filter(|i| !i.is_default) {
            self.set_default_identity(account_id, first.id).await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// Makes `id` the account's default identity; false if it has no such one.
    pub async fn set_default_identity(&self, account_id: i64, id: i64) -> Result<bool, StoreError> {
        if !self
            .identities(account_id)
            .await?
            .iter()
            .any(|i| i.id == id)
        {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE identities SET is_default = CASE WHEN id = $2 THEN 1 ELSE 0 END \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }
}
