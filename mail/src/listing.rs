//! One page of a folder, newest first. Only the page's messages are fetched
//! (their flags, size and header), never the whole folder, so a
//! folder of 100,000 messages opens as fast as a small one.

use async_imap::types::Flag;
use futures::TryStreamExt;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::imap::ImapSession;
use crate::MailError;

/// A row of the message list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub uid: u32,
    /// The sender's name, or address.
    pub from: String,
    pub subject: String,
    pub date: Option<i64>,
    pub size: u32,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub has_attachments: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
    pub messages: Vec<Summary>,
}

const FIELDS: &str = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])";

/// Page `page` (0 = newest) of `folder`, `page_size` messages a page.
pub async fn page(
    imap: &mut ImapSession,
    folder: &str,
    page: u32,
    page_size: u32,
) -> Result<Listing, MailError> {
    let page_size = page_size.clamp(1, 500);
    let total = match imap.examine(folder).await {
        Ok(mailbox) => mailbox.exists,
        Err(async_imap::error::Error::No(_) | async_imap::error::Error::Validate(_)) => {
            return Err(MailError::NoSuchFolder(folder.chars().take(200).collect()));
        }
        Err(e) => return Err(e.into()),
    };
    let mut listing = Listing {
        total,
        page,
        page_size,
        messages: Vec::new(),
    };
    let newest = total.saturating_sub(page.saturating_mul(page_size));
    if newest == 0 {
        return Ok(listing);
    }
    let oldest = newest.saturating_sub(page_size - 1).max(1);
    let fetched: Vec<_> = imap
        .fetch(format!("{oldest}:{newest}"), FIELDS)
        .await?
        .try_collect()
        .await?;
    let mut rows: Vec<(u32, Summary)> = fetched.iter().map(|f| (f.message, summary(f))).collect();
    rows.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
    listing.messages = rows.into_iter().map(|(_, s)| s).collect();
    Ok(listing)
}

fn summary(f: &async_imap::types::Fetch) -> Summary {
    let mut s = Summary {
        uid: f.uid.unwrap_or(0),
        from: String::new(),
        subject: String::new(),
        date: None,
        size: f.size.unwrap_or(0),
        seen: false,
        flagged: false,
        answered: false,
        has_attachments: false,
    };
    for flag in f.flags() {
        match flag {
            Flag::Seen => s.seen = true,
            Flag::Flagged => s.flagged = true,
            Flag::Answered => s.answered = true,
            _ => {}
        }
    }
    let Some(raw) = f.header() else { return s };
    let mut message = raw.to_vec();
    message.extend_from_slice(b"\r\n");
    if let Some(m) = MessageParser::default().parse(&message) {
        s.subject = m
            .subject()
            .map(|t| t.chars().take(500).collect())
            .unwrap_or_default();
        s.from = m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name().or(a.address()))
            .map(|t| t.chars().take(200).collect())
            .unwrap_or_default();
        s.date = m.date().map(|d| d.to_timestamp());
        s.has_attachments = m.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|sub| sub.eq_ignore_ascii_case("mixed"))
        });
    }
    s
}

/// The whole message `uid` of `folder`, as stored. Reading it marks it read.
pub async fn fetch_raw(
    imap: &mut ImapSession,
    folder: &str,
    uid: u32,
) -> Result<Vec<u8>, MailError> {
    match imap.select(folder).await {
        Ok(_) => {}
        Err(async_imap::error::Error::No(_) | async_imap::error::Error::Validate(_)) => {
            return Err(MailError::NoSuchFolder(folder.chars().take(200).collect()));
        }
        Err(e) => return Err(e.into()),
    }
    let fetched: Vec<_> = imap
        .uid_fetch(uid.to_string(), "BODY[]")
        .await?
        .try_collect()
        .await?;
    fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec)
        .ok_or(MailError::NoSuchMessage(uid))
}
