use estafette_wire::{Destination, Start};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use estafette_wire::FolderView;

#[server(prefix = "/api", endpoint = "folders")]
pub async fn folders() -> Result<Vec<FolderView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.folder_tree(&who).await?)
}

/// How full the mailbox is (see `estafette_core::quota`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaView {
    pub used: u64,
    pub limit: u64,
    pub percent: u8,
    pub nearly_full: bool,
}

/// The mailbox's quota; `None` where the mail server keeps none.
#[server(prefix = "/api", endpoint = "quota")]
pub async fn quota() -> Result<Option<QuotaView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.quota(&who).await?.map(|q| QuotaView {
        used: q.used,
        limit: q.limit,
        percent: q.percent,
        nearly_full: q.nearly_full,
    }))
}

/// A row of the message list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    pub folder: String,
    pub uid: u32,
    pub from: String,
    pub subject: String,
    pub date: Option<i64>,
    pub size: u32,
    pub unread: bool,
    pub flagged: bool,
    /// Its labels (IMAP keywords).
    pub labels: Vec<String>,
    pub has_attachments: bool,
    /// Grouped lists: the conversation's other rows that follow this one.
    pub replies: u32,
    /// Grouped lists: this row belongs to the conversation above it.
    pub in_conversation: bool,
    /// The kinds of warning the message's header raises (see `defence`).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
    pub rows: Vec<MessageRow>,
}

/// A search of the list: the search box and its filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Search {
    /// Words, "phrases", and from:/to:/subject:/body: terms.
    pub q: String,
    pub unread: bool,
    pub flagged: bool,
    pub attachment: bool,
    /// Only messages with this label (a keyword), or empty.
    pub label: String,
    /// `YYYY-MM-DD`, or empty.
    pub since: String,
    pub before: String,
    /// In every folder, not only the current one.
    pub everywhere: bool,
}

impl Search {
    pub fn is_active(&self) -> bool {
        !self.q.trim().is_empty()
            || self.unread
            || self.flagged
            || self.attachment
            || !self.label.is_empty()
            || !self.since.is_empty()
            || !self.before.is_empty()
    }
}

/// What the list shows: a folder, sorted, optionally narrowed by a search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRequest {
    pub folder: String,
    pub page: u32,
    /// `date` (default), `from`, `subject` or `size`; `-` in front for ascending.
    pub sort: String,
    /// Rows of one conversation kept together (`None`: as the preferences say).
    pub conversations: Option<bool>,
    pub search: Search,
}

/// A page of a folder or of search results.
#[server(prefix = "/api", endpoint = "messages")]
pub async fn messages(
    folder: String,
    page: u32,
    #[server(default)] sort: String,
    #[server(default)] conversations: bool,
    #[server(default)] search: Search,
) -> Result<MessagePage, AppError> {
    use estafette_core::reading::{ListRequest, SearchFields};

    use super::context::{services, signed_in};
    let who = signed_in()?;
    let request = ListRequest {
        folder,
        page,
        sort,
        conversations,
        search: SearchFields {
            text: search.q,
            since: search.since,
            before: search.before,
            unread: search.unread,
            flagged: search.flagged,
            attachment: search.attachment,
            label: search.label,
            everywhere: search.everywhere,
        },
    };
    let listing = services()?.list(&who, request).await?;
    Ok(MessagePage {
        total: listing.total,
        page: listing.page,
        page_size: listing.page_size,
        rows: listing
            .messages
            .into_iter()
            .map(|m| MessageRow {
                folder: m.folder,
                uid: m.uid,
                from: m.from,
                subject: m.subject,
                date: m.date,
                size: m.size,
                unread: !m.seen,
                flagged: m.flagged,
                labels: m.labels,
                has_attachments: m.has_attachments,
                replies: m.replies,
                in_conversation: m.in_conversation,
                warnings: m.warnings,
            })
            .collect(),
    })
}

/// An attachment as the message view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub section: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub risky: bool,
    /// Shown by the browser in a safe way (images, PDF, plain text).
    pub previewable: bool,
}

/// What the message view shows around the frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageOutline {
    pub subject: String,
    pub from: String,
    pub from_address: String,
    /// Remote content of this sender's messages is always loaded.
    pub trusted: bool,
    pub unread: bool,
    pub flagged: bool,
    pub labels: Vec<String>,
    pub attachments: Vec<AttachmentView>,
    /// Who vouches for the sender, and what in the message may deceive.
    pub sender: super::defence::SenderCheck,
    pub warnings: Vec<super::defence::ThreatNote>,
    /// How to leave the list that sent it, when it says.
    pub unsubscribe: Option<UnsubscribeOffer>,
    /// When it says it was sent (Unix seconds).
    pub date: Option<i64>,
    pub to: Vec<Person>,
    pub cc: Vec<Person>,
    /// Recipients beyond those kept in `to` and `cc`.
    pub more_recipients: u32,
    /// The body shown was cut short (the original has it whole).
    pub truncated: bool,
    /// Remote images and resources the frame blocks until asked.
    pub remote_content: u32,
}

/// One sender or recipient as its header names it (either may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub address: String,
}

impl Person {
    /// Its name, or its address when it has none.
    pub fn shown(&self) -> &str {
        if self.name.is_empty() {
            &self.address
        } else {
            &self.name
        }
    }
}

#[cfg(feature = "ssr")]
impl From<estafette_core::reading::Mailbox> for Person {
    fn from(m: estafette_core::reading::Mailbox) -> Self {
        Person {
            name: m.name.unwrap_or_default(),
            address: m.address.unwrap_or_default(),
        }
    }
}

/// A list's ways out (`List-Unsubscribe`): one click done by the server, a
/// message to write, or a page to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeOffer {
    pub one_click: bool,
    /// The compose form, filled from the list's `mailto:` address.
    pub compose: Option<String>,
    /// The list's own page.
    pub web: Option<String>,
    /// The host one click asks, or the page is on.
    pub host: String,
}

#[cfg(feature = "ssr")]
impl From<estafette_core::unsubscribe::Unsubscribe> for UnsubscribeOffer {
    fn from(u: estafette_core::unsubscribe::Unsubscribe) -> Self {
        let host = u
            .web
            .as_deref()
            .map(estafette_core::unsubscribe::host_of)
            .unwrap_or_default();
        UnsubscribeOffer {
            one_click: u.one_click.is_some(),
            compose: u
                .mailto
                .map(|m| format!("/compose?to={}", crate::urls::encode(&m))),
            web: u.web,
            host,
        }
    }
}

#[server(prefix = "/api", endpoint = "outline")]
pub async fn outline(folder: String, uid: u32) -> Result<MessageOutline, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let services = services()?;
    let estafette_core::reading::Outline {
        row,
        parts,
        report,
        unsubscribe,
        to,
        cc,
        more_recipients,
        truncated,
        remote_content,
    } = services.outline(&who, &folder, uid).await?;
    let trusted = services
        .remote_allowed(&who, &row.from_address, false)
        .await?;
    let risky_names: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| w.kind == estafette_threats::Kind::RiskyAttachment)
        .filter_map(|w| w.facts.attachment.clone())
        .collect();
    Ok(MessageOutline {
        sender: super::defence::SenderCheck::from(&report.authentication),
        warnings: report
            .warnings
            .iter()
            .map(super::defence::ThreatNote::from)
            .collect(),
        unsubscribe: unsubscribe.map(UnsubscribeOffer::from),
        date: row.date,
        to: to.into_iter().map(Person::from).collect(),
        cc: cc.into_iter().map(Person::from).collect(),
        more_recipients: u32::try_from(more_recipients).unwrap_or(u32::MAX),
        truncated,
        remote_content: u32::try_from(remote_content).unwrap_or(u32::MAX),
        subject: row.subject,
        from: row.from,
        from_address: row.from_address,
        trusted,
        unread: !row.seen,
        flagged: row.flagged,
        labels: row.labels,
        attachments: parts
            .into_iter()
            .filter(|p| !(p.inline && p.content_id.is_some()))
            .map(|p| AttachmentView {
                previewable: estafette_core::document::previewable(&p.content_type),
                risky: p.risky
                    || risky_names.contains(&estafette_threats::report::printable(&p.name)),
                section: p.section,
                name: p.name,
                content_type: p.content_type,
                size: p.size,
            })
            .collect(),
    })
}

/// What one click did: the list's host, and whether it had been asked before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeDone {
    pub host: String,
    pub already: bool,
}

/// Leaves the list that sent message `uid` by its one-click address (the
/// server reads it from the message again and asks; see
/// `estafette_core::unsubscribe`).
#[server(prefix = "/api", endpoint = "unsubscribe")]
pub async fn unsubscribe(folder: String, uid: u32) -> Result<UnsubscribeDone, AppError> {
    use super::context::{services, signed_in};
    use estafette_core::unsubscribe::Unsubscribed;
    let who = signed_in()?;
    Ok(match services()?.unsubscribe(&who, &folder, uid).await? {
        Unsubscribed::Asked { host } => UnsubscribeDone {
            host,
            already: false,
        },
        Unsubscribed::AlreadyAsked { host } => UnsubscribeDone {
            host,
            already: true,
        },
    })
}

#[cfg(feature = "ssr")]
fn uid_list(uids: &str) -> Result<Vec<u32>, AppError> {
    Ok(estafette_core::organising::uids(uids)?)
}

/// Where moved messages went, and their UIDs there (`first:last`) when
/// certain: moving those back undoes the move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub folder: String,
    pub uids: Option<String>,
}

/// Marks messages (`uids`, comma-separated) read or unread (`seen`), or
/// flagged or not (`flagged`).
#[server(prefix = "/api", endpoint = "mark")]
pub async fn mark(
    folder: String,
    uids: String,
    mark: estafette_wire::Mark,
    on: bool,
) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .set_mark(&who, &folder, &uid_list(&uids)?, mark, on)
        .await?)
}

/// Moves messages to the folder `target`.
#[server(prefix = "/api", endpoint = "move")]
pub async fn move_messages(
    folder: String,
    uids: String,
    target: String,
) -> Result<Moved, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let uids = services()?
        .move_messages(&who, &folder, &uid_list(&uids)?, &target)
        .await?;
    Ok(Moved {
        folder: target,
        uids,
    })
}

/// Sends messages to the Trash (`trash`), Archive (`archive`) or Junk
/// (`junk`) folder; deleting in the Trash removes them for good. Returns
/// where they went.
#[server(prefix = "/api", endpoint = "send_to")]
pub async fn send_to(
    folder: String,
    uids: String,
    to: Destination,
) -> Result<Option<Moved>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .send_to(&who, &folder, &uid_list(&uids)?, to)
        .await?
        .map(|(folder, uids)| Moved { folder, uids }))
}

#[server(prefix = "/api", endpoint = "folder_create")]
pub async fn create_folder(name: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.create_folder(&who, &name).await?)
}

#[server(prefix = "/api", endpoint = "folder_rename")]
pub async fn rename_folder(from: String, to: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.rename_folder(&who, &from, &to).await?)
}

#[server(prefix = "/api", endpoint = "folder_delete")]
pub async fn delete_folder(name: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.delete_folder(&who, &name).await?)
}

/// Always loads remote content in messages from `address`.
#[server(prefix = "/api", endpoint = "trust_sender")]
pub async fn trust_sender(address: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.trust_sender(&who, &address).await?)
}

/// What became of a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResult {
    /// False when this form had been sent already: nothing went out again.
    pub sent_now: bool,
    /// A copy is in the Sent folder.
    pub kept_in_sent: bool,
    /// Held in the outbox until then (Unix time): undo is possible till then.
    pub held_until: Option<i64>,
}

/// The compose form as it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutgoingForm {
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    /// The text with its formatting when written as rich text; empty for plain.
    #[serde(default)]
    pub html: String,
    /// Upload ids, comma-separated.
    pub attachments: String,
    /// A reply's `References`, space-separated; the last is the message answered.
    pub references: String,
    /// Chosen once per message by the form.
    pub send_key: String,
    /// The identity sent as (0: the default).
    pub identity: i64,
}

/// Sends the compose form: after the user's undo delay, or at `send_at`
/// (Unix time) when it is set.
#[server(prefix = "/api", endpoint = "send")]
pub async fn send_message(
    message: OutgoingForm,
    #[server(default)] send_at: i64,
) -> Result<SendResult, AppError> {
    use estafette_core::sending::{Sent, When};

    use super::context::{client_info, services, signed_in};
    let who = signed_in()?;
    let client = client_info();
    let form = compose_of(message);
    let when = if send_at > 0 {
        When::At(send_at)
    } else {
        When::AfterUndoDelay
    };
    let (sent_now, kept_in_sent, held_until) =
        match services()?.send_message(&who, form, when, &client).await? {
            Sent::Now { kept } => (true, kept, None),
            Sent::Held { due_at } => (false, false, Some(due_at)),
            Sent::Already => (false, false, None),
        };
    Ok(SendResult {
        sent_now,
        kept_in_sent,
        held_until,
    })
}

/// Takes a held message back (undo send; cancel or edit a scheduled one).
#[server(prefix = "/api", endpoint = "take_back")]
pub async fn take_back(key: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.take_back(&who, &key).await?)
}

/// A message held in the outbox, as the scheduled list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldView {
    pub key: String,
    pub subject: String,
    pub recipients: String,
    pub due_at: i64,
    /// Send later (not the undo delay of a plain send).
    pub scheduled: bool,
    pub state: estafette_wire::HeldState,
    /// Why it failed, or why the last try did.
    pub error: Option<String>,
    /// When it is tried again (`retrying`).
    pub retry_at: Option<i64>,
}

/// The signed-in user's held messages, soonest first.
#[server(prefix = "/api", endpoint = "outbox")]
pub async fn outbox() -> Result<Vec<HeldView>, AppError> {
    use estafette_core::outbox::OutboxState;
    use estafette_wire::HeldState;

    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .held_messages(&who)
        .await?
        .into_iter()
        .map(|h| HeldView {
            key: h.send_key,
            subject: h.subject,
            recipients: h.recipients,
            due_at: h.due_at,
            scheduled: h.scheduled,
            state: match h.state {
                OutboxState::Queued if h.retry_at.is_some() => HeldState::Retrying,
                OutboxState::Queued => HeldState::Waiting,
                OutboxState::Sending => HeldState::Sending,
                OutboxState::Failed => HeldState::Failed,
            },
            error: h.error,
            retry_at: h.retry_at,
        })
        .collect())
}

/// Sets only how long sent messages wait, open to undo (seconds): for
/// scripts and the benchmark; the settings page saves it with the other
/// preferences.
#[server(prefix = "/api", endpoint = "set_undo_delay")]
pub async fn set_undo_delay(seconds: u32) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.set_undo_send_seconds(&who, seconds).await?)
}

/// An upload as the compose form lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadView {
    pub id: String,
    pub name: String,
    pub size: u64,
}

/// The compose form filled in from a message: `start` is `reply`, `all` or
/// `forward`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefilled {
    /// A reopened draft's key (it goes on as the form's send key).
    pub key: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    /// A rich-text draft's formatted text (cleaned); empty for plain text.
    pub html: String,
    /// The identity a draft was written as (0: the default).
    pub identity: i64,
    pub references: String,
    pub attachments: Vec<UploadView>,
}

#[server(prefix = "/api", endpoint = "start_from")]
pub async fn start_from(folder: String, uid: u32, start: Start) -> Result<Prefilled, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let t = super::context::texts(&who).await;
    let heading = |o: &estafette_core::replying::Original| {
        let date = o.date.map(crate::dates::format_time).unwrap_or_default();
        // The forwarded message's header block ends with a line break.
        let (template, end) = if start == Start::Forward {
            (t.forwarded, "\n")
        } else {
            (t.on_wrote, "")
        };
        template
            .replace("{date}", &date)
            .replace("{name}", &o.from_name)
            .replace("{subject}", &o.subject)
            + end
    };
    let p = services()?
        .start_from(&who, &folder, uid, start, heading)
        .await?;
    Ok(Prefilled {
        key: String::new(),
        to: p.to,
        cc: p.cc,
        bcc: String::new(),
        subject: p.subject,
        text: p.text,
        html: String::new(),
        identity: 0,
        references: p.references.join(" "),
        attachments: p
            .attachments
            .into_iter()
            .map(|u| UploadView {
                id: u.id,
                name: u.name,
                size: u.size,
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
fn compose_of(message: OutgoingForm) -> estafette_core::sending::OutgoingForm {
    let references: Vec<String> = message
        .references
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    estafette_core::sending::OutgoingForm {
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        subject: message.subject,
        text: message.text,
        html: message.html,
        attachments: message
            .attachments
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        send_key: message.send_key,
        identity: (message.identity != 0).then_some(message.identity),
        in_reply_to: references.last().cloned(),
        references,
    }
}

/// Saves the form in the Drafts folder (one copy per `send_key`).
#[server(prefix = "/api", endpoint = "save_draft")]
pub async fn save_draft(message: OutgoingForm) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.save_draft(&who, compose_of(message)).await?)
}

/// A draft, to go on writing it.
#[server(prefix = "/api", endpoint = "open_draft")]
pub async fn open_draft(key: String) -> Result<Prefilled, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let services = services()?;
    let (draft, uploads) = services.open_draft(&who, &key).await?;
    let identities = services.identities(&who).await?;
    let identity =
        estafette_core::identities::written_as(&identities, &draft.from, &draft.from_name)
            .map_or(0, |i| i.id);
    Ok(Prefilled {
        identity,
        key: draft.key,
        to: draft.to,
        cc: draft.cc,
        bcc: draft.bcc,
        subject: draft.subject,
        text: draft.text,
        html: draft.html.unwrap_or_default(),
        references: draft.references.join(" "),
        attachments: uploads
            .into_iter()
            .map(|u| UploadView {
                id: u.id,
                name: u.name,
                size: u.size,
            })
            .collect(),
    })
}

/// The most bytes of attachments one message may carry.
#[server(prefix = "/api", endpoint = "compose_limits")]
pub async fn compose_limit() -> Result<u64, AppError> {
    use super::context::{services, signed_in};
    signed_in()?;
    Ok(services()?.config.limits.max_message_bytes())
}

/// An address offered while typing a recipient: `value` goes into the
/// field; `label`, when not empty, names what it is (a group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionView {
    pub value: String,
    pub label: String,
}

/// Contacts, groups, the user's own addresses and addresses they wrote to,
/// starting with `prefix`.
#[server(prefix = "/api", endpoint = "suggest")]
pub async fn suggest_addresses(prefix: String) -> Result<Vec<SuggestionView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .suggest_addresses(&who, &prefix)
        .await?
        .into_iter()
        .map(|s| SuggestionView {
            value: s.value,
            label: s.label,
        })
        .collect())
}

/// A name and address the user sends as, with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityView {
    /// 0 for the account's own address when no identity was made.
    pub id: i64,
    pub name: String,
    pub email: String,
    pub signature: String,
    pub is_default: bool,
}

impl IdentityView {
    /// As the From chooser shows it.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.email.clone()
        } else {
            format!("{} <{}>", self.name, self.email)
        }
    }
}

/// The user's identities, the default first.
#[server(prefix = "/api", endpoint = "identities")]
pub async fn identities() -> Result<Vec<IdentityView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .identities(&who)
        .await?
        .into_iter()
        .map(|i| IdentityView {
            id: i.id,
            name: i.name,
            email: i.email,
            signature: i.signature,
            is_default: i.is_default,
        })
        .collect())
}

/// Adds an identity (`id` 0) or changes one; returns its id.
#[server(prefix = "/api", endpoint = "save_identity")]
pub async fn save_identity(
    id: i64,
    name: String,
    email: String,
    signature: String,
) -> Result<i64, AppError> {
    use estafette_core::identities::IdentityFields;

    use super::context::{services, signed_in};
    let who = signed_in()?;
    let fields = IdentityFields {
        name,
        email,
        signature,
    };
    Ok(services()?.save_identity(&who, id, &fields).await?)
}

#[server(prefix = "/api", endpoint = "remove_identity")]
pub async fn remove_identity(id: i64) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.remove_identity(&who, id).await?)
}

#[server(prefix = "/api", endpoint = "default_identity")]
pub async fn default_identity(id: i64) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.make_default_identity(&who, id).await?)
}
