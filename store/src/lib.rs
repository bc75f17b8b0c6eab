//! Estafette's storage: one code path over SQLite (the default, a file) and
//! PostgreSQL (several instances), through sqlx's `Any` driver. Each database
//! has its own migrations under `migrations/<backend>/`; times are Unix seconds.

mod accounts;
mod address_book;
mod audit;
mod contacts;
mod error;
mod identities;
mod outbox;
mod preferences;
#[cfg(feature = "test-support")]
pub mod scratch;
mod sending;
mod sending_limit;
mod sessions;
mod settings;
mod templates;
mod throttle;
mod two_factor;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

pub use accounts::{normalise_email, Account, AccountState, NewAccount, Role};
pub use address_book::{BookRow, CardFields, CardRefusal, CardRow, Remote};
pub use audit::{AuditEntry, AuditFilter, NewAuditEntry};
pub use contacts::Contact;
pub use error::StoreError;
pub use identities::{Identity, IdentityFields};
pub use outbox::{Claimed, Held, NewOutgoing, OutboxState};
pub use sending_limit::{
    LimitedSender, SendReservation, SendRules, REFUSED_MESSAGES, REFUSED_RECIPIENTS,
};
pub use sessions::{NewSession, SessionRow, SessionStage};
pub use templates::{Template, TemplateRefusal};
pub use throttle::{Reservation, ThrottleRow, ThrottleRules};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// A SQLite URL with its open `mode` (`ro`, `rwc`) unless it says one.
    fn with_mode(self, url: &str, mode: &str) -> String {
        match self {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode={mode}")
            }
            _ => url.to_owned(),
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// A connection pool and the knowledge of which engine is behind it.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens one connection that only reads (a SQLite file is neither created
    /// nor switched to WAL): for checks that must change nothing.
    pub async fn connect_read_only(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.with_mode(url, "ro");
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(StoreError::Connect)?;
        Ok(Store { pool, backend })
    }

    /// Opens a pool. A SQLite file is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.with_mode(url, "rwc");
        let sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    // One writer at a time: a write waits for the one before
                    // (a long import, another instance) rather than failing
                    // after SQLite's 5 s.
                    if sqlite {
                        sqlx::Executor::execute(&mut *conn, "PRAGMA busy_timeout = 30000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(StoreError::Connect)?;
        if backend == Backend::Sqlite {
            // WAL lets Dovecot's passdb read while Estafette writes.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(StoreError::Connect)?;
        }
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Ready means: the database answers and every migration is applied.
    pub async fn ready(&self) -> Result<(), StoreError> {
        let applied: Result<i64, sqlx::Error> =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await;
        match applied {
            Ok(n) if n >= self.backend.migrator().iter().count() as i64 => Ok(()),
            Ok(_) => Err(StoreError::NotMigrated),
            Err(sqlx::Error::Database(_)) => Err(StoreError::NotMigrated),
            Err(e) => Err(StoreError::Connect(e)),
        }
    }

    /// Runs one statement that takes no parameters (administration and tests).
    pub async fn execute_raw(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A database URL with any password replaced, fit for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_database_passwords() {
        assert_eq!(
            redact_url("postgres://estafette:hunter2@db:5432/mail"),
            "postgres://estafette:***@db:5432/mail"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn recognises_backends() {
        assert_eq!(
            Backend::from_url("sqlite://a.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("mysql://h/db").is_err());
    }
}
