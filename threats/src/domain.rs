//! Host names as the analysis compares them: IDNA to ASCII (lowercase,
//! punycode), decoded for display, and cut to their registrable domain by
//! the public suffix list.

use std::net::IpAddr;

/// The longest host name DNS allows.
const MAX_HOST: usize = 253;

/// `Example.COM.` → `example.com`, `münchen.de` → `xn--mnchen-3ya.de`;
/// `None` for what cannot be a host name.
pub fn to_ascii(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() || host.len() > 4 * MAX_HOST {
        return None;
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    let valid = !ascii.is_empty()
        && ascii.len() <= MAX_HOST
        && ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    valid.then_some(ascii)
}

/// The name as a reader should see it: punycode decoded.
pub fn to_unicode(ascii: &str) -> String {
    idna::domain_to_unicode(ascii).0
}

/// `mail.example.co.uk` → `example.co.uk`. Names under no known suffix
/// (`host.test`) keep their last two labels; a single label stays itself.
pub fn registrable(ascii: &str) -> String {
    match psl::domain_str(ascii) {
        Some(domain) => domain.to_owned(),
        None => ascii.to_owned(),
    }
}

/// The registrable domain without its public suffix: `example` for
/// `example.co.uk`, with the suffix.
pub fn split_suffix(registrable: &str) -> (&str, &str) {
    let suffix_len = psl::suffix_str(registrable).map_or(0, str::len);
    if suffix_len == 0 || suffix_len >= registrable.len() {
        return (registrable, "");
    }
    let cut = registrable.len() - suffix_len;
    (
        registrable[..cut].trim_end_matches('.'),
        &registrable[cut..],
    )
}

/// Whether the name ends in a suffix of the public suffix list (not just
/// any last label).
pub fn has_known_suffix(ascii: &str) -> bool {
    ascii.contains('.') && psl::suffix(ascii.as_bytes()).is_some_and(|s| s.is_known())
}

/// An IP address literal (`192.0.2.1`, `[2001:db8::1]`).
pub fn ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The domain of an address (`user@Example.org` → `example.org`, ASCII).
pub fn of_address(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    to_ascii(domain.trim_end_matches('>'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_cut() {
        assert_eq!(
            to_ascii("Mail.Example.COM.").as_deref(),
            Some("mail.example.com")
        );
        assert_eq!(to_ascii("münchen.de").as_deref(), Some("xn--mnchen-3ya.de"));
        assert_eq!(to_unicode("xn--mnchen-3ya.de"), "münchen.de");
        assert_eq!(to_ascii("a b.com"), None);
        assert_eq!(to_ascii(""), None);
        assert_eq!(registrable("www.mail.example.co.uk"), "example.co.uk");
        assert_eq!(registrable("x.evil.test"), "evil.test");
        assert_eq!(registrable("localhost"), "localhost");
        assert_eq!(split_suffix("example.co.uk"), ("example", "co.uk"));
        assert_eq!(split_suffix("localhost"), ("localhost", ""));
        assert!(has_known_suffix("paypal.com"));
        assert!(!has_known_suffix("readme.txt"));
        assert!(!has_known_suffix("com"));
        assert_eq!(
            of_address("Bob@Example.ORG").as_deref(),
            Some("example.org")
        );
        assert!(ip("[2001:db8::1]").is_some() && ip("192.0.2.1").is_some());
    }
}
