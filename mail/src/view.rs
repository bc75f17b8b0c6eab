//! What the message view fetches of a message, and no more: its structure
//! (`BODYSTRUCTURE`), its header section, and the first HTML and plain-text
//! bodies, at most [`MAX_HTML_BYTES`] and [`MAX_TEXT_BYTES`] on the wire,
//! the HTML also within the tags its sanitiser can afford (see
//! `html_budget`); a longer one is cut, and said to be. Attachments and inline images stay on the server until
//! asked for, a part at a time; so a message of any size opens in bounded
//! memory, whoever sent it.

use async_imap::imap_proto::{MessageSection, SectionPath};
use futures::TryStreamExt;
use mail_parser::MessageParser;

use crate::attachments::{structure, Part, TextBody};
use crate::imap::ImapSession;
use crate::message::{self, Message};
use crate::MailError;

/// The most of an HTML body read, encoded (beyond it, it is cut): its
/// sanitiser's tree costs about twelve times the text of a dense newsletter.
pub const MAX_HTML_BYTES: u32 = 512 << 10;
/// The most of a plain-text body read, encoded.
pub const MAX_TEXT_BYTES: u32 = 1 << 20;
/// The most of the header section read.
pub const MAX_HEADER_BYTES: usize = 1 << 20;
/// The most of a part's own MIME header read.
const MAX_MIME_BYTES: usize = 64 << 10;

/// The header fields the view shows and the analysis reads, when the whole
/// header is too long to read.
async fn fields(imap: &mut ImapSession, uid: u32) -> Result<Vec<u8>, MailError> {
    let fetched: Vec<_> = imap
        .uid_fetch(
            uid.to_string(),
            format!("{}<0.{MAX_HEADER_BYTES}>", crate::listing::HEADER_FIELDS),
        )
        .await?
        .try_collect()
        .await?;
    Ok(fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.header())
        .unwrap_or_default()
        .to_vec())
}

/// The parts of a message the view shows.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The header section, as stored (at most [`MAX_HEADER_BYTES`]).
    pub header: Vec<u8>,
    /// Headers and the bodies shown, decoded; `truncated` when a body was cut.
    pub message: Message,
    pub truncated: bool,
    /// The attachments and inline parts (not fetched).
    pub parts: Vec<Part>,
}

fn path(section: &str) -> Vec<u32> {
    section.split('.').filter_map(|n| n.parse().ok()).collect()
}

/// A body's bytes, decoded (transfer encoding and charset) as mail-parser
/// does: its own MIME header before them makes a message of one part.
fn decode(mime: &[u8], bytes: &[u8], html: bool) -> Option<String> {
    let mut one = mime.to_vec();
    if !one.ends_with(b"\r\n\r\n") && !one.ends_with(b"\n\n") {
        one.extend_from_slice(b"\r\n");
    }
    one.extend_from_slice(bytes);
    let parsed = MessageParser::default().parse(&one)?;
    let body = if html {
        parsed.body_html(0)
    } else {
        parsed.body_text(0)
    };
    body.map(|b| b.into_owned())
}

/// Fetches what the view shows of message `uid` in `folder` (without
/// marking it read).
pub async fn fetch(imap: &mut ImapSession, folder: &str, uid: u32) -> Result<Shown, MailError> {
    imap.ensure_current(folder).await?;
    let fetched: Vec<_> = imap
        .uid_fetch(
            uid.to_string(),
            format!("(BODYSTRUCTURE BODY.PEEK[HEADER]<0.{MAX_HEADER_BYTES}>)"),
        )
        .await?
        .try_collect()
        .await?;
    let f = fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .ok_or(MailError::NoSuchMessage(uid))?;
    let mut header = f.header().unwrap_or_default().to_vec();
    if header.len() >= MAX_HEADER_BYTES {
        // Padded past the cut: the fields that say who sent it, read apart
        // (a `From` hidden after a megabyte of other fields is still seen).
        header = fields(imap, uid).await?;
    }
    let (parts, texts) = match f.bodystructure() {
        Some(body) => structure(body),
        None => (Vec::new(), Vec::new()),
    };
    let mut header_block = header.clone();
    header_block.extend_from_slice(b"\r\n");
    let mut message = message::parse(&header_block).unwrap_or_else(|_| message::empty());
    message.text = None;
    message.html = None;
    let mut truncated = false;
    let first = |subtype: &str| texts.iter().find(|t| t.subtype == subtype).cloned();
    for body in [first("html"), first("plain")].into_iter().flatten() {
        let (mut text, cut) = fetch_body(imap, uid, &body, &header).await?;
        truncated |= cut;
        if body.subtype == "html" {
            if let Some(html) = &mut text {
                // Dropped by the parser anyway; the budget must see the
                // tags it will.
                html.retain(|c| c != '\0' && c != '\u{feff}');
                let kept = crate::html_budget::bounded(html).0.len();
                truncated |= kept < html.len();
                html.truncate(kept);
            }
            message.html = text;
        } else {
            message.text = text;
        }
    }
    Ok(Shown {
        header,
        message,
        truncated,
        parts,
    })
}

/// One body, at most its maximum of it, decoded; and whether it was cut.
async fn fetch_body(
    imap: &mut ImapSession,
    uid: u32,
    body: &TextBody,
    header: &[u8],
) -> Result<(Option<String>, bool), MailError> {
    let s = &body.section;
    let max = if body.subtype == "html" {
        MAX_HTML_BYTES
    } else {
        MAX_TEXT_BYTES
    };
    let query = if body.top {
        format!("BODY.PEEK[{s}]<0.{max}>")
    } else {
        format!("(BODY.PEEK[{s}.MIME]<0.{MAX_MIME_BYTES}> BODY.PEEK[{s}]<0.{max}>)")
    };
    let fetched: Vec<_> = imap
        .uid_fetch(uid.to_string(), query)
        .await?
        .try_collect()
        .await?;
    let Some(f) = fetched.iter().find(|f| f.uid == Some(uid)) else {
        return Ok((None, false));
    };
    let bytes = f
        .section(&SectionPath::Part(path(s), None))
        .unwrap_or_default();
    let mime = if body.top {
        header
    } else {
        f.section(&SectionPath::Part(path(s), Some(MessageSection::Mime)))
            .unwrap_or_default()
    };
    let cut = body.octets > max;
    Ok((decode(mime, bytes, body.subtype == "html"), cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_decoded_by_its_own_header() {
        let mime = b"Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
        assert_eq!(
            decode(mime, b"<p>caf=E9</p>", true).as_deref(),
            Some("<p>caf\u{e9}</p>")
        );
        let mime =
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        // Cut in the middle of a group: what can be read is read.
        assert_eq!(
            decode(mime, b"Qm9uam91cg==", false).as_deref(),
            Some("Bonjour")
        );
        assert!(decode(mime, b"Qm9uam91", false).is_some_and(|t| t.starts_with("Bonj")));
    }
}
