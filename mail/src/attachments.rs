//! A message's parts as the server describes them (BODYSTRUCTURE), and their
//! bytes fetched a chunk at a time (`BODY.PEEK[section]<offset.length>`) and
//! decoded as they come, so that a 50 MB attachment is never held whole.

use async_imap::imap_proto::{BodyStructure, ContentEncoding, SectionPath};
use futures::TryStreamExt;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::imap::ImapSession;
use crate::message::is_risky;
use crate::MailError;

/// How a part's bytes are encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Identity,
    Base64,
    QuotedPrintable,
}

/// An attachment, or an inline part such as a `cid:` image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The IMAP section, e.g. `2` or `1.3`.
    pub section: String,
    pub name: String,
    pub content_type: String,
    /// Bytes on the wire (encoded); `size` is the decoded estimate.
    pub encoded_size: u32,
    pub size: u64,
    pub encoding: Encoding,
    pub content_id: Option<String>,
    pub inline: bool,
    /// Executables, scripts, macro documents and archives: flagged to the reader.
    pub risky: bool,
}

/// `1.2` as a section path; `None` for anything else.
pub fn parse_section(section: &str) -> Option<Vec<u32>> {
    if section.is_empty() || section.len() > 64 {
        return None;
    }
    section
        .split('.')
        .map(|n| n.parse::<u32>().ok().filter(|n| *n > 0))
        .collect()
}

/// The parameters of a part's headers, decoded by mail-parser (RFC 2047
/// encoded words, RFC 2231 continuations and charsets).
fn display_name(params: &[(&str, &str)]) -> Option<String> {
    let mut header = String::from("Content-Disposition: attachment");
    for (key, value) in params {
        let clean = |s: &str| s.replace(['\r', '\n', '\0'], " ");
        let key = clean(key);
        if key.ends_with('*') {
            header.push_str(&format!("; {key}={}", clean(value)));
        } else {
            let value = clean(value).replace('\\', "\\\\").replace('"', "\\\"");
            header.push_str(&format!("; {key}=\"{value}\""));
        }
    }
    header.push_str("\r\n\r\n");
    let parsed = MessageParser::default().parse(header.as_bytes())?;
    parsed.attachment_name().map(str::to_owned)
}

/// A text part the message view shows (not an attachment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBody {
    /// The IMAP section (`1`, `1.2`); `top` when the message is that part alone.
    pub section: String,
    pub top: bool,
    /// `html` or `plain`.
    pub subtype: String,
    /// Bytes on the wire (encoded).
    pub octets: u32,
}

fn section_name(path: &[u32]) -> String {
    if path.is_empty() {
        "1".to_owned()
    } else {
        path.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn walk(
    body: &BodyStructure<'_>,
    path: &mut Vec<u32>,
    out: &mut Vec<Part>,
    texts: &mut Vec<TextBody>,
) {
    let (common, other) = match body {
        BodyStructure::Multipart { bodies, .. } => {
            for (i, b) in bodies.iter().enumerate() {
                path.push(i as u32 + 1);
                walk(b, path, out, texts);
                path.pop();
            }
            return;
        }
        BodyStructure::Basic { common, other, .. }
        | BodyStructure::Text { common, other, .. }
        | BodyStructure::Message { common, other, .. } => (common, other),
    };
    let content_type = format!("{}/{}", common.ty.ty, common.ty.subtype).to_ascii_lowercase();
    let disposition = common
        .disposition
        .as_ref()
        .map(|d| d.ty.to_ascii_lowercase());
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(d) = &common.disposition {
        params.extend(
            d.params
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_ref(), v.as_ref())),
        );
    }
    params.extend(
        common
            .ty
            .params
            .iter()
            .flatten()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with("name"))
            .map(|(k, v)| (k.as_ref(), v.as_ref())),
    );
    let name = display_name(&params);
    // A body the view shows; any other text part (a calendar invitation…)
    // is listed with the attachments.
    let subtype = common.ty.subtype.to_ascii_lowercase();
    let is_text_body = matches!(body, BodyStructure::Text { .. })
        && (subtype == "html" || subtype == "plain")
        && name.is_none()
        && disposition.as_deref() != Some("attachment");
    if is_text_body {
        texts.push(TextBody {
            section: section_name(path),
            top: path.is_empty(),
            subtype,
            octets: other.octets,
        });
        return;
    }
    let encoding = match other.transfer_encoding {
        ContentEncoding::Base64 => Encoding::Base64,
        ContentEncoding::QuotedPrintable => Encoding::QuotedPrintable,
        _ => Encoding::Identity,
    };
    let size = match encoding {
        // Four characters make three bytes; lines of 76 end in CRLF.
        Encoding::Base64 => u64::from(other.octets) * 76 / 78 * 3 / 4,
        _ => u64::from(other.octets),
    };
    let section = section_name(path);
    let fallback = match body {
        BodyStructure::Message { .. } => format!("message-{section}.eml"),
        _ => format!("part-{section}"),
    };
    let name: String = name.unwrap_or(fallback).chars().take(255).collect();
    out.push(Part {
        risky: is_risky(&name, &content_type),
        section,
        name,
        content_type,
        encoded_size: other.octets,
        size,
        encoding,
        content_id: other.id.as_ref().map(|id| {
            id.trim()
                .trim_matches(['<', '>'])
                .chars()
                .take(500)
                .collect()
        }),
        inline: disposition.as_deref() == Some("inline"),
    });
}

/// The attachments and inline parts of message `uid` in `folder`.
pub async fn list(imap: &mut ImapSession, folder: &str, uid: u32) -> Result<Vec<Part>, MailError> {
    imap.ensure_current(folder).await?;
    let fetched: Vec<_> = imap
        .uid_fetch(uid.to_string(), "BODYSTRUCTURE")
        .await?
        .try_collect()
        .await?;
    let body = fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .ok_or(MailError::NoSuchMessage(uid))?
        .bodystructure()
        .ok_or_else(|| MailError::Protocol("no BODYSTRUCTURE in the answer".into()))?;
    Ok(structure(body).0)
}

/// The attachments and inline parts of a BODYSTRUCTURE, and the text
/// parts the view shows.
pub fn structure(body: &BodyStructure<'_>) -> (Vec<Part>, Vec<TextBody>) {
    let (mut parts, mut texts) = (Vec::new(), Vec::new());
    walk(body, &mut Vec::new(), &mut parts, &mut texts);
    (parts, texts)
}

/// `length` encoded bytes of a part from `offset` (of the whole message when
/// `section` is empty); fewer (or none) at its end.
pub async fn chunk(
    imap: &mut ImapSession,
    folder: &str,
    uid: u32,
    section: &[u32],
    offset: u64,
    length: u32,
) -> Result<Vec<u8>, MailError> {
    imap.ensure_selected(folder).await?;
    let name = section
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".");
    let fetched: Vec<_> = imap
        .uid_fetch(
            uid.to_string(),
            format!("BODY.PEEK[{name}]<{offset}.{length}>"),
        )
        .await?
        .try_collect()
        .await?;
    let wanted = SectionPath::Part(section.to_vec(), None);
    let message = fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .ok_or(MailError::NoSuchMessage(uid))?;
    let bytes = if section.is_empty() {
        message.body()
    } else {
        message.section(&wanted)
    };
    Ok(bytes.map(<[u8]>::to_vec).unwrap_or_default())
}

/// Decodes a part's transfer encoding a chunk at a time.
#[derive(Debug)]
pub struct Decoder {
    encoding: Encoding,
    /// Base64: bits not yet making a byte. QP: an `=` sequence cut by the chunk.
    bits: u32,
    nbits: u8,
    pending: Vec<u8>,
}

fn base64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

impl Decoder {
    pub fn new(encoding: Encoding) -> Self {
        Decoder {
            encoding,
            bits: 0,
            nbits: 0,
            pending: Vec::new(),
        }
    }

    /// The decoded bytes of `input`, given everything pushed before it.
    pub fn push(&mut self, input: &[u8]) -> Vec<u8> {
        match self.encoding {
            Encoding::Identity => input.to_vec(),
            Encoding::Base64 => {
                let mut out = Vec::with_capacity(input.len() * 3 / 4 + 3);
                // Whatever is not of the alphabet (line breaks, padding,
                // stray characters) is skipped, as mail readers do.
                for v in input.iter().filter_map(|b| base64_value(*b)) {
                    self.bits = (self.bits << 6) | v;
                    self.nbits += 6;
                    if self.nbits >= 8 {
                        self.nbits -= 8;
                        out.push((self.bits >> self.nbits) as u8);
                        self.bits &= (1 << self.nbits) - 1;
                    }
                }
                out
            }
            Encoding::QuotedPrintable => {
                let mut data = std::mem::take(&mut self.pending);
                data.extend_from_slice(input);
                let mut out = Vec::with_capacity(data.len());
                let mut i = 0;
                while i < data.len() {
                    if data[i] != b'=' {
                        out.push(data[i]);
                        i += 1;
                        continue;
                    }
                    let rest = &data[i + 1..];
                    match rest {
                        [] | [b'\r'] => {
                            self.pending = data[i..].to_vec();
                            break;
                        }
                        [b'\r', b'\n', ..] => i += 3,
                        [b'\n', ..] => i += 2,
                        [a] if hex(*a).is_some() => {
                            self.pending = data[i..].to_vec();
                            break;
                        }
                        [a, b, ..] if hex(*a).is_some() && hex(*b).is_some() => {
                            out.push(hex(*a).unwrap_or(0) << 4 | hex(*b).unwrap_or(0));
                            i += 3;
                        }
                        _ => {
                            out.push(b'=');
                            i += 1;
                        }
                    }
                }
                out
            }
        }
    }

    /// What is left at the end of the part.
    pub fn finish(self) -> Vec<u8> {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(encoding: Encoding, input: &[u8], size: usize) -> Vec<u8> {
        let mut d = Decoder::new(encoding);
        let mut out = Vec::new();
        for c in input.chunks(size) {
            out.extend(d.push(c));
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn base64_across_any_chunk_boundary() {
        let original: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let mut encoded = String::new();
        const TABLE: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (n, c) in original.chunks(3).enumerate() {
            let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
            let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for k in 0..4 {
                if k <= c.len() {
                    encoded.push(TABLE[(v >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    encoded.push('=');
                }
            }
            if n % 19 == 18 {
                encoded.push_str("\r\n");
            }
        }
        for size in [1, 2, 3, 5, 76, 77, 1000, 10_000] {
            assert_eq!(
                decode_in_chunks(Encoding::Base64, encoded.as_bytes(), size),
                original,
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn quoted_printable_across_any_chunk_boundary() {
        let encoded = b"caf=C3=A9 au lait=\r\nsoft break, =3D sign, stray = here=\nend=4";
        let expected = "café au laitsoft break, = sign, stray = hereend=4".as_bytes();
        for size in 1..encoded.len() {
            assert_eq!(
                decode_in_chunks(Encoding::QuotedPrintable, encoded, size),
                expected,
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn sections_are_numbers_only() {
        assert_eq!(parse_section("1.2"), Some(vec![1, 2]));
        assert_eq!(parse_section("3"), Some(vec![3]));
        for bad in ["", "0", "1..2", "1.x", "1]<0.9>", "HEADER", "-1"] {
            assert_eq!(parse_section(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_are_decoded() {
        assert_eq!(
            display_name(&[("filename", "=?UTF-8?B?w6l0w6kucGRm?=")]).as_deref(),
            Some("été.pdf")
        );
        assert_eq!(
            display_name(&[("filename*", "utf-8''r%C3%A9sum%C3%A9.pdf")]).as_deref(),
            Some("résumé.pdf")
        );
        assert_eq!(
            display_name(&[("filename", "a\"b\r\nX-Evil: 1")]).as_deref(),
            Some("a\"b  X-Evil: 1")
        );
        assert_eq!(display_name(&[]), None);
    }
}
