//! The log: to stderr, human or JSON; `ESTAFETTE_LOG` (an env-filter) sets
//! the level. With `log.redact_addresses` (the default) every mail address
//! in a line, whatever wrote it (an error of the mail server quoting a
//! recipient included), is written as a keyed hash of itself with its
//! domain: `#3f9a2b1c0d@example.org`. The same address is the same hash in
//! every line of every instance sharing the server key, so one person's
//! requests can be followed without the log naming them.

use std::borrow::Cow;
use std::io::Write;
use std::sync::OnceLock;

use estafette_core::config::LogFormat;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The key addresses are hashed with, once the server key is read; lines
/// written before that hide the address's part before `@` entirely.
static REDACTION_KEY: OnceLock<[u8; 32]> = OnceLock::new();

pub fn init(format: LogFormat, redact: bool) {
    let filter = EnvFilter::try_from_env("ESTAFETTE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Lines { redact });
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Addresses are hashed from now on with a key derived from `server_key`.
pub fn set_redaction_key(server_key: &[u8; 32]) {
    if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(server_key) {
        mac.update(b"estafette log addresses");
        let _ = REDACTION_KEY.set(mac.finalize().into_bytes().into());
    }
}

/// Each event is formatted whole into a [`Line`], then written at once.
struct Lines {
    redact: bool,
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line {
            redact: self.redact,
            text: Vec::new(),
        }
    }
}

/// One event's text, redacted and written to stderr when it is complete.
struct Line {
    redact: bool,
    text: Vec<u8>,
}

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        let text = if self.redact {
            redact_addresses(&text, REDACTION_KEY.get())
        } else {
            text
        };
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// `text` with the part before `@` of each address replaced by its keyed
/// hash (or by `***` without a key).
pub fn redact_addresses<'a>(text: &'a str, key: Option<&[u8; 32]>) -> Cow<'a, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    // Up to where `text` is copied to `out`.
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = text[at..].find('@') {
        let sign = at + offset;
        at = sign + 1;
        let mut start = sign;
        while start > copied && is_local_char(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = sign + 1;
        while end < bytes.len() && is_domain_char(bytes[end]) {
            end += 1;
        }
        let domain = text[sign + 1..end].trim_end_matches(['.', '-']);
        let local = &text[start..sign];
        let looks_like_a_domain = domain.contains('.') && domain.split('.').all(|l| !l.is_empty())
            || domain.eq_ignore_ascii_case("localhost");
        if local.is_empty() || !looks_like_a_domain {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(&hidden(&format!("{local}@{domain}"), key));
        copied = sign;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// What stands for an address's local part.
fn hidden(address: &str, key: Option<&[u8; 32]>) -> String {
    let Some(mac) = key.and_then(|k| <Hmac<Sha256> as KeyInit>::new_from_slice(k).ok()) else {
        return "***".into();
    };
    let mut mac = mac;
    mac.update(address.to_ascii_lowercase().as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("#{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [9; 32];

    #[test]
    fn every_address_in_a_line_is_hashed_with_its_domain_kept() {
        let line = r#"{"error":"recipient Alice.Smith+x@Example.org refused; from bob@mail.example.test."}"#;
        let out = redact_addresses(line, Some(&KEY));
        assert!(!out.contains("Alice.Smith"), "{out}");
        assert!(!out.contains("bob@"), "{out}");
        assert!(out.contains("@Example.org refused"), "{out}");
        assert!(out.contains("@mail.example.test.\"}"), "{out}");
        assert_eq!(out.matches('#').count(), 2);
    }

    #[test]
    fn the_same_address_is_the_same_hash_whatever_its_case() {
        let a = redact_addresses("alice@example.org", Some(&KEY));
        let b = redact_addresses("ALICE@example.org", Some(&KEY));
        let c = redact_addresses("alicf@example.org", Some(&KEY));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let other_key = redact_addresses("alice@example.org", Some(&[1; 32]));
        assert_ne!(a, other_key);
    }

    #[test]
    fn without_a_key_the_local_part_is_hidden() {
        assert_eq!(
            redact_addresses("sign-in of carol@example.org", None),
            "sign-in of ***@example.org"
        );
    }

    #[test]
    fn what_is_not_an_address_is_left_alone() {
        for text in [
            "no address here",
            "@ alone, a@ b, @example.org, x@nodot",
            "price 3@4.5",
        ] {
            let out = redact_addresses(text, Some(&KEY));
            // "3@4.5" has a dotted right side: it is hidden; the others stay.
            if text.starts_with("price") {
                assert!(!out.contains("3@"));
            } else {
                assert_eq!(out, text);
            }
        }
    }

    #[test]
    fn adjacent_and_repeated_addresses_are_each_hashed() {
        let out = redact_addresses("a@x.org,b@y.org <c@z.org>", Some(&KEY));
        assert!(!out.contains("a@") && !out.contains(",b@") && !out.contains("<c@"));
        assert_eq!(out.matches('#').count(), 3, "{out}");
    }
}
