//! Short-lived signed values handed to a browser and taken back unchanged
//! (the image proxy's URLs): a MAC under the server's key over the value
//! and its expiry, so nobody else can make one or stretch its life.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Bytes of the MAC kept in a token (128 bits).
const TAG_BYTES: usize = 16;

fn mac(key: &[u8; 32], purpose: &str, expires: u64, value: &str) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    m.update(purpose.as_bytes());
    m.update(b"\0");
    m.update(expires.to_string().as_bytes());
    m.update(b"\0");
    m.update(value.as_bytes());
    Some(m)
}

/// `expires.tag`, for `value` used for `purpose` until `expires` (seconds
/// since the epoch).
pub fn sign(key: &[u8; 32], purpose: &str, value: &str, expires: u64) -> String {
    let tag = mac(key, purpose, expires, value)
        .map(|m| m.finalize().into_bytes())
        .map(|bytes| URL_SAFE_NO_PAD.encode(&bytes[..TAG_BYTES]))
        .unwrap_or_default();
    format!("{expires}.{tag}")
}

/// Whether `token` was made by [`sign`] for this value and purpose, and is
/// still valid at `now`.
pub fn verify(key: &[u8; 32], purpose: &str, value: &str, token: &str, now: u64) -> bool {
    let Some((expires, tag)) = token.split_once('.') else {
        return false;
    };
    // Digits only: one spelling of each expiry.
    if expires.is_empty()
        || !expires.bytes().all(|b| b.is_ascii_digit())
        || expires.starts_with('0')
    {
        return false;
    }
    let (Ok(expires), Ok(tag)) = (expires.parse::<u64>(), URL_SAFE_NO_PAD.decode(tag)) else {
        return false;
    };
    expires >= now
        && tag.len() == TAG_BYTES
        && mac(key, purpose, expires, value).is_some_and(|m| m.verify_truncated_left(&tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_holds_for_its_value_purpose_and_time_only() {
        let key = [7u8; 32];
        let t = sign(&key, "image", "https://a.example/x.png", 1_000);
        assert!(verify(&key, "image", "https://a.example/x.png", &t, 999));
        assert!(verify(&key, "image", "https://a.example/x.png", &t, 1_000));
        assert!(!verify(&key, "image", "https://a.example/x.png", &t, 1_001));
        assert!(!verify(&key, "image", "https://a.example/y.png", &t, 999));
        assert!(!verify(&key, "other", "https://a.example/x.png", &t, 999));
        assert!(!verify(
            &[8u8; 32],
            "image",
            "https://a.example/x.png",
            &t,
            999
        ));
        let (_, tag) = t.split_once('.').unwrap_or_default();
        assert!(!verify(
            &key,
            "image",
            "https://a.example/x.png",
            &format!("5000.{tag}"),
            999
        ));
        let (_, tag) = t.split_once('.').unwrap_or_default();
        let (plus, zero) = (format!("+1000.{tag}"), format!("01000.{tag}"));
        for bad in [
            "",
            ".",
            "1000.",
            "x.y",
            "1000.AAAA",
            &t[..t.len() - 2],
            &plus,
            &zero,
        ] {
            assert!(
                !verify(&key, "image", "https://a.example/x.png", bad, 999),
                "{bad}"
            );
        }
    }
}
