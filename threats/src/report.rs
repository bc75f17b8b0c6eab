//! What the analysis says, in the shape `estafette inspect-eml` prints:
//! `{"authentication": {…}, "warnings": [{"kind": …, "detail": …}]}`.
//! Each warning has a machine `kind`, an English `detail`, and the facts a
//! UI needs to word it in another language.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub authentication: Authentication,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Whether a warning of this kind was raised.
    pub fn has(&self, kind: Kind) -> bool {
        self.warnings.iter().any(|w| w.kind == kind)
    }
}

/// Who the message can be shown to come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The From domain is authenticated (DMARC, or aligned DKIM or SPF).
    Pass,
    /// The trusted result says the From domain did not send it.
    Fail,
    /// Nothing trusted says either way.
    None,
}

/// The sender's authentication, from the receiving server's own
/// `Authentication-Results` (or Estafette's own DKIM check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Authentication {
    pub verdict: Verdict,
    /// The results as the server wrote them (`pass`, `fail`, `softfail`, …).
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
    /// The server whose header was trusted; `None` when there was none, or
    /// when Estafette checked DKIM itself.
    pub authserv_id: Option<String>,
    /// The domain the verdict is about: the From address's registrable
    /// domain, decoded.
    pub domain: Option<String>,
    /// The verdict in plain English ("Verified: sent by example.com").
    pub summary: String,
}

impl Authentication {
    /// Nothing known.
    pub fn none(domain: Option<String>) -> Authentication {
        Authentication {
            verdict: Verdict::None,
            spf: None,
            dkim: None,
            dmarc: None,
            authserv_id: None,
            summary: summary(Verdict::None, domain.as_deref()),
            domain,
        }
    }
}

/// The plain sentence for a verdict.
pub fn summary(verdict: Verdict, domain: Option<&str>) -> String {
    match (verdict, domain) {
        (Verdict::Pass, Some(d)) => format!("Verified: sent by {d}"),
        (Verdict::Fail, Some(d)) => {
            format!("Failed: this message claims to be from {d} but was not sent by it")
        }
        (Verdict::Fail, None) => "Failed: the sender could not be confirmed".into(),
        _ => "Could not be verified".into(),
    }
}

/// The kinds of warning, named as `inspect-eml` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    AuthFail,
    AuthUnverified,
    DisplayNameSpoof,
    LinkMismatch,
    LookalikeDomain,
    ReplyToDiffers,
    RiskyAttachment,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AuthFail => "auth-fail",
            Kind::AuthUnverified => "auth-unverified",
            Kind::DisplayNameSpoof => "display-name-spoof",
            Kind::LinkMismatch => "link-mismatch",
            Kind::LookalikeDomain => "lookalike-domain",
            Kind::ReplyToDiffers => "reply-to-differs",
            Kind::RiskyAttachment => "risky-attachment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: Kind,
    /// In English, for administrators and as a fallback.
    pub detail: String,
    pub facts: Facts,
}

/// The structured facts behind a warning; absent ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Facts {
    /// Why, as a machine word: `dmarc`, `spf`, `address`, `domain`,
    /// `mismatch`, `ip-address`, `userinfo`, `confusable`, `mixed-script`,
    /// `one-edit`, `own-domain`, `executable`, `script`, `macro`, `disk-image`, `html`,
    /// `shortcut`, `double-extension`, `bidi-control`, `archive-content`,
    /// `encrypted-archive`, `unreadable-archive`, `archive-too-large`,
    /// `archive-limits`, `unknown-archive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// What the message claims: a domain or address in the display name,
    /// the host a link shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<String>,
    /// What is real: the sender's address or domain, a link's destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The domain in question, decoded for display.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Its ASCII (punycode) form, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ascii: Option<String>,
    /// The known domain it resembles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imitates: Option<String>,
    /// The attachment's name (control characters shown as `�`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// The entry inside an archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Where the domain was found: `sender` or `link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<&'static str>,
}

/// A name from the message, fit to print: control and bidi characters
/// replaced, cut to 200 characters.
pub fn printable(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(200)
        .map(|c| {
            if c.is_control() || crate::attachments::is_bidi_control(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    if name.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_in_the_documented_shape() {
        let report = Report {
            authentication: Authentication::none(None),
            warnings: vec![Warning {
                kind: Kind::ReplyToDiffers,
                detail: "x".into(),
                facts: Facts {
                    reason: Some("domain"),
                    ..Facts::default()
                },
            }],
        };
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["authentication"]["verdict"], "none");
        assert!(json["authentication"]["spf"].is_null());
        assert!(json["authentication"]["authserv_id"].is_null());
        assert_eq!(json["warnings"][0]["kind"], "reply-to-differs");
        assert_eq!(json["warnings"][0]["facts"]["reason"], "domain");
        assert!(json["warnings"][0]["facts"].get("claimed").is_none());
        assert_eq!(printable("a\r\nb\u{202e}c"), "a\u{fffd}\u{fffd}b\u{fffd}c");
    }
}
