//! One page of a folder, newest first. Only the page's messages are fetched
//! (their flags, size and header), never the whole folder, so a
//! folder of 100,000 messages opens as fast as a small one.

use std::collections::HashMap;

use async_imap::types::Flag;
use futures::TryStreamExt;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::imap::ImapSession;
use crate::search::Query;
use crate::MailError;

/// A row of the message list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub folder: String,
    pub uid: u32,
    /// The sender's name, or address.
    pub from: String,
    pub from_address: String,
    pub subject: String,
    pub date: Option<i64>,
    pub size: u32,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    /// Its labels (IMAP keywords; see `labels`).
    pub labels: Vec<String>,
    pub has_attachments: bool,
    /// `Message-ID`, and the ids this message answers (`In-Reply-To`,
    /// `References`): how conversations are found.
    pub message_id: Option<String>,
    pub refers_to: Vec<String>,
    /// In a list grouped by conversation: other messages of this one's
    /// conversation on the page (on its first row), or that this row
    /// belongs to the conversation above it.
    pub replies: u32,
    pub in_conversation: bool,
    /// The header section as fetched (at most [`MAX_ROW_HEADER`] bytes),
    /// for the caller's analysis; never sent anywhere.
    #[serde(skip)]
    pub header: Vec<u8>,
    /// What the caller's analysis of `header` found (warning kinds).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The header kept per row: more than any honest message's.
pub const MAX_ROW_HEADER: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
    pub messages: Vec<Summary>,
}

/// The header fields a row shows or is judged by (the threat analysis reads
/// `From`, `Reply-To`, `List-Post` and the receiving server's
/// `Authentication-Results`), not the whole header.
pub(crate) const HEADER_FIELDS: &str = "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE MESSAGE-ID \
     IN-REPLY-TO REFERENCES CONTENT-TYPE REPLY-TO LIST-POST AUTHENTICATION-RESULTS TO CC)]";

/// A row's items: its header fields, at most [`MAX_ROW_HEADER`] of them.
fn fields() -> String {
    format!("(UID FLAGS RFC822.SIZE {HEADER_FIELDS}<0.{MAX_ROW_HEADER}>)")
}

/// What the list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    #[default]
    Date,
    From,
    Subject,
    Size,
}

impl SortKey {
    fn imap(self) -> &'static str {
        match self {
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Subject => "SUBJECT",
            SortKey::Size => "SIZE",
        }
    }
}

/// How to order a list: by `key`, descending (newest, largest, Z first) or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub key: SortKey,
    pub ascending: bool,
}

/// Page `page` (0 = first) of `folder` in `order`, only the messages
/// matching `query`, `page_size` messages a page.
///
/// The plain newest-first list is read by sequence numbers; any other order
/// or a search asks the server for the matching UIDs (SORT when it has it,
/// SEARCH otherwise, newest first) and fetches the page's rows only.
pub async fn page(
    imap: &mut ImapSession,
    folder: &str,
    order: Order,
    query: &Query,
    page: u32,
    page_size: u32,
) -> Result<Listing, MailError> {
    let page_size = page_size.clamp(1, 500);
    let exists = imap.refresh(folder).await?;
    if query.is_empty() && order == Order::default() {
        let listing = newest_first(imap, folder, exists, page, page_size).await?;
        let newest = exists.saturating_sub(page.saturating_mul(page_size));
        let expected = newest.min(page_size) as usize;
        if listing.messages.len() == expected {
            return Ok(listing);
        }
        // The count kept was wrong (the server answers a range past its
        // count with nothing): learnt afresh, and the page read again.
        tracing::warn!(
            folder,
            kept = exists,
            "a kept message count was wrong; selecting again"
        );
        let exists = imap.select_folder(folder).await?;
        return newest_first(imap, folder, exists, page, page_size).await;
    }
    let uids = matching(imap, order, query).await?;
    let total = uids.len() as u32;
    let start = (page as usize).saturating_mul(page_size as usize);
    let chosen: Vec<u32> = uids
        .into_iter()
        .skip(start)
        .take(page_size as usize)
        .collect();
    Ok(Listing {
        total,
        page,
        page_size,
        messages: rows(imap, folder, &chosen).await?,
    })
}

/// The UIDs of the selected folder matching `query`, in `order`.
pub async fn matching(
    imap: &mut ImapSession,
    order: Order,
    query: &Query,
) -> Result<Vec<u32>, MailError> {
    let criteria = query.to_imap()?;
    if imap.has("SORT") {
        let reverse = if order.ascending { "" } else { "REVERSE " };
        let command = format!("UID SORT ({reverse}{}) UTF-8 {criteria}", order.key.imap());
        return imap.numbers(&command).await;
    }
    let mut uids = imap
        .numbers(&format!("UID SEARCH CHARSET UTF-8 {criteria}"))
        .await?;
    uids.sort_unstable_by(|a, b| if order.ascending { a.cmp(b) } else { b.cmp(a) });
    Ok(uids)
}

/// The rows of `uids` in the selected `folder`, in the order given.
pub async fn rows(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
) -> Result<Vec<Summary>, MailError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let set = uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let fetched: Vec<_> = imap.uid_fetch(set, fields()).await?.try_collect().await?;
    let mut by_uid: HashMap<u32, Summary> = fetched
        .iter()
        .map(|f| summary(f, folder))
        .map(|s| (s.uid, s))
        .collect();
    Ok(uids.iter().filter_map(|u| by_uid.remove(u)).collect())
}

async fn newest_first(
    imap: &mut ImapSession,
    folder: &str,
    total: u32,
    page: u32,
    page_size: u32,
) -> Result<Listing, MailError> {
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
        .fetch(format!("{oldest}:{newest}"), fields())
        .await?
        .try_collect()
        .await?;
    let mut rows: Vec<(u32, Summary)> = fetched
        .iter()
        .map(|f| (f.message, summary(f, folder)))
        .collect();
    rows.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
    listing.messages = rows.into_iter().map(|(_, s)| s).collect();
    Ok(listing)
}

fn summary(f: &async_imap::types::Fetch, folder: &str) -> Summary {
    let mut s = Summary {
        folder: folder.to_owned(),
        uid: f.uid.unwrap_or(0),
        from: String::new(),
        from_address: String::new(),
        subject: String::new(),
        date: None,
        size: f.size.unwrap_or(0),
        seen: false,
        flagged: false,
        answered: false,
        labels: Vec::new(),
        has_attachments: false,
        message_id: None,
        refers_to: Vec::new(),
        replies: 0,
        in_conversation: false,
        header: Vec::new(),
        warnings: Vec::new(),
    };
    for flag in f.flags() {
        match flag {
            Flag::Seen => s.seen = true,
            Flag::Flagged => s.flagged = true,
            Flag::Answered => s.answered = true,
            _ => {}
        }
    }
    s.labels = crate::labels::labels_of(f.flags().collect::<Vec<_>>().iter());
    let Some(raw) = f.header() else { return s };
    s.header = raw.to_vec();
    let mut message = raw.to_vec();
    message.extend_from_slice(b"\r\n");
    if let Some(m) = MessageParser::default().parse(&message) {
        s.subject = m
            .subject()
            .map(|t| t.chars().take(500).collect())
            .unwrap_or_default();
        let sender = m.from().and_then(|a| a.first());
        s.from = sender
            .and_then(|a| a.name().or(a.address()))
            .map(|t| t.chars().take(200).collect())
            .unwrap_or_default();
        s.from_address = sender
            .and_then(|a| a.address())
            .map(|t| t.chars().take(320).collect())
            .unwrap_or_default();
        s.date = m.date().map(|d| d.to_timestamp());
        s.message_id = m.message_id().map(|id| id.chars().take(500).collect());
        s.refers_to = m
            .in_reply_to()
            .as_text_list()
            .into_iter()
            .flatten()
            .chain(m.references().as_text_list().into_iter().flatten())
            .take(100)
            .map(|id| id.chars().take(500).collect())
            .collect();
        s.has_attachments = m.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|sub| sub.eq_ignore_ascii_case("mixed"))
        });
    }
    s
}

/// The whole message `uid` of `folder`, as stored. Reading it marks it
/// read, unless `peek`.
pub async fn fetch_raw(
    imap: &mut ImapSession,
    folder: &str,
    uid: u32,
    peek: bool,
) -> Result<Vec<u8>, MailError> {
    imap.ensure_current(folder).await?;
    let item = if peek { "BODY.PEEK[]" } else { "BODY[]" };
    let fetched: Vec<_> = imap
        .uid_fetch(uid.to_string(), item)
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

/// Groups a page's rows by conversation: each conversation stays where its
/// first (e.g. newest) row is, its other rows follow it in their order.
/// Messages are linked by `Message-ID` against `In-Reply-To`/`References`.
pub fn group_conversations(rows: Vec<Summary>) -> Vec<Summary> {
    let n = rows.len();
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    let by_id: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.message_id.as_deref().map(|id| (id, i)))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        for id in &r.refers_to {
            if let Some(&j) = by_id.get(id.as_str()) {
                let (a, b) = (find(&mut root, i), find(&mut root, j));
                // The group is named by its earliest row on the page.
                root[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        let r = find(&mut root, i);
        match group_of.get(&r) {
            Some(&g) => groups[g].push(i),
            None => {
                group_of.insert(r, groups.len());
                groups.push(vec![i]);
            }
        }
    }
    let mut slots: Vec<Option<Summary>> = rows.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(n);
    for group in groups {
        let size = group.len() as u32;
        for (k, i) in group.into_iter().enumerate() {
            if let Some(mut row) = slots[i].take() {
                row.replies = if k == 0 { size - 1 } else { 0 };
                row.in_conversation = k > 0;
                out.push(row);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uid: u32, id: &str, refers: &[&str]) -> Summary {
        Summary {
            folder: "INBOX".into(),
            uid,
            from: String::new(),
            from_address: String::new(),
            subject: String::new(),
            date: None,
            size: 0,
            seen: false,
            flagged: false,
            answered: false,
            labels: Vec::new(),
            has_attachments: false,
            message_id: Some(id.into()),
            refers_to: refers.iter().map(|s| s.to_string()).collect(),
            replies: 0,
            in_conversation: false,
            header: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn conversations_gather_under_their_newest_row() {
        // Newest first: 5 answers 2, 4 is alone, 3 answers 1, 2 answers 1.
        let rows = vec![
            row(5, "e", &["a", "b"]),
            row(4, "d", &[]),
            row(3, "c", &["a"]),
            row(2, "b", &["a"]),
            row(1, "a", &[]),
            row(0, "z", &["not on this page"]),
        ];
        let grouped = group_conversations(rows);
        let order: Vec<(u32, u32, bool)> = grouped
            .iter()
            .map(|r| (r.uid, r.replies, r.in_conversation))
            .collect();
        assert_eq!(
            order,
            [
                (5, 3, false),
                (3, 0, true),
                (2, 0, true),
                (1, 0, true),
                (4, 0, false),
                (0, 0, false)
            ]
        );
    }
}
