//! The account directory. Dovecot reads the same table as its passdb.

use serde::Serialize;
use sqlx::FromRow;

use crate::{now, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccountState {
    Active,
    Disabled,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
struct AccountRow {
    id: i64,
    email: String,
    password_hash: Option<String>,
    role: String,
    state: String,
    must_change_password: i64,
    totp_secret: Option<String>,
    totp_enabled: i64,
    totp_last_step: Option<i64>,
    created_at: i64,
    last_sign_in_at: Option<i64>,
}

/// One row of the directory.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub state: AccountState,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            email: r.email,
            password_hash: r.password_hash,
            role: if r.role == "admin" {
                Role::Admin
            } else {
                Role::User
            },
            state: if r.state == "active" {
                AccountState::Active
            } else {
                AccountState::Disabled
            },
            must_change_password: r.must_change_password != 0,
            totp_secret: r.totp_secret,
            totp_enabled: r.totp_enabled != 0,
            totp_last_step: r.totp_last_step,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
        }
    }
}

/// What it takes to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    /// PHC string; `None` when the IMAP server checks passwords.
    pub password_hash: Option<String>,
    pub role: Role,
    pub must_change_password: bool,
}

macro_rules! columns {
    () => {
        "id, email, password_hash, role, state, must_change_password, totp_secret, \
         totp_enabled, totp_last_step, created_at, last_sign_in_at"
    };
}

/// Addresses are compared case-insensitively: they are stored trimmed and lower-case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    pub async fn create_account(&self, new: NewAccount) -> Result<Account, StoreError> {
        let email = normalise_email(&new.email);
        sqlx::query(
            "INSERT INTO accounts (email, password_hash, role, state, must_change_password, created_at) \
             VALUES ($1, $2, $3, 'active', $4, $5)",
        )
        .bind(&email)
        .bind(&new.password_hash)
        .bind(new.role.as_str())
        .bind(i64::from(new.must_change_password))
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(|e| StoreError::from_insert(e, &format!("account {email}")))?;
        self.account_by_email(&email)
            .await?
            .ok_or(StoreError::NotFound(email))
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM accounts WHERE email = $1"
        ))
        .bind(normalise_email(email))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Account::from))
    }

    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM accounts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Account::from))
    }

    /// Accounts whose address contains `search` (all when empty), by address.
    pub async fn list_accounts(&self, search: &str) -> Result<Vec<Account>, StoreError> {
        let pattern = format!("%{}%", normalise_email(search).replace(['%', '_'], ""));
        let rows: Vec<AccountRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM accounts WHERE email LIKE $1 ORDER BY email"
        ))
        .bind(pattern)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Account::from).collect())
    }

    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND state = 'active'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn set_account_state(
        &self,
        email: &str,
        state: AccountState,
    ) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE accounts SET state = $1 WHERE email = $2",
            state.as_str(),
            email,
        )
        .await
    }

    pub async fn set_account_role(&self, email: &str, role: Role) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE accounts SET role = $1 WHERE email = $2",
            role.as_str(),
            email,
        )
        .await
    }

    /// Replaces the password hash; `must_change` marks an admin-set (temporary) password.
    pub async fn set_password_hash(
        &self,
        email: &str,
        phc: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = $2 WHERE email = $3",
        )
        .bind(phc)
        .bind(i64::from(must_change))
        .bind(normalise_email(email))
        .execute(&self.pool)
        .await?;
        expect_one(done.rows_affected(), email)
    }

    pub async fn delete_account(&self, email: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM accounts WHERE email = $1")
            .bind(normalise_email(email))
            .execute(&self.pool)
            .await?;
        expect_one(done.rows_affected(), email)
    }

    pub async fn record_sign_in(&self, account_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2")
            .bind(now())
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Turns two-factor sign-in off and forgets the secret.
    pub async fn reset_totp(&self, email: &str) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET totp_secret = NULL, totp_enabled = 0, totp_last_step = NULL \
             WHERE email = $1",
        )
        .bind(normalise_email(email))
        .execute(&self.pool)
        .await?;
        expect_one(done.rows_affected(), email)
    }

    async fn update_one(
        &self,
        sql: &'static str,
        value: &str,
        email: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(sql)
            .bind(value)
            .bind(normalise_email(email))
            .execute(&self.pool)
            .await?;
        expect_one(done.rows_affected(), email)
    }
}

fn expect_one(rows: u64, email: &str) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound(format!(
            "account {}",
            normalise_email(email)
        )))
    } else {
        Ok(())
    }
}
