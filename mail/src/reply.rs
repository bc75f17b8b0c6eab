//! Replying and forwarding: subjects without piled-up prefixes, quoted
//! text, recipients (reply-all without oneself), and threading headers.

use mail_parser::{Address, MessageParser};

use crate::MailError;

/// Prefixes of replies and forwards in common languages.
const PREFIXES: &[&str] = &["re", "fw", "fwd", "tr", "aw", "wg", "sv", "vs", "rv", "réf"];

/// `subject` without its leading `Re:`/`Fwd:`/`TR :`… (also `Re[2]:`).
pub fn bare_subject(subject: &str) -> &str {
    let mut s = subject.trim();
    loop {
        let Some(colon) = s.find(':') else { return s };
        let head = s[..colon].trim();
        let word = head.split('[').next().unwrap_or_default().trim();
        if PREFIXES.iter().any(|p| word.eq_ignore_ascii_case(p)) && head.len() <= 10 {
            s = s[colon + 1..].trim_start();
        } else {
            return s;
        }
    }
}

/// `Re: subject` or `Fwd: subject`, never `Re: Re: subject`.
pub fn prefixed(prefix: &str, subject: &str) -> String {
    format!("{prefix}: {}", bare_subject(subject))
}

/// Every line of `text` quoted with `> `.
pub fn quote(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with('>') {
                format!(">{l}")
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a reply or forward starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Original {
    pub from_name: String,
    /// Where replies go: `Reply-To`, else `From`.
    pub reply_to: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub date: Option<i64>,
    pub message_id: Option<String>,
    pub references: Vec<String>,
    pub text: String,
}

fn list(address: Option<&Address<'_>>) -> Vec<String> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|m| m.address())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads what a reply needs from a message's header section and the bodies
/// the view shows (the plain text, else the HTML made text): a reply never
/// reads the message whole, whatever its size.
pub fn original(
    header: &[u8],
    text: Option<&str>,
    html: Option<&str>,
) -> Result<Original, MailError> {
    let mut block = header.to_vec();
    block.extend_from_slice(b"\r\n");
    let m = MessageParser::default()
        .parse_headers(&block)
        .ok_or_else(|| MailError::Unparseable("no message in the input".into()))?;
    let text = match (text, html) {
        (Some(text), _) => text.to_owned(),
        (None, Some(html)) => mail_parser::decoders::html::html_to_text(html),
        (None, None) => String::new(),
    };
    let from = m.from().and_then(|a| a.first());
    let reply_to = match list(m.reply_to()) {
        r if r.is_empty() => list(m.from()),
        r => r,
    };
    Ok(Original {
        from_name: from
            .and_then(|f| f.name().or(f.address()))
            .unwrap_or_default()
            .to_owned(),
        reply_to,
        to: list(m.to()),
        cc: list(m.cc()),
        subject: m.subject().unwrap_or_default().to_owned(),
        date: m.date().map(|d| d.to_timestamp()),
        message_id: m.message_id().map(|id| format!("<{id}>")),
        references: m
            .references()
            .as_text_list()
            .into_iter()
            .flatten()
            .map(|id| format!("<{id}>"))
            .collect(),
        text,
    })
}

/// Recipients of a reply: the sender, and with `all` everyone else who got
/// it, never `me` and never twice. Returns (to, cc).
pub fn recipients(o: &Original, me: &str, all: bool) -> (Vec<String>, Vec<String>) {
    let mine = |a: &String| a.eq_ignore_ascii_case(me);
    let mut to: Vec<String> = o.reply_to.iter().filter(|a| !mine(a)).cloned().collect();
    if to.is_empty() {
        // Replying to one's own message: to whom it went.
        to = o.to.iter().filter(|a| !mine(a)).cloned().collect();
    }
    let mut cc = Vec::new();
    if all {
        for a in o.to.iter().chain(&o.cc) {
            let seen = to.iter().chain(&cc).any(|x| x.eq_ignore_ascii_case(a));
            if !mine(a) && !seen {
                cc.push(a.clone());
            }
        }
    }
    (to, cc)
}

/// The `References` of a reply: the original's, then the original itself.
pub fn references(o: &Original) -> Vec<String> {
    let mut refs: Vec<String> = o.references.iter().rev().take(20).rev().cloned().collect();
    refs.extend(o.message_id.clone());
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_do_not_pile_up() {
        assert_eq!(prefixed("Re", "Re: RE: Fwd: Réunion"), "Re: Réunion");
        assert_eq!(prefixed("Re", "TR : Re[2]: Budget"), "Re: Budget");
        assert_eq!(
            prefixed("Fwd", "Réunion: ordre du jour"),
            "Fwd: Réunion: ordre du jour"
        );
        assert_eq!(prefixed("Re", ""), "Re: ");
    }

    #[test]
    fn quoting_and_recipients() {
        assert_eq!(quote("Bonjour\n> cité\n"), "> Bonjour\n>> cité");
        let raw = b"From: Alice <alice@example.test>\r\nTo: me@example.test, bob@example.test\r\n\
Cc: Carol <carol@example.test>, ME@example.test\r\nSubject: Plan\r\nMessage-ID: <m2@x>\r\n\
References: <m0@x> <m1@x>\r\n";
        let o = original(raw, Some("Le plan.\r\n"), None).expect("parsed");
        assert_eq!(o.from_name, "Alice");
        assert_eq!(
            recipients(&o, "me@example.test", false),
            (vec!["alice@example.test".to_owned()], vec![])
        );
        assert_eq!(
            recipients(&o, "me@example.test", true),
            (
                vec!["alice@example.test".to_owned()],
                vec![
                    "bob@example.test".to_owned(),
                    "carol@example.test".to_owned()
                ]
            )
        );
        assert_eq!(references(&o), ["<m0@x>", "<m1@x>", "<m2@x>"]);
        assert_eq!(o.text.trim(), "Le plan.");
        // An HTML body alone is quoted as its text.
        let o = original(raw, None, Some("<p>Le <b>plan</b>.</p>")).expect("parsed");
        assert_eq!(o.text.trim(), "Le plan.");
    }
}
