//! Recovery codes: ten single-use codes shown once, stored as SHA-256 hashes
//! (each holds 60 random bits, so a fast hash is enough).

use sha2::{Digest, Sha256};

const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
pub const COUNT: usize = 10;

/// Ten new codes like `k7mq-x2fp-9wtd`.
pub fn generate() -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            let chars: String = (0..12)
                .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
        })
        .collect()
}

/// The stored form of a code, whatever its case, spaces or dashes.
pub fn hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Does this look like a recovery code rather than a TOTP code?
pub fn looks_like(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_hashed_loosely() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
        assert!(codes.iter().all(|c| looks_like(c) && c.len() == 14));
        assert_eq!(
            hash(&codes[0]),
            hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert_ne!(hash(&codes[0]), hash(&codes[1]));
        assert!(!looks_like("123456"));
    }
}
