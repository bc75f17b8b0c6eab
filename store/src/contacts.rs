//! Addresses each account wrote to, for completion in the compose form:
//! most used and most recent first. (Addresses only read from are not
//! offered: a stranger's message must not put its sender among them.)

use sqlx::Row;

use crate::{now, Store, StoreError};

/// A remembered address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address: String,
    pub name: String,
}

impl Store {
    /// Counts one more message written to each address (lower-cased),
    /// keeping the latest name.
    pub async fn remember_contacts(
        &self,
        account_id: i64,
        contacts: &[Contact],
    ) -> Result<(), StoreError> {
        for c in contacts {
            sqlx::query(
                "INSERT INTO contacts (account_id, address, name, uses, last_used_at, written) \
                 VALUES ($1, $2, $3, 1, $4, 1) \
                 ON CONFLICT (account_id, address) DO UPDATE SET uses = contacts.uses + 1, \
                 written = 1, \
                 last_used_at = excluded.last_used_at, \
                 name = CASE WHEN excluded.name = '' THEN contacts.name ELSE excluded.name END",
            )
            .bind(account_id)
            .bind(c.address.to_lowercase())
            .bind(&c.name)
            .bind(now())
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Up to `limit` addresses the account wrote to, most used first.
    pub async fn written_addresses(
        &self,
        account_id: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT address FROM contacts WHERE account_id = $1 AND written = 1 \
             ORDER BY uses DESC, last_used_at DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| r.get("address")).collect())
    }

    /// Up to `limit` contacts whose address or name starts with `prefix`.
    pub async fn contacts_matching(
        &self,
        account_id: i64,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<Contact>, StoreError> {
        let escaped = like_prefix(prefix);
        let rows = sqlx::query(
            "SELECT address, name FROM contacts WHERE account_id = $1 AND written = 1 \
             AND (address LIKE $2 ESCAPE '\\' OR lower(name) LIKE $2 ESCAPE '\\' \
                  OR lower(name) LIKE $3 ESCAPE '\\') \
             ORDER BY uses DESC, last_used_at DESC LIMIT $4",
        )
        .bind(account_id)
        .bind(format!("{escaped}%"))
        .bind(format!("% {escaped}%"))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    address: r.try_get("address")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }
}

/// `prefix` lowercased, with LIKE's special characters escaped (`ESCAPE '\\'`).
pub(crate) fn like_prefix(prefix: &str) -> String {
    prefix
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
