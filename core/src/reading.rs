//! Reading mail over the session's IMAP connection. A dropped connection is
//! re-opened once, transparently; a second failure is reported.

use std::sync::Arc;
use std::time::Duration;

use estafette_mail::attachments::{self, Decoder, Encoding, Part};
use estafette_mail::folders::{self, Folder};
use estafette_mail::imap::ImapSession;
use estafette_mail::listing::{self, Order, SortKey};
pub use estafette_mail::listing::{Listing, Summary};
pub use estafette_mail::message::Mailbox;
use estafette_mail::render;
use estafette_mail::sanitize::Policy;
pub use estafette_mail::search::Query;
use estafette_mail::view::{self, Shown};
use estafette_mail::MailError;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};

use crate::connections::MailConnection;
use crate::visitor::{Session, SignedIn};
use crate::{CoreError, Services};

/// What the message list asks for, as the browser says it.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub folder: String,
    pub page: u32,
    /// `from`, `subject`, `size` or `date` (the default), `-` first for
    /// ascending (oldest, A to Z, smallest first).
    pub sort: String,
    pub conversations: bool,
    pub search: SearchFields,
}

/// The search form's fields; empty means "any".
#[derive(Debug, Clone, Default)]
pub struct SearchFields {
    pub text: String,
    pub since: String,
    pub before: String,
    pub unread: bool,
    pub flagged: bool,
    pub attachment: bool,
    pub label: String,
    /// In every folder rather than the one open.
    pub everywhere: bool,
}

impl SearchFields {
    pub fn query(self) -> Query {
        let blank = |s: String| (!s.trim().is_empty()).then_some(s);
        Query {
            text: self.text,
            since: blank(self.since),
            before: blank(self.before),
            unread: self.unread,
            flagged: self.flagged,
            attachment: self.attachment,
            label: blank(self.label),
        }
    }
}

/// The order a list's `sort` names (anything unknown: newest first).
pub fn order(sort: &str) -> Order {
    let key = match sort.trim_start_matches('-') {
        "from" => SortKey::From,
        "subject" => SortKey::Subject,
        "size" => SortKey::Size,
        _ => SortKey::Date,
    };
    Order {
        key,
        ascending: sort.starts_with('-'),
    }
}

/// Encoded bytes fetched from IMAP per step of a download.
const CHUNK: u32 = 1 << 20;

/// What the message view shows around the frame.
pub struct Outline {
    pub row: listing::Summary,
    pub parts: Vec<Part>,
    pub report: estafette_threats::Report,
    /// How the list that sent it says to leave it, if it is from one.
    pub unsubscribe: Option<estafette_mail::unsubscribe::Unsubscribe>,
    /// Its recipients, as many as are kept, and how many more there are.
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub more_recipients: usize,
    /// The body shown was cut short: the original has the rest.
    pub truncated: bool,
    /// Remote images and resources the frame blocks unless asked.
    pub remote_content: usize,
}

/// A part being downloaded: what it is, and its decoded bytes as they come.
pub struct Download {
    pub part: Part,
    pub body: BoxStream<'static, Result<Vec<u8>, CoreError>>,
}

impl Services {
    /// Runs `op` on the session's IMAP connection, logging in again once if
    /// the connection turns out to be gone.
    pub async fn with_imap<T>(
        &self,
        session: &Session,
        mut op: impl for<'a> FnMut(&'a mut ImapSession) -> BoxFuture<'a, Result<T, MailError>> + Send,
    ) -> Result<T, CoreError> {
        let mut conn = self.mail.connection(session).await?;
        let limit = self.config.limits.imap_timeout();
        let result = timed(&mut conn, &mut op, limit).await?;
        let result = match result {
            Err(MailError::Unreachable(..)) => {
                tracing::info!("IMAP connection dropped; logging in again");
                conn.discard();
                drop(conn);
                conn = self.mail.connection(session).await?;
                let result = timed(&mut conn, &mut op, limit).await?;
                if matches!(result, Err(MailError::Unreachable(..))) {
                    conn.discard();
                }
                result
            }
            other => other,
        };
        if let Ok(imap) = conn.imap() {
            imap.absorb_unsolicited();
        }
        Ok(result?)
    }

    /// A page of the message list: of the folder, or of every folder when
    /// a search asks for it, rows grouped by conversation when asked.
    pub async fn list(&self, who: &SignedIn, r: ListRequest) -> Result<Listing, CoreError> {
        let everywhere = r.search.everywhere;
        let query = r.search.query();
        let mut listing = if everywhere && !query.is_empty() {
            self.search_everywhere(who, &query, r.page).await?
        } else {
            self.messages(who, &r.folder, order(&r.sort), &query, r.page)
                .await?
        };
        if r.conversations {
            listing.messages = listing::group_conversations(listing.messages);
        }
        Ok(listing)
    }

    /// Page `page` of a folder in `order`, only messages matching `query`.
    async fn messages(
        &self,
        who: &SignedIn,
        folder: &str,
        order: Order,
        query: &Query,
        page: u32,
    ) -> Result<Listing, CoreError> {
        let size = self.preferences(who).await?.choices.page_size;
        let mut listing = self
            .with_imap(&who.0, |imap| {
                let (folder, query) = (folder.to_owned(), query.clone());
                Box::pin(
                    async move { listing::page(imap, &folder, order, &query, page, size).await },
                )
            })
            .await?;
        self.mark_suspicious(who, &mut listing.messages).await?;
        Ok(listing)
    }

    /// Page `page` of the messages matching `query` in every folder, folder
    /// by folder in the folder list's order, newest first within each.
    async fn search_everywhere(
        &self,
        who: &SignedIn,
        query: &Query,
        page: u32,
    ) -> Result<Listing, CoreError> {
        let size = self.preferences(who).await?.choices.page_size;
        let mut listing = self
            .with_imap(&who.0, |imap| {
                let query = query.clone();
                Box::pin(async move {
                    let mut hits: Vec<(String, u32)> = Vec::new();
                    for folder in folders::list(imap).await? {
                        if !folder.selectable || folder.total == 0 {
                            continue;
                        }
                        imap.select_folder(&folder.name).await?;
                        let uids = listing::matching(imap, Order::default(), &query).await?;
                        hits.extend(uids.into_iter().map(|u| (folder.name.clone(), u)));
                    }
                    let total = hits.len() as u32;
                    let start = page as usize * size as usize;
                    let chosen = hits.get(start..).unwrap_or_default();
                    let chosen = &chosen[..chosen.len().min(size as usize)];
                    let mut messages = Vec::with_capacity(chosen.len());
                    let mut i = 0;
                    while i < chosen.len() {
                        let folder = chosen[i].0.clone();
                        let run: Vec<u32> = chosen[i..]
                            .iter()
                            .take_while(|(f, _)| *f == folder)
                            .map(|(_, u)| *u)
                            .collect();
                        i += run.len();
                        imap.ensure_selected(&folder).await?;
                        messages.extend(listing::rows(imap, &folder, &run).await?);
                    }
                    Ok(Listing {
                        total,
                        page,
                        page_size: size,
                        messages,
                    })
                })
            })
            .await?;
        self.mark_suspicious(who, &mut listing.messages).await?;
        Ok(listing)
    }

    /// The raw bytes of one message; reading it marks it read unless `peek`.
    pub async fn raw_message(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        peek: bool,
    ) -> Result<Vec<u8>, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move { listing::fetch_raw(imap, &folder, uid, peek).await })
        })
        .await
    }

    /// The list row of one message, its attachments and inline parts, and
    /// the threat analysis' verdicts on it (see `defence`).
    pub async fn outline(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Outline, CoreError> {
        let (mut row, shown) = self
            .with_imap(&who.0, |imap| {
                let folder = folder.to_owned();
                Box::pin(async move {
                    // First: it brings the folder up to date.
                    let shown = view::fetch(imap, &folder, uid).await?;
                    let row = listing::rows(imap, &folder, &[uid])
                        .await?
                        .pop()
                        .ok_or(MailError::NoSuchMessage(uid))?;
                    Ok((row, shown))
                })
            })
            .await?;
        let report = self.threat_report(who, folder, uid, &shown).await?;
        row.header = Vec::new();
        let (_, remote_content) = render::body(&shown.message, &Policy::default());
        Ok(Outline {
            row,
            unsubscribe: estafette_mail::unsubscribe::offered(&shown.header),
            to: shown.message.to,
            cc: shown.message.cc,
            more_recipients: shown.message.more_recipients,
            truncated: shown.truncated,
            remote_content,
            parts: shown.parts,
            report,
        })
    }

    /// What the message view shows of a message (see `estafette_mail::view`).
    pub async fn shown(&self, who: &SignedIn, folder: &str, uid: u32) -> Result<Shown, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move { view::fetch(imap, &folder, uid).await })
        })
        .await
    }

    /// A part's decoded bytes, whole, when there are at most `max` of them
    /// (its size in BODYSTRUCTURE is the sender's word, not a bound).
    pub(crate) async fn part_bytes(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        section: &str,
        max: u64,
    ) -> Result<Vec<u8>, CoreError> {
        let mut download = self
            .download(who, folder, uid, |p| p.section == section)
            .await?;
        let mut bytes = Vec::new();
        while let Some(chunk) = download.body.next().await {
            bytes.extend(chunk?);
            if bytes.len() as u64 > max {
                return Err(CoreError::TooLarge(format!(
                    "part {section} is larger than said"
                )));
            }
        }
        Ok(bytes)
    }

    /// A message's attachments and inline parts.
    pub async fn parts(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Vec<Part>, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move { attachments::list(imap, &folder, uid).await })
        })
        .await
    }

    /// One part of a message, streamed from IMAP a chunk at a time. `pick`
    /// chooses the part among the message's parts.
    pub async fn download(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        pick: impl Fn(&Part) -> bool + Send,
    ) -> Result<Download, CoreError> {
        let parts = self.parts(who, folder, uid).await?;
        let part = parts
            .into_iter()
            .find(|p| pick(p))
            .ok_or_else(|| CoreError::from(MailError::NoSuchPart(String::new())))?;
        let section = attachments::parse_section(&part.section)
            .ok_or_else(|| CoreError::from(MailError::NoSuchPart(part.section.clone())))?;
        let body = self.section_stream(who, folder, uid, section, part.encoding);
        Ok(Download { part, body })
    }

    /// Section `section` of message `uid` (the whole message when empty),
    /// read [`CHUNK`] bytes at a time and decoded from `encoding` as it
    /// comes: what is held at once does not grow with the message.
    pub(crate) fn section_stream(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        section: Vec<u32>,
        encoding: Encoding,
    ) -> BoxStream<'static, Result<Vec<u8>, CoreError>> {
        struct Step {
            services: Arc<Services>,
            who: SignedIn,
            folder: String,
            uid: u32,
            section: Vec<u32>,
            offset: u64,
            decoder: Option<Decoder>,
        }
        let start = Step {
            services: Arc::clone(self),
            who: who.clone(),
            folder: folder.to_owned(),
            uid,
            section,
            offset: 0,
            decoder: Some(Decoder::new(encoding)),
        };
        stream::unfold(start, |mut step| async move {
            let mut decoder = step.decoder.take()?;
            let (folder, section) = (step.folder.clone(), step.section.clone());
            let (uid, offset) = (step.uid, step.offset);
            let fetched = step
                .services
                .with_imap(&step.who.0, |imap| {
                    let (folder, section) = (folder.clone(), section.clone());
                    Box::pin(async move {
                        attachments::chunk(imap, &folder, uid, &section, offset, CHUNK).await
                    })
                })
                .await;
            match fetched {
                Err(e) => {
                    tracing::warn!(error = %e, "a download stopped");
                    Some((Err(e), step))
                }
                Ok(bytes) => {
                    let mut out = decoder.push(&bytes);
                    if bytes.len() < CHUNK as usize {
                        out.extend(decoder.finish());
                    } else {
                        step.offset += bytes.len() as u64;
                        step.decoder = Some(decoder);
                    }
                    Some((Ok(out), step))
                }
            }
        })
        // Fused: a body may be polled again after its end (compression does).
        .fuse()
        .boxed()
    }

    pub async fn folders(&self, who: &SignedIn) -> Result<Vec<Folder>, CoreError> {
        self.with_imap(&who.0, |imap| Box::pin(folders::list(imap)))
            .await
    }

    /// The folders that hold messages, as the folder list shows them.
    pub async fn folder_tree(&self, who: &SignedIn) -> Result<Vec<FolderView>, CoreError> {
        Ok(folder_tree(self.folders(who).await?))
    }
}

pub use estafette_wire::FolderView;

/// The folders that can be opened, each with its place in the tree.
pub fn folder_tree(list: Vec<Folder>) -> Vec<FolderView> {
    list.into_iter()
        .filter(|f| f.selectable)
        .map(|f| {
            let delimiter = f.delimiter.as_deref().filter(|d| !d.is_empty());
            FolderView {
                label: delimiter
                    .and_then(|d| f.name.rsplit(d).next())
                    .unwrap_or(&f.name)
                    .to_owned(),
                depth: delimiter.map_or(0, |d| f.name.matches(d).count() as u32),
                role: f
                    .special_use
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_default(),
                name: f.name,
                unread: f.unread,
                total: f.total,
            }
        })
        .collect()
}

/// `op` on the connection, at most `limit` (`limits.imap_timeout_seconds`);
/// a connection that did not answer in time is discarded (its state is
/// unknown), and the request fails as the mail server not answering.
async fn timed<T>(
    conn: &mut MailConnection,
    op: &mut (impl for<'a> FnMut(&'a mut ImapSession) -> BoxFuture<'a, Result<T, MailError>> + Send),
    limit: Duration,
) -> Result<Result<T, MailError>, CoreError> {
    let started = std::time::Instant::now();
    conn.set_busy(true);
    let result = tokio::time::timeout(limit, op(conn.imap()?)).await;
    metrics::histogram!("estafette_imap_operation_seconds").record(started.elapsed().as_secs_f64());
    match result {
        Ok(result) => {
            conn.set_busy(false);
            Ok(result)
        }
        Err(_) => {
            metrics::counter!("estafette_imap_timeouts_total").increment(1);
            tracing::warn!(
                seconds = limit.as_secs(),
                "an IMAP operation took too long; its connection is closed"
            );
            conn.discard();
            Err(crate::connections::not_answering(limit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_tree_names_each_folder_by_its_last_name_at_its_depth() {
        use estafette_mail::folders::SpecialUse;
        let folder = |name: &str, special_use, selectable| Folder {
            name: name.into(),
            delimiter: Some("/".into()),
            special_use,
            selectable,
            total: 3,
            unread: 1,
        };
        let tree = folder_tree(vec![
            folder("INBOX", Some(SpecialUse::Inbox), true),
            folder("Projects", None, false),
            folder("Projects/2026/Q1", None, true),
            folder("Sent", Some(SpecialUse::Sent), true),
        ]);
        let shown: Vec<(&str, u32, &str)> = tree
            .iter()
            .map(|f| (f.label.as_str(), f.depth, f.role.as_str()))
            .collect();
        assert_eq!(
            shown,
            [("INBOX", 0, "inbox"), ("Q1", 2, ""), ("Sent", 0, "sent")]
        );
        assert_eq!(tree[1].name, "Projects/2026/Q1");
    }

    #[test]
    fn the_list_reads_its_order_and_its_search() {
        assert_eq!(order(""), Order::default());
        assert_eq!(
            order("-from"),
            Order {
                key: SortKey::From,
                ascending: true
            }
        );
        assert_eq!(order("size").key, SortKey::Size);
        assert!(!order("size").ascending);
        assert_eq!(order("whatever"), Order::default());
        let q = SearchFields {
            text: "invoice".into(),
            since: " ".into(),
            before: "2026-01-01".into(),
            label: String::new(),
            unread: true,
            ..SearchFields::default()
        }
        .query();
        assert_eq!(q.since, None, "blank is any");
        assert_eq!(q.before.as_deref(), Some("2026-01-01"));
        assert_eq!(q.label, None);
        assert!(q.unread && !q.flagged);
    }
}
