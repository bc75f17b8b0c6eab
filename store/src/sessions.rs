//! Server-side sessions. The row is keyed by a hash of the cookie's token, so
//! the database alone can neither name a live cookie nor unseal the password.

use serde::Serialize;
use sqlx::FromRow;

use crate::{now, Store, StoreError};

/// How far a session has come through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SessionStage {
    /// Password checked; a second factor is still due.
    SecondFactor,
    /// Password checked; the account must enrol in two-factor sign-in first.
    Enrol,
    /// Fully signed in.
    Full,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::SecondFactor => "second_factor",
            SessionStage::Enrol => "enrol",
            SessionStage::Full => "full",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "full" => SessionStage::Full,
            "enrol" => SessionStage::Enrol,
            _ => SessionStage::SecondFactor,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub account_id: i64,
    pub stage: SessionStage,
    pub sealed_password: Option<&'a str>,
    pub client_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Debug, Clone, FromRow)]
struct Row {
    id_hash: String,
    account_id: i64,
    stage: String,
    sealed_password: Option<String>,
    created_at: i64,
    last_seen_at: i64,
    client_address: Option<String>,
    user_agent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub account_id: i64,
    pub stage: SessionStage,
    pub sealed_password: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

impl From<Row> for SessionRow {
    fn from(r: Row) -> Self {
        SessionRow {
            id_hash: r.id_hash,
            account_id: r.account_id,
            stage: SessionStage::parse(&r.stage),
            sealed_password: r.sealed_password,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            client_address: r.client_address,
            user_agent: r.user_agent,
        }
    }
}

macro_rules! columns {
    () => {
        "id_hash, account_id, stage, sealed_password, created_at, last_seen_at, client_address, user_agent"
    };
}

impl Store {
    pub async fn create_session(&self, s: NewSession<'_>) -> Result<(), StoreError> {
        let t = now();
        sqlx::query(concat!(
            "INSERT INTO sessions (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(s.id_hash)
        .bind(s.account_id)
        .bind(s.stage.as_str())
        .bind(s.sealed_password)
        .bind(t)
        .bind(t)
        .bind(s.client_address)
        .bind(s.user_agent)
        .execute(&self.pool)
        .await
        .map_err(|e| StoreError::from_insert(e, "session"))?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row: Option<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM sessions WHERE id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(SessionRow::from))
    }

    pub async fn touch_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now())
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_session_stage(
        &self,
        id_hash: &str,
        stage: SessionStage,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET stage = $1 WHERE id_hash = $2")
            .bind(stage.as_str())
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_sealed_password(&self, id_hash: &str, sealed: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET sealed_password = $1 WHERE id_hash = $2")
            .bind(sealed)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of an account; returns how many there were.
    pub async fn delete_sessions_of(&self, account_id: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn sessions_of(&self, account_id: i64) -> Result<Vec<SessionRow>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(SessionRow::from).collect())
    }

    /// Keys of the sessions idle since `idle_before` or created before `created_before`.
    pub async fn expired_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id_hash FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
        )
        .bind(idle_before)
        .bind(created_before)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Signed-in sessions (past the second factor) seen since `seen_since`.
    pub async fn active_sessions(&self, seen_since: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE stage = 'full' AND last_seen_at >= $1",
        )
        .bind(seen_since)
        .fetch_one(&self.pool)
        .await?)
    }
}
