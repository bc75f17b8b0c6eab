//! Credentials: password hashing and the sealed session secret. Knows nothing of
//! HTTP or the database.

mod password;
mod session_token;

pub use password::{hash_password, verify_password, PasswordError};
pub use session_token::{SessionToken, UnsealError};
