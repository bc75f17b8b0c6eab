//! The outbox: a message sent with an undo delay or scheduled for later waits
//! in the database, not in the browser, so it goes out on time even when its
//! author closed the page or signed out, and after a restart. Every instance
//! looks for due messages; each message is claimed by one of them only.
//!
//! A message the mail server cannot take for now is tried again later, and
//! fails for good when the server refuses it (see `retry`).
//!
//! The SMTP password a held message needs is sealed with a key derived from
//! the server key for this use only, and dropped as soon as the message went
//! out or failed for good. The message itself waits as a file (see
//! `message_files`), removed then too.

use std::collections::HashSet;
use std::time::Duration;

use estafette_auth::seal;
use estafette_mail::{imap, smtp};
use estafette_store::{now, Claimed};
pub use estafette_store::{Held, OutboxState};
use secrecy::SecretString;

use crate::retry::{self, Failure};
use crate::sending::{checked_key, file_sent};
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Most held messages one look submits.
const BATCH: i64 = 20;
/// A claim older than this was abandoned by a stopped instance.
const ABANDONED_AFTER_SECONDS: i64 = 600;
/// A message file no held message names is removed once this old (it was
/// left by a stop in the middle of a send).
const ORPHANED_AFTER: Duration = Duration::from_secs(3600);

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
        let Some(file) = self.store.take_back(account, key).await? else {
            return Err(CoreError::Invalid(
                "This message is no longer waiting: it has been sent, or is being sent.".into(),
            ));
        };
        self.files.remove(&file).await;
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

    /// Removes the message files of this instance's directory that no held
    /// message names any more; returns how many.
    pub async fn sweep_message_files(&self) -> Result<usize, CoreError> {
        let named: HashSet<String> = self
            .store
            .held_files(self.files.id())
            .await?
            .into_iter()
            .collect();
        Ok(self.files.sweep(&named, ORPHANED_AFTER).await)
    }

    /// Submits every held message that is due (at once, each on its own
    /// connection); returns how many went out.
    pub async fn deliver_due(&self) -> Result<usize, CoreError> {
        let due = self
            .store
            .claim_due(now(), &self.outbox_key_id, self.files.id(), BATCH)
            .await?;
        let outcomes = futures::future::join_all(due.iter().map(|held| async move {
            match self.deliver(held).await {
                Ok(()) => Ok(true),
                Err(failure) => self.after_failure(held, failure).await.map(|()| false),
            }
        }))
        .await;
        let mut sent = 0;
        for outcome in outcomes {
            sent += usize::from(outcome?);
        }
        Ok(sent)
    }

    /// A try that failed: another later, or the message fails for good
    /// (its send key given back, so that its draft can be sent again).
    async fn after_failure(&self, held: &Claimed, failure: Failure) -> Result<(), CoreError> {
        let hours = self.config.limits.send_retry_hours;
        let (account, key) = (held.account_id, held.send_key.as_str());
        match retry::next_try(&failure, held.attempts + 1, held.due_at, now(), hours) {
            Some(at) => {
                tracing::warn!(reason = %failure.reason, retry_at = at, "a held message was not sent; it will be tried again");
                self.store
                    .retry_later(account, key, at, &failure.reason)
                    .await?;
            }
            None => {
                tracing::warn!(reason = %failure.reason, "a held message was not sent");
                // Gone before the failure shows.
                self.files.remove(&held.message_file).await;
                self.store
                    .outbox_failed(account, key, &retry::given_up(&failure, hours))
                    .await?;
                self.store.release_send(account, key).await?;
            }
        }
        Ok(())
    }

    async fn deliver(&self, held: &Claimed) -> Result<(), Failure> {
        let account = self
            .store
            .account_by_id(held.account_id)
            .await
            .map_err(|e| Failure::from(CoreError::from(e)))?
            .filter(|a| a.state == estafette_store::AccountState::Active)
            .ok_or_else(|| Failure::permanent("The account is disabled."))?;
        let unreadable =
            || Failure::permanent("The message could not be read back; send it again.");
        let password = seal::unseal(&self.outbox_key, &held.credential)
            .map(SecretString::from)
            .map_err(|_| unreadable())?;
        let envelope = smtp::envelope(&held.mail_from, &held.rcpt_to)?;
        let file = self
            .files
            .find(&held.message_file)
            .await
            .map_err(|_| unreadable())?;
        let sent = smtp::submit(
            &self.config.smtp_server(),
            &account.email,
            &password,
            &envelope,
            file.source().open().await?,
        )
        .await;
        crate::sending::count_submission("outbox", &sent);
        sent?;
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
            let kept = file_sent(&mut session, file.source(), &held.send_key).await;
            let _ = session.logout().await;
            kept
        };
        // A mail server that stopped answering must not hold the outbox.
        match tokio::time::timeout(self.config.limits.imap_timeout(), filed).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "sent, but not kept in Sent"),
            Err(_) => tracing::warn!("sent, but not kept in Sent: the mail server did not answer"),
        }
        file.discard();
        Ok(())
    }
}
