//! Argon2id password hashes as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`),
//! the format Dovecot reads as `{ARGON2ID}`.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PasswordError {
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("the password hashing task failed")]
    Task,
}

/// OWASP's argon2id floor: 19 MiB, two passes, one lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the blocking pool: argon2id is deliberately slow.
pub async fn hash_password(password: &SecretString) -> Result<String, PasswordError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || hash_now(password.expose_secret()))
        .await
        .map_err(|_| PasswordError::Task)?
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// A hash of a random password, verified against when the account is unknown
/// so that the answer takes as long as for a real one.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 24] = rand::random();
        hash_now(&format!("{random:?}")).unwrap_or_default()
    })
}

/// True when `password` matches the PHC string. With `None` (unknown account)
/// a dummy hash is checked and the answer is always false.
pub async fn verify_password(phc: Option<&str>, password: &SecretString) -> bool {
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| dummy_hash()).to_owned();
    let password = password.clone();
    let matched = tokio::task::spawn_blocking(move || match PasswordHash::new(&phc) {
        Ok(parsed) => hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false);
    known && matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let pw = SecretString::from("correct horse battery staple");
        let phc = hash_password(&pw).await.unwrap_or_default();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(Some(&phc), &pw).await);
        assert!(
            !verify_password(
                Some(&phc),
                &SecretString::from("correct horse battery stapl")
            )
            .await
        );
        assert!(!verify_password(None, &pw).await);
        assert!(!verify_password(Some("not a hash"), &pw).await);
    }

    #[tokio::test]
    async fn salts_differ() {
        let pw = SecretString::from("same password twice");
        let a = hash_password(&pw).await.unwrap_or_default();
        let b = hash_password(&pw).await.unwrap_or_default();
        assert_ne!(a, b);
    }
}
