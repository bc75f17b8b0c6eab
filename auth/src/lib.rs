//! Credentials: password hashing, TOTP, recovery codes, sealed secrets, the
//! session token, device cookies and signed tokens. Knows nothing of HTTP or the database.

pub mod device;
mod password;
pub mod recovery;
pub mod seal;
mod session_token;
pub mod signed;
pub mod totp;

pub use password::{hash_password, verify_password, PasswordError};
pub use session_token::SessionToken;
pub use totp::TotpSecret;
