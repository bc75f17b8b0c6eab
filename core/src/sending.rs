//! Sending as the signed-in user: the form's fields and uploads become a
//! message, submitted over SMTP with the user's own credentials, then kept
//! in Sent exactly as sent. A send key makes every send happen once.

use estafette_mail::compose::{self, File, Outgoing};
use estafette_mail::folders::{self, SpecialUse};
use estafette_mail::{actions, smtp, MailError};

use estafette_store::Contact;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// What the compose form sends.
#[derive(Debug, Clone, Default)]
pub struct Compose {
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    /// Ids of this session's uploads.
    pub attachments: Vec<String>,
    /// Chosen by the form once per message; a repeat is not sent again.
    pub send_key: String,
    /// Threading of a reply: the message answered and its ancestors.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Sent now; `kept` says whether a copy is in the Sent folder.
    Now { kept: bool },
    /// This send key went out before: nothing was sent this time.
    Already,
}

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
    /// The form as a message to build: the uploads read, the size checked.
    pub(crate) async fn outgoing(
        &self,
        who: &SignedIn,
        form: &Compose,
    ) -> Result<Outgoing, CoreError> {
        let account = &who.0.account;
        let limit = self.config.limits.max_message_bytes();
        let mut files = Vec::with_capacity(form.attachments.len());
        let mut total = 0u64;
        for id in &form.attachments {
            let (upload, data) = self.uploads.read(who, id).await?;
            total += upload.size;
            if total > limit {
                return Err(CoreError::TooLarge(format!(
                    "A message can carry at most {} MB of attachments.",
                    self.config.limits.max_message_mb
                )));
            }
            files.push(File {
                name: upload.name,
                content_type: upload.content_type,
                data,
            });
        }
        let domain = account.email.rsplit('@').next().unwrap_or("localhost");
        Ok(Outgoing {
            from: account
                .email
                .parse()
                .map_err(|_| CoreError::Invalid("Your address cannot send mail.".into()))?,
            to: form.to.clone(),
            cc: form.cc.clone(),
            bcc: form.bcc.clone(),
            subject: form.subject.clone(),
            text: form.text.clone(),
            message_id: format!("<{:032x}@{domain}>", rand::random::<u128>()),
            in_reply_to: form.in_reply_to.clone(),
            references: form.references.clone(),
            attachments: files,
        })
    }

    pub async fn send_message(&self, who: &SignedIn, form: Compose) -> Result<Sent, CoreError> {
        let key = checked_key(&form.send_key)?;
        let account = &who.0.account;
        let outgoing = self.outgoing(who, &form).await?;
        let message = compose::build(&outgoing)?;

        if !self.store.claim_send(account.id, key).await? {
            tracing::info!("a repeated send was not sent again");
            return Ok(Sent::Already);
        }
        let session = &who.0;
        let password = session
            .sealed_password
            .as_deref()
            .and_then(|sealed| session.token.unseal(sealed).ok())
            .ok_or(CoreError::NotSignedIn)?;
        if let Err(e) = smtp::send(
            &self.config.smtp_server(),
            &account.email,
            &password,
            &message,
        )
        .await
        {
            // Not sent: the same key may try again.
            self.store.release_send(account.id, key).await?;
            return Err(match e {
                MailError::Refused(reason) => CoreError::Invalid(format!(
                    "The mail server did not send the message: {reason}"
                )),
                other => other.into(),
            });
        }
        tracing::info!(attachments = form.attachments.len(), "message sent");
        let written: Vec<Contact> = message
            .envelope()
            .to()
            .iter()
            .map(|a| Contact {
                address: a.to_string(),
                name: String::new(),
            })
            .collect();
        if let Err(e) = self.store.remember_contacts(account.id, &written).await {
            tracing::warn!(error = %e, "recipients not remembered");
        }
        for id in &form.attachments {
            self.uploads.remove(who, id).await?;
        }
        if let Err(e) = self.discard_draft(who, key).await {
            tracing::warn!(error = %e, "sent, but its draft was not removed");
        }
        let raw = message.formatted();
        let kept = self
            .with_imap(session, |imap| {
                let raw = raw.clone();
                Box::pin(async move {
                    match folders::special(imap, SpecialUse::Sent).await? {
                        Some(sent) => actions::append(imap, &sent, &raw).await.map(|_| true),
                        None => Ok(false),
                    }
                })
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "sent, but not kept in Sent");
                false
            });
        Ok(Sent::Now { kept })
    }
}

/// Most addresses offered for completion at once.
const SUGGESTIONS: i64 = 8;

impl Services {
    /// Addresses the user wrote to or read from that start with `prefix`,
    /// as `Name <address>` (or the bare address).
    pub async fn suggest_addresses(
        &self,
        who: &SignedIn,
        prefix: &str,
    ) -> Result<Vec<String>, CoreError> {
        let prefix = prefix.trim();
        if prefix.chars().count() < 2 || prefix.len() > 100 {
            return Ok(Vec::new());
        }
        let found = self
            .store
            .contacts_matching(who.0.account.id, prefix, SUGGESTIONS)
            .await?;
        Ok(found
            .into_iter()
            .map(|c| {
                let quotable = !c.name.is_empty() && !c.name.contains(['"', '<', '>', '\\']);
                if quotable {
                    format!("\"{}\" <{}>", c.name, c.address)
                } else {
                    c.address
                }
            })
            .collect())
    }
}
