//! What the reader searches for, turned into IMAP SEARCH criteria that the
//! mail server executes. Every user-typed term goes through `imap::quote`.

use serde::{Deserialize, Serialize};

use crate::imap::quote;
use crate::MailError;

/// A search. `text` is what was typed in the search box: words and
/// "quoted phrases", each matched anywhere in the message, or narrowed with
/// `from:`, `to:`, `subject:` or `body:` (e.g. `from:elodie "bon voyage"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub text: String,
    /// First day included, `YYYY-MM-DD`.
    pub since: Option<String>,
    /// First day excluded, `YYYY-MM-DD`.
    pub before: Option<String>,
    pub unread: bool,
    pub flagged: bool,
    pub attachment: bool,
    /// Only messages with this label (an IMAP keyword).
    pub label: Option<String>,
}

/// The words and phrases of the search box, with the field each is for.
fn terms(text: &str) -> Vec<(Option<&'static str>, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return out;
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
                chars.next();
            } else if c.is_whitespace() && !quoted {
                break;
            } else {
                word.push(c);
                chars.next();
            }
        }
        let mut field = None;
        for (prefix, key) in [
            ("from:", "FROM"),
            ("to:", "TO"),
            ("subject:", "SUBJECT"),
            ("body:", "BODY"),
        ] {
            if word.len() > prefix.len()
                && word.is_char_boundary(prefix.len())
                && word[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                field = Some(key);
                word = word[prefix.len()..].to_owned();
                break;
            }
        }
        if !word.is_empty() {
            out.push((field, word));
        }
    }
}

/// `2026-01-31` as the IMAP date `31-Jan-2026`.
fn imap_date(day: &str) -> Result<String, MailError> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let bad = || MailError::BadSearch(format!("`{day}` is not a date (YYYY-MM-DD)"));
    let mut parts = day.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let year: u16 = y.parse().map_err(|_| bad())?;
    let month: usize = m.parse().map_err(|_| bad())?;
    let dom: u8 = d.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&dom) || !(1000..=9999).contains(&year) {
        return Err(bad());
    }
    Ok(format!("{dom}-{}-{year}", MONTHS[month - 1]))
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.since.as_deref().is_none_or(|d| d.trim().is_empty())
            && self.before.as_deref().is_none_or(|d| d.trim().is_empty())
            && !self.unread
            && !self.flagged
            && !self.attachment
            && self.label.as_deref().is_none_or(|l| l.trim().is_empty())
    }

    /// The IMAP SEARCH criteria (`ALL` for an empty query).
    pub fn to_imap(&self) -> Result<String, MailError> {
        let mut criteria = Vec::new();
        for (field, term) in terms(&self.text) {
            let quoted = quote(&term).map_err(|_| {
                MailError::BadSearch("line breaks are not allowed in a search".into())
            })?;
            criteria.push(format!("{} {quoted}", field.unwrap_or("TEXT")));
        }
        if let Some(day) = self.since.as_deref().filter(|d| !d.trim().is_empty()) {
            criteria.push(format!("SINCE {}", imap_date(day)?));
        }
        if let Some(day) = self.before.as_deref().filter(|d| !d.trim().is_empty()) {
            criteria.push(format!("BEFORE {}", imap_date(day)?));
        }
        if self.unread {
            criteria.push("UNSEEN".into());
        }
        if self.flagged {
            criteria.push("FLAGGED".into());
        }
        if let Some(label) = self.label.as_deref().filter(|l| !l.trim().is_empty()) {
            if !crate::labels::is_keyword(label) {
                return Err(MailError::BadSearch(format!("`{label}` is not a label")));
            }
            criteria.push(format!("KEYWORD {label}"));
        }
        if self.attachment {
            criteria.push("HEADER Content-Type \"multipart/mixed\"".into());
        }
        if criteria.is_empty() {
            criteria.push("ALL".into());
        }
        Ok(criteria.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Query {
        Query {
            text: t.into(),
            ..Query::default()
        }
    }

    #[test]
    fn words_phrases_and_fields() {
        assert_eq!(
            text("from:élodie \"bon voyage\" subject:\"compte rendu\" x")
                .to_imap()
                .ok()
                .as_deref(),
            Some("FROM \"élodie\" TEXT \"bon voyage\" SUBJECT \"compte rendu\" TEXT \"x\"")
        );
        assert_eq!(Query::default().to_imap().ok().as_deref(), Some("ALL"));
        assert!(Query::default().is_empty());
    }

    #[test]
    fn hostile_terms_stay_inside_their_quotes() {
        assert_eq!(
            text(r#"a"b\c"#).to_imap().ok().as_deref(),
            Some(r#"TEXT "ab\\c""#)
        );
        assert_eq!(
            text(r#"x\") ALL"#).to_imap().ok().as_deref(),
            Some(r#"TEXT "x\\) ALL""#)
        );
        assert!(
            text("x\r\nA1 LOGOUT").to_imap().is_err() || {
                // A line break splits words; none survives into the command.
                text("x\r\nA1 LOGOUT")
                    .to_imap()
                    .is_ok_and(|c| !c.contains('\r') && !c.contains('\n'))
            }
        );
        assert!(text("a\0b").to_imap().is_err());
    }

    #[test]
    fn dates_flags_and_attachments() {
        let q = Query {
            since: Some("2026-01-05".into()),
            before: Some("2026-02-01".into()),
            unread: true,
            flagged: true,
            attachment: true,
            ..Query::default()
        };
        assert_eq!(
            q.to_imap().ok().as_deref(),
            Some("SINCE 5-Jan-2026 BEFORE 1-Feb-2026 UNSEEN FLAGGED HEADER Content-Type \"multipart/mixed\"")
        );
        let bad = Query {
            since: Some("yesterday".into()),
            ..Query::default()
        };
        assert!(matches!(bad.to_imap(), Err(MailError::BadSearch(_))));
    }

    #[test]
    fn a_label_is_a_keyword_search_and_nothing_else() {
        let q = |label: &str| Query {
            label: Some(label.into()),
            ..Query::default()
        };
        assert_eq!(
            q("$label1").to_imap().ok().as_deref(),
            Some("KEYWORD $label1")
        );
        assert!(!q("$label1").is_empty() && q(" ").is_empty());
        for hostile in [
            "a b",
            "x\r\nA1 DELETE INBOX",
            "a) OR (ALL",
            "\\Seen",
            "\"x\"",
        ] {
            assert!(
                matches!(q(hostile).to_imap(), Err(MailError::BadSearch(_))),
                "{hostile}"
            );
        }
    }
}
