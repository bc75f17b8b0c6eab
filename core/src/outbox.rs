//! The outbox: a message sent with an undo delay or scheduled for later waits
//! in the database, not in the browser, so it goes out on time even when its
//! author closed the page or signed out, and after a restart. Every instance
//! looks for due messages; each message is claimed by one of them only.
//!
//! The SMTP password a held message needs is sealed with a key derived from
//! the server key for this use only, and dropped as soon as the message went
//! out or failed.

use estafette_auth::seal;
use estafette_mail::{imap, smtp};
use estafette_store::{now, Claimed};
pub use estafette_store::{Held, OutboxState};
use secrecy::SecretString;

use crate::sending::{checked_key, file_sent};
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Most held messages one look submits.
const BATCH: i64 = 20;
/// A claim older than this was abandoned by a stopped instance.
const ABANDONED_AFTER_SECONDS: i64 = 600;

/// The key that seals held messages' credentials, derived from the server
/// key for this use only, and its id (which names it without revealing it).
pub(crate) fn outbox_key(server_key: &[u8; 32]) -> ([u8; 32], String) {
    let key = seal::derive(server_key, "outbox credential");
    let id = seal::derive(&key, "key id")[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (key, id)
}

impl Services {
    /// The user's held messages (waiting, being sent, or failed), soonest first.
    pub async fn held_messages(&self, who: &SignedIn) -> Result<Vec<Held>, CoreError> {
        Ok(self.store.held(who.0.account.id).await?)
    }

    /// Takes a held message back (undo, cancel, edit): it will not be sent,
    /// and its draft is where it was. Too late once it is being sent.
    pub async fn take_back(&self, who: &SignedIn, key: &str) -> Result<(), CoreError> {
        let key = checked_key(key)?;
        let account = who.0.account.id;
        if !self.store.take_back(account, key).await? {
            return Err(CoreError::Invalid(
                "This message is no longer waiting: it has been sent, or is being sent.".into(),
            ));
        }
        // The same draft may be sent again.
        self.store.release_send(account, key).await?;
        tracing::info!("held message taken back");
        Ok(())
    }

    /// Marks messages whose instance stopped while sending them as failed
    /// (whether they left is unknown: they are not sent again).
    pub async fn fail_abandoned_sends(&self) -> Result<u64, CoreError> {
        Ok(self
            .store
            .fail_abandoned(now() - ABANDONED_AFTER_SECONDS)
            .await?)
    }

    /// Submits every held message that is due; returns how many went out.
    pub async fn deliver_due(&self) -> Result<usize, CoreError> {
        let mut sent = 0;
        for claimed in self
            .store
            .claim_due(now(), &self.outbox_key_id, BATCH)
            .await?
        {
            let (account, key) = (claimed.account_id, claimed.send_key.clone());
            match self.deliver(claimed).await {
                Ok(()) => sent += 1,
                Err(e) => {
                    tracing::warn!(error = %e, "a held message was not sent");
                    self.store
                        .outbox_failed(account, &key, &e.to_string())
                        .await?;
                    self.store.release_send(account, &key).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn deliver(&self, held: Claimed) -> Result<(), CoreError> {
        let account = self
            .store
            .account_by_id(held.account_id)
            .await?
            .filter(|a| a.state == estafette_store::AccountState::Active)
            .ok_or_else(|| CoreError::Invalid("The account is disabled.".into()))?;
        let password = seal::unseal(&self.outbox_key, &held.credential)
            .map(SecretString::from)
            .map_err(|_| {
                CoreError::Invalid("The message could not be read back; send it again.".into())
            })?;
        let envelope = smtp::envelope(&held.mail_from, &held.rcpt_to)?;
        smtp::send_raw(
            &self.config.smtp_server(),
            &account.email,
            &password,
            &envelope,
            &held.message,
        )
        .await
        .map_err(crate::sending::refusal)?;
        tracing::info!("held message sent");
        if let Err(e) = self
            .store
            .sent_from_outbox(held.account_id, &held.send_key)
            .await
        {
            // Left claimed, it is failed later as interrupted, never sent twice.
            tracing::warn!(error = %e, "sent, but still in the outbox");
        }
        self.remember_recipients(held.account_id, held.rcpt_to.iter().cloned())
            .await;
        // Sent, whatever happens next: keeping the copy is best effort.
        let filed = async {
            let mut session =
                imap::login(&self.config.imap_server(), &account.email, &password).await?;
            let kept = file_sent(&mut session, &held.message, &held.send_key).await;
            let _ = session.logout().await;
            kept
        };
        if let Err(e) = filed.await {
            tracing::warn!(error = %e, "sent, but not kept in Sent");
        }
        Ok(())
    }
}
