//! The audit log: sign-ins, failures, lock-outs and admin actions.

use serde::Serialize;
use sqlx::FromRow;

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub client_address: Option<&'a str>,
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_address: Option<String>,
    pub detail: Option<String>,
    /// The same entry happened this many more times (refusals during one lock).
    pub repeats: i64,
}

/// Filters of the audit view; every field narrows the result when set.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Matches the actor or the target account.
    pub who: Option<String>,
    pub action: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub client_address: Option<String>,
    pub limit: i64,
}

impl Store {
    /// Writes an entry; returns its id.
    pub async fn audit(&self, entry: NewAuditEntry<'_>) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, action, target, client_address, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(now())
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.target)
        .bind(entry.client_address)
        .bind(entry.detail)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Newest first.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = if f.limit <= 0 { 200 } else { f.limit.min(1000) };
        let rows = sqlx::query_as(
            "SELECT id, at, actor, action, target, client_address, detail, repeats FROM audit_log \
             WHERE ($1 IS NULL OR actor = $1 OR target = $1) \
               AND ($2 IS NULL OR action = $2) \
               AND ($3 IS NULL OR at >= $3) \
               AND ($4 IS NULL OR at <= $4) \
               AND ($5 IS NULL OR client_address = $5) \
             ORDER BY id DESC LIMIT $6",
        )
        .bind(f.who.as_deref())
        .bind(f.action.as_deref())
        .bind(f.since)
        .bind(f.until)
        .bind(f.client_address.as_deref())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Entries after `after` (an id) in the order they were written, at
    /// most `limit`, within `since..=until` when given: an export reads
    /// the whole log this way, a page at a time.
    pub async fn audit_entries_after(
        &self,
        after: i64,
        since: Option<i64>,
        until: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, at, actor, action, target, client_address, detail, repeats FROM audit_log \
             WHERE id > $1 AND ($2 IS NULL OR at >= $2) AND ($3 IS NULL OR at <= $3) \
             ORDER BY id LIMIT $4",
        )
        .bind(after)
        .bind(since)
        .bind(until)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Removes the entries written before `cutoff`; returns how many.
    pub async fn forget_audit_before(&self, cutoff: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
