//! Device cookies (OWASP, "Slow down online guessing attacks with device
//! cookies"): a browser that signed in to an account gets a cookie naming a
//! random device id, bound to the account's address by a MAC under the
//! server's key. It carries no secret of the user's; it only tells the
//! throttle that this browser has signed in to that account before.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ID_BYTES: usize = 16;
const PREFIX: &str = "estafette-device-";

/// A device id the MAC vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The MAC of a device id for an account, ready to finish or verify.
fn mac(key: &[u8; 32], email: &str, id: &[u8]) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    m.update(b"estafette device\0");
    m.update(email.as_bytes());
    m.update(b"\0");
    m.update(id);
    Some(m)
}

/// The cookie's name for an account: one per account a browser signs in to.
pub fn cookie_name(email: &str) -> String {
    let digest = Sha256::digest(email.as_bytes());
    let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{tag}")
}

/// Whether a cookie of this name may be a device cookie.
pub fn is_device_cookie(name: &str) -> bool {
    name.trim_start_matches("__Host-").starts_with(PREFIX)
}

/// A new device cookie value for `email`.
pub fn issue(key: &[u8; 32], email: &str) -> String {
    let id: [u8; ID_BYTES] = rand::random();
    // A 32-byte key is always a valid HMAC key.
    let tag = mac(key, email, &id)
        .map(|m| m.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(id),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// The device of a cookie value, if it was issued for `email` under `key`.
pub fn verify(key: &[u8; 32], email: &str, value: &str) -> Option<DeviceId> {
    let (id, tag) = value.split_once('.')?;
    let raw_id = URL_SAFE_NO_PAD.decode(id).ok()?;
    let raw_tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if raw_id.len() != ID_BYTES {
        return None;
    }
    // Constant time.
    mac(key, email, &raw_id)?.verify_slice(&raw_tag).ok()?;
    Some(DeviceId(id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_vouches_for_its_account_only() {
        let key = [7u8; 32];
        let cookie = issue(&key, "alice@example.test");
        let device = verify(&key, "alice@example.test", &cookie).expect("valid");
        assert!(cookie.starts_with(device.as_str()));
        assert_eq!(verify(&key, "bob@example.test", &cookie), None);
        assert_eq!(verify(&[8u8; 32], "alice@example.test", &cookie), None);
        let (id, _) = cookie.split_once('.').expect("two parts");
        let forged = format!("{id}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(verify(&key, "alice@example.test", &forged), None);
        for junk in ["", ".", "a.b", "a\r\n.b", &"x".repeat(10_000)] {
            assert_eq!(verify(&key, "alice@example.test", junk), None, "{junk:?}");
        }
        assert_ne!(
            issue(&key, "alice@example.test"),
            cookie,
            "a new id each time"
        );
        assert_ne!(
            cookie_name("alice@example.test"),
            cookie_name("bob@example.test")
        );
        assert!(is_device_cookie(&cookie_name("alice@example.test")));
        assert!(is_device_cookie(&format!(
            "__Host-{}",
            cookie_name("a@b.c")
        )));
        assert!(!is_device_cookie("estafette"));
    }
}
