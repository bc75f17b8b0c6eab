//! Argon2id password hashes as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`),
//! the format Dovecot reads as `{ARGON2ID}`.

use std::sync::{Mutex, OnceLock};

use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    // As many checks at once as there are cores: more would only wait for
    // CPU while holding their memory.
    let Ok(_permit) = permits().acquire().await else {
        return false;
    };
    let matched =
        tokio::task::spawn_blocking(move || verify_now(&phc, password.expose_secret().as_bytes()))
            .await
            .unwrap_or(false);
    known && matched
}

fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    })
}

fn verify_now(phc: &str, password: &[u8]) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let hashed = with_memory(blocks, |memory| {
        argon.hash_password_into_with_memory(password, salt, &mut out, memory)
    });
    // `Output` compares in constant time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// Runs `f` on argon2 memory of `blocks` blocks taken from a pool. A fresh
/// 19 MiB for every sign-in would leave the allocator holding freed memory
/// in each thread that ran one, so the server would grow with the sign-ins
/// of a busy hour; the pool holds at most one block set per permit.
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    static POOL: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());
    let taken = POOL.lock().ok().and_then(|mut pool| pool.pop());
    let mut memory = match taken {
        Some(memory) if memory.len() == blocks => memory,
        _ => vec![Block::default(); blocks],
    };
    let result = f(&mut memory);
    if let Ok(mut pool) = POOL.lock() {
        pool.push(memory);
    }
    result
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
