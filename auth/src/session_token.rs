//! The session token the cookie carries. The server stores only a hash of it
//! (the row's key) and, sealed under a key derived from it, the mailbox
//! password: the database alone reveals neither the cookie nor the password,
//! and any instance that receives the cookie can unseal it.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::seal::{self, UnsealError};

const TOKEN_BYTES: usize = 32;

/// 256 random bits from the OS CSPRNG.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken([u8; TOKEN_BYTES]);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl SessionToken {
    pub fn generate() -> Self {
        SessionToken(rand::random())
    }

    /// Reads a cookie value; anything but a well-formed token is `None`.
    pub fn parse(cookie: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(cookie.as_bytes()).ok()?;
        Some(SessionToken(bytes.try_into().ok()?))
    }

    /// The cookie value.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"estafette/");
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(self.0);
        h.finalize().into()
    }

    /// The key of the session row.
    pub fn id_hash(&self) -> String {
        hex(&self.derive("session-id"))
    }

    /// Encrypts `secret` under a key derived from this token.
    pub fn seal(&self, secret: &str) -> String {
        seal::seal(&self.derive("seal"), secret)
    }

    pub fn unseal(&self, sealed: &str) -> Result<SecretString, UnsealError> {
        seal::unseal(&self.derive("seal"), sealed).map(SecretString::from)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn round_trips_through_the_cookie() {
        let t = SessionToken::generate();
        assert_eq!(SessionToken::parse(&t.encode()), Some(t.clone()));
        assert_eq!(SessionToken::parse("short"), None);
        assert_eq!(SessionToken::parse(""), None);
        assert_ne!(t.id_hash(), SessionToken::generate().id_hash());
        assert!(!format!("{t:?}").contains(&t.encode()));
    }

    #[test]
    fn sealed_password_opens_only_with_its_token() {
        let t = SessionToken::generate();
        let sealed = t.seal("mailbox pässword");
        assert!(!sealed.contains("mailbox"));
        let opened = t.unseal(&sealed).map(|s| s.expose_secret().to_owned());
        assert_eq!(opened.as_deref(), Ok("mailbox pässword"));
        assert_eq!(
            SessionToken::generate().unseal(&sealed).map(|_| ()),
            Err(UnsealError::Invalid)
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap_or_default();
        assert!(t.unseal(&tampered).is_err());
    }
}
