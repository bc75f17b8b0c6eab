//! Just enough MIME writing for generated mail: encoded headers, base64 bodies.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// An RFC 2047 encoded word when `text` is not plain ASCII.
pub fn header_text(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(text))
    }
}

/// `Name <address>` with the name encoded when needed.
pub fn mailbox(name: &str, address: &str) -> String {
    if name.is_ascii() {
        format!("\"{name}\" <{address}>")
    } else {
        format!("{} <{address}>", header_text(name))
    }
}

/// Base64 in lines of 76 characters.
pub fn base64_lines(data: &[u8]) -> String {
    let encoded = STANDARD.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

pub fn rfc2822_date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!(
                "[weekday repr:short], [day padding:none] [month repr:short] [year] [hour]:[minute]:[second] +0000"
            ))
            .ok()
        })
        .unwrap_or_else(|| "Thu, 1 Jan 1970 00:00:00 +0000".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_headers_and_dates() {
        assert_eq!(header_text("Hello"), "Hello");
        assert_eq!(header_text("Réunion"), "=?UTF-8?B?UsOpdW5pb24=?=");
        assert_eq!(rfc2822_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert!(base64_lines(&[0u8; 200]).lines().all(|l| l.len() <= 76));
    }
}
