//! Links whose text shows one place and whose target is another, and links
//! to lookalike domains. [`assess`] decides, for one `(href, visible
//! text)` pair, whether a click should go through an interstitial page
//! and what real destination it should name; the `link-mismatch` and
//! `lookalike-domain` warnings come from the same function.

use std::net::IpAddr;

use url::{Host, Url};

use crate::context::{Context, Prepared};
use crate::domain;
use crate::lookalike::Lookalike;

/// Top-level domains that are also common file extensions: text such as
/// `README.md` or `main.rs` is taken for a host only when written with a
/// scheme or `www.`.
const FILE_LIKE_TLDS: &[&str] = &[
    "md", "rs", "py", "sh", "pl", "zip", "mov", "cc", "so", "ps", "cs", "ai", "io", "in", "js",
    "ts", "go", "rb", "sql", "csv", "pdf", "doc", "txt", "php", "exe", "bat", "jar", "dll",
];

/// Why a link needs the interstitial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkReason {
    /// The text shows a host of another registrable domain.
    Mismatch { shown: String },
    /// The text shows a host and the target is a bare IP address.
    IpAddress { shown: String },
    /// The target hides its host behind a `user@` that looks like one
    /// (`https://paypal.com@evil.test/`).
    UserInfo { userinfo: String },
    /// The target's domain imitates a known one, or mixes scripts.
    Lookalike(Lookalike),
}

impl LinkReason {
    /// The machine word of the warning's `reason`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkReason::Mismatch { .. } => "mismatch",
            LinkReason::IpAddress { .. } => "ip-address",
            LinkReason::UserInfo { .. } => "userinfo",
            LinkReason::Lookalike(l) => l.technique.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkVerdict {
    pub reason: LinkReason,
    /// The real destination's host, decoded (what the interstitial names).
    pub destination: String,
    /// Its ASCII form.
    pub destination_ascii: String,
}

/// Where a link really goes.
struct Target {
    /// ASCII host, or the IP address as written by `url`.
    host: String,
    ip: Option<IpAddr>,
    userinfo: Option<String>,
}

fn target(href: &str) -> Option<Target> {
    let url = Url::parse(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let (host, ip) = match url.host()? {
        Host::Domain(d) => (domain::to_ascii(d)?, None),
        Host::Ipv4(a) => (a.to_string(), Some(IpAddr::V4(a))),
        Host::Ipv6(a) => (a.to_string(), Some(IpAddr::V6(a))),
    };
    let user = url.username();
    let userinfo = (!user.is_empty()).then(|| percent_decode(user));
    Some(Target { host, ip, userinfo })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the visible text names as a host, when the whole text is a URL or
/// a host name (`https://paypal.com/login`, `www.paypal.com`, `paypal.com`).
/// An IP address comes back as its text, with the address.
fn shown_host(text: &str) -> Option<(String, Option<IpAddr>)> {
    let text: String = text
        .chars()
        .filter(|c| !is_invisible(*c))
        .take(2048)
        .collect();
    let text = text
        .trim()
        .trim_matches(|c: char| "<>()[]{}\"'.,;:!?«»“”‘’".contains(c));
    if text.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    let (rest, explicit) = match text.find("://") {
        Some(i) if i > 0 && text[..i].chars().all(|c| c.is_ascii_alphabetic()) => {
            (&text[i + 3..], true)
        }
        _ => (text, false),
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    if !explicit && authority.contains('@') {
        return None; // an e-mail address, not a host
    }
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    if let Some(ip) = domain::ip(host) {
        return (explicit || host.contains('.')).then(|| (ip.to_string(), Some(ip)));
    }
    let ascii = domain::to_ascii(host)?;
    if !ascii.contains('.') {
        return None;
    }
    let www = ascii.starts_with("www.");
    if !explicit && !www {
        let tld = ascii.rsplit('.').next().unwrap_or_default();
        if !domain::has_known_suffix(&ascii) || FILE_LIKE_TLDS.contains(&tld) {
            return None;
        }
    }
    Some((ascii, None))
}

/// Zero-width and formatting characters used to break up a text.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    ) || crate::attachments::is_bidi_control(c)
}

/// Whether a user part looks like a host (`paypal.com`, `www.bank`).
fn looks_like_host(user: &str) -> bool {
    let host = user.split(':').next().unwrap_or(user);
    host.contains('.') && domain::to_ascii(host).is_some()
}

/// Whether a click on this link should go through the interstitial, and
/// why. `None` for ordinary links, links that are not http(s), and links
/// whose text is not a URL or host (a tracking redirect behind "Read
/// more" is not a mismatch).
pub fn assess(href: &str, visible_text: &str, ctx: &Context) -> Option<LinkVerdict> {
    assess_prepared(href, visible_text, &Prepared::new(ctx))
}

pub(crate) fn assess_prepared(
    href: &str,
    visible_text: &str,
    ctx: &Prepared,
) -> Option<LinkVerdict> {
    let t = target(href)?;
    let verdict = |reason| LinkVerdict {
        reason,
        destination: domain::to_unicode(&t.host),
        destination_ascii: t.host.clone(),
    };
    if let Some(user) = t.userinfo.as_deref().filter(|u| looks_like_host(u)) {
        return Some(verdict(LinkReason::UserInfo {
            userinfo: crate::report::printable(user),
        }));
    }
    if let Some((shown, shown_ip)) = shown_host(visible_text) {
        let same = match (shown_ip, t.ip) {
            (Some(a), Some(b)) => a == b,
            (None, None) => domain::registrable(&shown) == domain::registrable(&t.host),
            _ => false,
        };
        if !same {
            let shown = match shown_ip {
                Some(_) => shown,
                None => domain::to_unicode(&shown),
            };
            return Some(verdict(if t.ip.is_some() {
                LinkReason::IpAddress { shown }
            } else {
                LinkReason::Mismatch { shown }
            }));
        }
    }
    if t.ip.is_none() {
        if let Some(l) = ctx.protected.check(&t.host) {
            return Some(verdict(LinkReason::Lookalike(l)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context::default().with_reader("alice@example.org")
    }

    fn reason(href: &str, text: &str) -> Option<&'static str> {
        assess(href, text, &ctx()).map(|v| v.reason.as_str())
    }

    #[test]
    fn a_shown_host_that_is_not_the_target_is_a_mismatch() {
        let cases = [
            (
                "https://evil.test/login",
                "https://www.paypal.com/signin",
                "mismatch",
            ),
            ("https://evil.test/", "paypal.com", "mismatch"),
            ("https://evil.test/", "www.paypal.com", "mismatch"),
            ("https://evil.test/", " <https://paypal.com> ", "mismatch"),
            ("http://evil.test/", "HTTPS://PAYPAL.COM/", "mismatch"),
            ("https://evil.test/", "pay\u{200b}pal.com", "mismatch"),
            ("http://192.0.2.7/login", "https://paypal.com", "ip-address"),
            ("http://3232235777/", "www.mybank.example", "ip-address"),
            ("http://[2001:db8::1]/", "mybank.com", "ip-address"),
            ("https://paypal.com@evil.test/", "Log in", "userinfo"),
            (
                "https://www.paypal.com%2elogin@evil.test/",
                "https://paypal.com",
                "userinfo",
            ),
            ("https://evil.test/", "\u{430}pple.com", "mismatch"),
            ("https://apple.com.evil.test/", "apple.com", "mismatch"),
            ("http://192.0.2.1/", "http://192.0.2.2/", "ip-address"),
        ];
        for (href, text, expected) in cases {
            assert_eq!(reason(href, text), Some(expected), "{href} / {text}");
        }
        let v = assess("https://evil.test/x", "paypal.com", &ctx()).expect("verdict");
        assert_eq!(v.destination, "evil.test");
        assert_eq!(
            v.reason,
            LinkReason::Mismatch {
                shown: "paypal.com".into()
            }
        );
    }

    #[test]
    fn lookalike_targets_need_the_interstitial_whatever_the_text() {
        assert_eq!(reason("https://paypa1.com/", "Log in"), Some("confusable"));
        assert_eq!(
            reason("https://exarnple.org/", "Intranet"),
            Some("confusable")
        );
        let v = assess("https://xn--pple-43d.com/", "Apple", &ctx()).expect("verdict");
        assert_eq!(v.destination, "\u{430}pple.com");
        assert_eq!(v.destination_ascii, "xn--pple-43d.com");
    }

    #[test]
    fn ordinary_links_pass() {
        let cases = [
            ("https://www.example.com/a", "example.com"),
            ("https://example.com/a", "www.example.com"),
            ("https://example.com/a", "http://example.com/a"),
            ("https://news.example.com/", "https://example.com"),
            ("https://click.tracker.test/r?u=x", "Read more"),
            ("https://click.tracker.test/r?u=x", "Unsubscribe"),
            ("https://github.com/o/r/blob/main/README.md", "README.md"),
            ("https://docs.rs/x", "main.rs"),
            ("https://example.com", "Contact support@evil.test"),
            ("mailto:a@evil.test", "paypal.com"),
            ("cid:logo@x", "paypal.com"),
            ("https://xn--mnchen-3ya.de/", "münchen.de"),
            ("https://münchen.de/", "xn--mnchen-3ya.de"),
            ("https://xn--d1acpjx3f.xn--p1ai/", "яндекс.рф"),
            ("https://192.0.2.1/", "192.0.2.1"),
            ("https://apple.com/", "Apple"),
            ("https://example.com/", ""),
            ("not a url", "paypal.com"),
            ("https://example.com/", "Version 1.2"),
            ("https://example.com/", "Dr. J. Smith"),
            ("https://paypal.com/", "Visit paypal.com today"),
        ];
        for (href, text) in cases {
            assert_eq!(reason(href, text), None, "{href} / {text}");
        }
    }
}
