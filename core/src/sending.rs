//! Sending as the signed-in user: the form's fields and uploads become a
//! message, written to a file as it is built (its attachments streamed from
//! their uploads), submitted over SMTP with the user's own credentials from
//! that file, then kept in Sent exactly as sent, streamed from it again. A
//! send key makes every send happen once.

use std::collections::HashMap;

use estafette_mail::compose::{
    self, first_recipient, File, InlineImage, Outgoing, Prepared, DRAFT_HEADER,
};
use estafette_mail::folders::{self, SpecialUse};
use estafette_mail::imap::ImapSession;
use estafette_mail::{actions, sanitize, smtp, MailError};
use estafette_store::{now, Contact, NewOutgoing};

use crate::address_book::{recipient, Suggestion};
use crate::message_files::Source;
use crate::visitor::SignedIn;
use crate::{ClientInfo, CoreError, Services};

/// What the compose form sends.
#[derive(Debug, Clone, Default)]
pub struct OutgoingForm {
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    /// The text with its formatting, when written as rich text (empty
    /// otherwise); cleaned before it goes anywhere.
    pub html: String,
    /// Ids of this session's uploads.
    pub attachments: Vec<String>,
    /// Chosen by the form once per message; a repeat is not sent again.
    pub send_key: String,
    /// The identity sent as (`None`: the default).
    pub identity: Option<i64>,
    /// Threading of a reply: the message answered and its ancestors.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// When a message goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// After the user's undo delay (none when it is 0).
    AfterUndoDelay,
    /// At this Unix time (send later).
    At(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Sent now; `kept` says whether a copy is in the Sent folder.
    Now { kept: bool },
    /// Held in the outbox until `due_at` (undo send, send later).
    Held { due_at: i64 },
    /// This send key went out before: nothing was sent this time.
    Already,
}

/// The longest undo delay, in seconds.
pub const MAX_UNDO_SECONDS: u32 = 30;
/// How far ahead a message can be scheduled.
const MAX_SCHEDULE_SECONDS: i64 = 366 * 24 * 3600;

pub(crate) fn checked_key(key: &str) -> Result<&str, CoreError> {
    let ok = (8..=100).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(key)
    } else {
        Err(CoreError::Invalid(
            "This form is out of date; reload the page.".into(),
        ))
    }
}

impl Services {
    /// The form as a message to build: the uploads found (attachments, and
    /// the images pasted into the rich text, which become `cid:` parts; read
    /// when the message is written), the size checked.
    pub(crate) async fn outgoing(
        &self,
        who: &SignedIn,
        form: &OutgoingForm,
    ) -> Result<Outgoing, CoreError> {
        let limit = self.config.limits.max_message_bytes();
        let mut total = 0u64;
        let mut read = async |id: &str| {
            let (upload, path) = self.uploads.find(who, id).await?;
            total += upload.size;
            if total > limit {
                return Err(CoreError::TooLarge(format!(
                    "A message can carry at most {} MB of attachments.",
                    self.config.limits.max_message_mb
                )));
            }
            Ok(File {
                name: upload.name,
                content_type: upload.content_type,
                path,
            })
        };
        let mut attachments = Vec::with_capacity(form.attachments.len());
        for id in &form.attachments {
            attachments.push(read(id).await?);
        }
        let (name, email) = self.sender_of(who, form.identity).await?;
        let domain = email.rsplit('@').next().unwrap_or("localhost");
        let mut html = None;
        let mut images = Vec::new();
        if !form.html.trim().is_empty() {
            let (clean, sources) = sanitize::compose_html_with_images(&form.html, HashMap::new());
            let mut changes = HashMap::new();
            for src in sources {
                let Some(id) = sanitize::upload_image(&src) else {
                    continue;
                };
                let file = read(id).await?;
                if !file.content_type.starts_with("image/") {
                    return Err(CoreError::Invalid(format!(
                        "`{}` is not an image; attach it instead.",
                        file.name
                    )));
                }
                let content_id = format!("{id}@{domain}");
                changes.insert(src.clone(), format!("cid:{content_id}"));
                images.push(InlineImage { content_id, file });
            }
            html = Some(sanitize::compose_html_with_images(&clean, changes).0);
        }
        Ok(Outgoing {
            from: compose::sender(&name, &email)?,
            to: form.to.clone(),
            cc: form.cc.clone(),
            bcc: form.bcc.clone(),
            subject: form.subject.clone(),
            text: form.text.clone(),
            html,
            message_id: format!("<{:032x}@{domain}>", rand::random::<u128>()),
            in_reply_to: form.in_reply_to.clone(),
            references: form.references.clone(),
            attachments,
            images,
        })
    }

    /// Forgets the uploads a message carried, once it is sent or held: its
    /// attachments, and the images of its text (whose content ids begin with
    /// their upload's id, as `outgoing` makes them).
    async fn forget_uploads(
        &self,
        who: &SignedIn,
        form: &OutgoingForm,
        outgoing: &Outgoing,
    ) -> Result<(), CoreError> {
        let images = outgoing
            .images
            .iter()
            .filter_map(|i| i.content_id.split_once('@').map(|(id, _)| id.to_owned()));
        for id in form.attachments.iter().cloned().chain(images) {
            self.uploads.remove(who, &id).await?;
        }
        Ok(())
    }

    /// Sends the form now, or holds it in the outbox (`when`). Counted
    /// against the account's sending limit first (see `sending_limit`);
    /// `client` is who asked, for the audit log.
    pub async fn send_message(
        &self,
        who: &SignedIn,
        form: OutgoingForm,
        when: When,
        client: &ClientInfo,
    ) -> Result<Sent, CoreError> {
        let key = checked_key(&form.send_key)?.to_owned();
        let account = &who.0.account;
        let due_at = match when {
            When::At(at) if at <= now() => {
                return Err(CoreError::Invalid(
                    "That time has passed; choose a time to come.".into(),
                ))
            }
            When::At(at) if at > now() + MAX_SCHEDULE_SECONDS => {
                return Err(CoreError::Invalid(
                    "A message can be scheduled at most a year ahead.".into(),
                ))
            }
            When::At(at) => Some((at, true)),
            When::AfterUndoDelay => match self.preferences(who).await?.choices.undo_send_seconds {
                0 => None,
                delay => Some((now() + i64::from(delay.min(MAX_UNDO_SECONDS)), false)),
            },
        };
        let outgoing = self.outgoing(who, &form).await?;
        let message = compose::build(&outgoing)?;

        if !self.store.claim_send(account.id, &key).await? {
            tracing::info!("a repeated send was not sent again");
            return Ok(Sent::Already);
        }
        let session = &who.0;
        let password = session
            .sealed_password
            .as_deref()
            .and_then(|sealed| session.token.unseal(sealed).ok())
            .ok_or(CoreError::NotSignedIn)?;
        // Counted once the key is ours: from here every way out that does
        // not reach the mail server releases the key, and with it the count.
        let recipients = distinct_recipients(message.envelope().to());
        if let Err(e) = self.reserve_sending(who, &key, recipients, client).await {
            self.store.release_send(account.id, &key).await?;
            return Err(e);
        }
        if let Some((due_at, scheduled)) = due_at {
            let held = self
                .hold(
                    who,
                    &form,
                    &outgoing,
                    &message,
                    &password,
                    (due_at, scheduled),
                )
                .await;
            if held.is_err() {
                self.store.release_send(account.id, &key).await?;
            }
            return held;
        }
        let submitted = async {
            let file = self.files.write(&message).await?;
            let sent = smtp::submit(
                &self.config.smtp_server(),
                &account.email,
                &password,
                message.envelope(),
                file.source().open().await?,
            )
            .await;
            count_submission("direct", &sent);
            sent.map_err(refusal)?;
            Ok::<_, CoreError>(file)
        };
        let file = match submitted.await {
            Ok(file) => file,
            Err(e) => {
                // Not sent: the same key may try again.
                self.store.release_send(account.id, &key).await?;
                return Err(e);
            }
        };
        tracing::info!(attachments = form.attachments.len(), "message sent");
        self.remember_recipients(
            account.id,
            message.envelope().to().iter().map(ToString::to_string),
        )
        .await;
        self.forget_uploads(who, &form, &outgoing).await?;
        let kept = self
            .with_imap(session, |imap| {
                let (source, key) = (file.source().clone(), key.clone());
                Box::pin(async move { file_sent(imap, &source, &key).await })
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "sent, but not kept in Sent");
                false
            });
        Ok(Sent::Now { kept })
    }

    /// Puts the message in the outbox until `due_at` (`scheduled`: a send
    /// later), unless the account holds as many as it may; its draft is kept
    /// so that undo, edit or a failure finds it.
    async fn hold(
        &self,
        who: &SignedIn,
        form: &OutgoingForm,
        outgoing: &Outgoing,
        message: &Prepared,
        password: &secrecy::SecretString,
        (due_at, scheduled): (i64, bool),
    ) -> Result<Sent, CoreError> {
        self.keep_draft(who, outgoing, &form.send_key).await?;
        // Kept from here: a stop before the row is written leaves a file
        // no row names, which the sweep removes.
        let file = self.files.write(message).await?.keep();
        let envelope = message.envelope();
        let recipients: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
        let max = self.config.limits.max_held_messages;
        let held = self
            .store
            .hold(
                &NewOutgoing {
                    account_id: who.0.account.id,
                    send_key: form.send_key.clone(),
                    due_at,
                    scheduled,
                    subject: form.subject.clone(),
                    recipients: recipients.join(", "),
                    mail_from: envelope.from().map(ToString::to_string).unwrap_or_default(),
                    rcpt_to: recipients,
                    message_file: file.clone(),
                    stored_in: self.files.id().to_owned(),
                    credential: estafette_auth::seal::seal(
                        &self.outbox_key,
                        secrecy::ExposeSecret::expose_secret(password),
                    ),
                    sealed_by: self.outbox_key_id.clone(),
                },
                i64::from(max),
            )
            .await;
        if !matches!(held, Ok(true)) {
            self.files.remove(&file).await;
            held?;
            tracing::info!("a message was not held: the outbox is full");
            return Err(CoreError::Invalid(format!(
                "At most {max} messages can wait to be sent; wait for some to go, or cancel some in Scheduled."
            )));
        }
        self.forget_uploads(who, form, outgoing).await?;
        tracing::info!(scheduled, "message held in the outbox");
        Ok(Sent::Held { due_at })
    }

    /// Counts each recipient as a contact (for address completion).
    pub(crate) async fn remember_recipients(
        &self,
        account_id: i64,
        addresses: impl Iterator<Item = String>,
    ) {
        let written: Vec<Contact> = addresses
            .map(|address| Contact {
                address,
                name: String::new(),
            })
            .collect();
        if let Err(e) = self.store.remember_contacts(account_id, &written).await {
            tracing::warn!(error = %e, "recipients not remembered");
        }
    }
}

/// The envelope's recipients (To, Cc and Bcc), each address once.
fn distinct_recipients(to: &[impl std::fmt::Display]) -> usize {
    let mut all: Vec<String> = to.iter().map(|a| a.to_string().to_lowercase()).collect();
    all.sort_unstable();
    all.dedup();
    all.len()
}

/// What the user is told when the mail server did not take a message.
pub(crate) fn refusal(e: MailError) -> CoreError {
    match e {
        MailError::SmtpReply { code, text } => CoreError::Invalid(format!(
            "The mail server did not send the message: {code} {text}"
        )),
        other => other.into(),
    }
}

/// After a send: the exact bytes kept in Sent (when there is one; returns
/// whether), and every version of the message's draft removed.
pub(crate) async fn file_sent(
    imap: &mut ImapSession,
    message: &Source,
    key: &str,
) -> Result<bool, MailError> {
    if let Some(drafts) = folders::special(imap, SpecialUse::Drafts).await? {
        let versions = actions::find_by_header(imap, &drafts, DRAFT_HEADER, key).await?;
        if !versions.is_empty() {
            actions::expunge(imap, &drafts, &versions).await?;
        }
    }
    match folders::special(imap, SpecialUse::Sent).await? {
        Some(sent) => {
            let bytes = message.open().await?;
            actions::append(imap, &sent, message.size(), bytes)
                .await
                .map(|_| true)
        }
        None => Ok(false),
    }
}

/// Most addresses offered for completion at once.
const SUGGESTIONS: i64 = 8;

impl Services {
    /// Addresses that start with `prefix`, for completion: the user's
    /// contacts first (and their groups, as all members at once), then
    /// their own addresses (identities), then addresses they wrote to.
    /// Senders of mail the user only read are never offered: anyone can send
    /// a message from `"Alice Martin (CFO)" <cfo@evil.example>`.
    pub async fn suggest_addresses(
        &self,
        who: &SignedIn,
        prefix: &str,
    ) -> Result<Vec<Suggestion>, CoreError> {
        let prefix = prefix.trim();
        if prefix.chars().count() < 2 || prefix.len() > 100 {
            return Ok(Vec::new());
        }
        let lower = prefix.to_lowercase();
        let mut found = self
            .contact_suggestions(who, prefix, SUGGESTIONS as usize)
            .await?;
        let mut others: Vec<Contact> = self
            .identities(who)
            .await?
            .into_iter()
            .filter(|i| {
                i.email.to_lowercase().starts_with(&lower)
                    || i.name
                        .to_lowercase()
                        .split_whitespace()
                        .any(|w| w.starts_with(&lower))
            })
            .map(|i| Contact {
                address: i.email.to_lowercase(),
                name: i.name,
            })
            .collect();
        others.extend(
            self.store
                .contacts_matching(who.0.account.id, prefix, SUGGESTIONS)
                .await?,
        );
        for c in others {
            let shown = found.iter().filter(|s| s.label.is_empty()).count();
            if shown >= SUGGESTIONS as usize {
                break;
            }
            let value = recipient(&c.name, &c.address);
            let known = found.iter().any(|s| {
                s.label.is_empty()
                    && first_recipient(&s.value).1.as_deref() == Some(c.address.as_str())
            });
            if !known {
                let at = found
                    .iter()
                    .position(|s| !s.label.is_empty())
                    .unwrap_or(found.len());
                found.insert(
                    at,
                    Suggestion {
                        value,
                        label: String::new(),
                    },
                );
            }
        }
        Ok(found)
    }
}

/// Counts an SMTP submission by its outcome (`estafette_smtp_submissions_total`);
/// `path` is `direct` (a send) or `outbox` (a held or scheduled message).
pub(crate) fn count_submission(path: &'static str, sent: &Result<(), MailError>) {
    let outcome = match sent {
        Ok(()) => "sent",
        Err(MailError::SmtpReply { code, .. }) if *code >= 500 => "refused",
        Err(MailError::SmtpReply { .. }) => "deferred",
        Err(MailError::Rejected) => "rejected_credentials",
        Err(MailError::Unreachable(..) | MailError::Tls(..)) => "unreachable",
        Err(_) => "error",
    };
    metrics::counter!("estafette_smtp_submissions_total", "path" => path, "outcome" => outcome)
        .increment(1);
}
