//! What the analysis reads: the raw header section, the bodies the view
//! shows, and the attachments as BODYSTRUCTURE lists them (with the bytes
//! of archives small enough to look inside). Not the whole message.

use std::borrow::Cow;

use mail_parser::{MessageParser, MessagePart, MimeHeaders, PartType};

use crate::attachments::{wants_content, AttachmentInput};
use crate::report::Authentication;

/// Attachments looked at per message.
pub const MAX_ATTACHMENTS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input<'a> {
    /// The raw header section (`BODY.PEEK[HEADER]`).
    pub headers: Cow<'a, [u8]>,
    pub html: Option<Cow<'a, str>>,
    pub text: Option<Cow<'a, str>>,
    pub attachments: Vec<AttachmentInput<'a>>,
    /// Estafette's own DKIM check ([`crate::dkim::Verifier`]), used when no
    /// trusted `Authentication-Results` header exists.
    pub verified: Option<Authentication>,
}

fn content_type(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase()
}

fn attachment(part: &MessagePart<'_>, name: String) -> AttachmentInput<'static> {
    let content_type = content_type(part);
    let size = part.len() as u64;
    let content =
        wants_content(&name, &content_type, size).then(|| Cow::Owned(part.contents().to_vec()));
    AttachmentInput {
        name,
        content_type,
        size,
        content,
    }
}

/// Builds the input from a whole message (mail-parser); `None` when there
/// is no message in it. Attachments of an attached message are listed
/// too, named `outer.eml/inner.exe`.
pub fn from_raw(raw: &[u8]) -> Option<Input<'_>> {
    let msg = MessageParser::default().parse(raw)?;
    let body_at = (msg.root_part().offset_body as usize).min(raw.len());
    let mut attachments = Vec::new();
    for (i, part) in msg.attachments().enumerate().take(MAX_ATTACHMENTS) {
        let name = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("part-{}", i + 1));
        if let PartType::Message(inner) = &part.body {
            for (j, p) in inner.attachments().enumerate().take(MAX_ATTACHMENTS) {
                let inner_name = p
                    .attachment_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("part-{}", j + 1));
                attachments.push(attachment(p, format!("{name}/{inner_name}")));
            }
        }
        attachments.push(attachment(part, name));
    }
    attachments.truncate(MAX_ATTACHMENTS);
    Some(Input {
        headers: Cow::Borrowed(&raw[..body_at]),
        html: msg.body_html(0).map(|h| Cow::Owned(h.into_owned())),
        text: msg.body_text(0).map(|t| Cow::Owned(t.into_owned())),
        attachments,
        verified: None,
    })
}
