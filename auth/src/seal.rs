//! Authenticated encryption of small secrets (ChaCha20-Poly1305, random nonce),
//! as URL-safe base64 text fit for a database column.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use thiserror::Error;

const NONCE_BYTES: usize = 12;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UnsealError {
    #[error("the sealed secret is damaged or was sealed under another key")]
    Invalid,
}

/// A key of its own for one `purpose`, derived from the server key, so that
/// what is sealed for one use cannot be unsealed by the code of another.
pub fn derive(key: &[u8; 32], purpose: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"estafette key derivation\0");
    hash.update(purpose.as_bytes());
    hash.update([0]);
    hash.update(key);
    hash.finalize().into()
}

pub fn seal(key: &[u8; 32], plaintext: &str) -> String {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let nonce: [u8; NONCE_BYTES] = rand::random();
    // Encrypting into a Vec fails only on absurd lengths.
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend(sealed);
    URL_SAFE_NO_PAD.encode(out)
}

pub fn unseal(key: &[u8; 32], sealed: &str) -> Result<String, UnsealError> {
    let raw = URL_SAFE_NO_PAD
        .decode(sealed.as_bytes())
        .map_err(|_| UnsealError::Invalid)?;
    if raw.len() <= NONCE_BYTES {
        return Err(UnsealError::Invalid);
    }
    let (nonce, body) = raw.split_at(NONCE_BYTES);
    let plain = ChaCha20Poly1305::new(Key::from_slice(key))
        .decrypt(Nonce::from_slice(nonce), body)
        .map_err(|_| UnsealError::Invalid)?;
    String::from_utf8(plain).map_err(|_| UnsealError::Invalid)
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_keys_differ_by_purpose_and_do_not_open_each_other() {
        let key = [7u8; 32];
        let (a, b) = (super::derive(&key, "outbox"), super::derive(&key, "other"));
        assert_ne!(a, b);
        assert_ne!(a, key);
        assert_eq!(a, super::derive(&key, "outbox"));
        let sealed = super::seal(&a, "secret");
        assert!(super::unseal(&b, &sealed).is_err());
        assert!(super::unseal(&key, &sealed).is_err());
        assert_eq!(super::unseal(&a, &sealed).as_deref(), Ok("secret"));
    }

    use super::*;

    #[test]
    fn opens_only_with_its_key_and_untouched() {
        let key: [u8; 32] = rand::random();
        let sealed = seal(&key, "secret text");
        assert!(!sealed.contains("secret"));
        assert_eq!(unseal(&key, &sealed).as_deref(), Ok("secret text"));
        assert_ne!(seal(&key, "secret text"), sealed, "a fresh nonce each time");
        assert!(unseal(&rand::random(), &sealed).is_err());
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(unseal(&key, &String::from_utf8(bytes).unwrap_or_default()).is_err());
        assert!(unseal(&key, "").is_err());
    }
}
