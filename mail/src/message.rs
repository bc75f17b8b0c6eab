//! A message as the reader sees it: headers, bodies and the list of parts,
//! from raw RFC 5322 bytes (mail-parser). Whatever can be shown is shown:
//! broken MIME, unknown charsets and missing headers degrade, never fail.

use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::MailError;

/// The longest subject or name kept (a 1 MB subject is cut, not shown whole).
const MAX_HEADER_CHARS: usize = 2_000;
/// Recipients shown per field; the rest are counted.
const MAX_RECIPIENTS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: Option<String>,
}

/// A part the reader may download (or that an inline image refers to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The attachment's position among the message's attachments.
    pub part: u32,
    pub name: String,
    pub content_type: String,
    pub size: usize,
    pub content_id: Option<String>,
    pub inline: bool,
    /// Executables, scripts, macro documents and archives: flagged to the reader.
    pub risky: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub subject: String,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Recipients left out of `to` and `cc` because there were too many.
    pub more_recipients: usize,
    pub date: Option<i64>,
    pub message_id: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_HEADER_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn mailboxes(list: Option<&Address<'_>>, left_out: &mut usize) -> Vec<Mailbox> {
    let Some(list) = list else { return Vec::new() };
    let mut out = Vec::new();
    for m in list.iter() {
        if out.len() == MAX_RECIPIENTS {
            *left_out += 1;
            continue;
        }
        out.push(Mailbox {
            name: m.name().map(cut),
            address: m.address().map(cut),
        });
    }
    out
}

const RISKY_EXTENSIONS: &[&str] = &[
    "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
    "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "hta", "lnk", "reg", "iso", "img", "vhd", "apk",
    "app", "dmg", "sh", "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "sldm",
    "zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "cab", "ace", "arj", "html", "htm", "svg",
    "xhtml", "shtml", "mht", "mhtml",
];

/// Whether a part with this name and type could run code when opened.
pub fn is_risky(name: &str, content_type: &str) -> bool {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let ct = content_type.to_ascii_lowercase();
    RISKY_EXTENSIONS.contains(&ext.as_str())
        || ct.contains("msdownload")
        || ct.contains("executable")
        || ct.contains("javascript")
        || ct.contains("macroenabled")
        || ct.contains("zip")
        || ct.contains("html")
        || ct.contains("svg")
}

fn content_type_of(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase()
}

/// A message with nothing in it (what a header that cannot be read shows).
pub fn empty() -> Message {
    Message {
        subject: String::new(),
        from: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        more_recipients: 0,
        date: None,
        message_id: None,
        text: None,
        html: None,
        attachments: Vec::new(),
    }
}

/// Parses a message. Only input that holds no message at all is an error.
pub fn parse(raw: &[u8]) -> Result<Message, MailError> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| MailError::Unparseable("no message in the input".into()))?;
    let mut left_out = 0;
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| {
            let content_type = content_type_of(part);
            let name = part
                .attachment_name()
                .map(cut)
                .unwrap_or_else(|| format!("part-{i}"));
            Attachment {
                part: i as u32,
                risky: is_risky(&name, &content_type),
                size: part.len(),
                content_id: part.content_id().map(|c| cut(c.trim_matches(['<', '>']))),
                inline: part.content_disposition().is_some_and(|d| d.is_inline()),
                name,
                content_type,
            }
        })
        .collect();
    Ok(Message {
        subject: msg.subject().map(cut).unwrap_or_default(),
        from: mailboxes(msg.from(), &mut 0),
        to: mailboxes(msg.to(), &mut left_out),
        cc: mailboxes(msg.cc(), &mut left_out),
        more_recipients: left_out,
        date: msg.date().map(|d| d.to_timestamp()),
        message_id: msg.message_id().map(cut),
        text: msg.body_text(0).map(|t| t.into_owned()),
        html: msg.body_html(0).map(|h| h.into_owned()),
        attachments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_bodies_and_parts() {
        let raw = b"From: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@example.fr>\r\nTo: a@example.test, b@example.test\r\n\
Subject: =?UTF-8?Q?R=C3=A9union?=\r\nDate: Thu, 1 Jan 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n\
--b\r\nContent-Type: application/x-msdownload; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n";
        let m = parse(raw).expect("parsed");
        assert_eq!(m.subject, "Réunion");
        assert_eq!(m.from[0].name.as_deref(), Some("Élodie"));
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.date, Some(1_767_261_600));
        assert_eq!(m.text.as_deref().map(str::trim), Some("Bonjour"));
        assert_eq!(m.attachments.len(), 1);
        assert!(m.attachments[0].risky);
        assert_eq!(m.attachments[0].name, "setup.exe");
        assert_eq!(m.attachments[0].size, 12);
    }

    #[test]
    fn huge_headers_are_cut_and_crowds_counted() {
        let to: Vec<String> = (0..5000).map(|i| format!("u{i}@example.test")).collect();
        let raw = format!(
            "Subject: {}\r\nTo: {}\r\n\r\nbody",
            "x".repeat(1_000_000),
            to.join(", ")
        );
        let m = parse(raw.as_bytes()).expect("parsed");
        assert!(m.subject.chars().count() <= MAX_HEADER_CHARS + 1);
        assert_eq!(m.to.len(), MAX_RECIPIENTS);
        assert_eq!(m.more_recipients, 5000 - MAX_RECIPIENTS);
    }
}
