//! Live updates for an open folder: a second IMAP connection, owned by a
//! task of its own, waits in IDLE and reports changes. The pages a session
//! has open on one folder share that connection, which is closed when the
//! last of them leaves; an account holds at most `limits.max_event_streams`
//! such connections on an instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use estafette_mail::live;
use tokio::sync::{broadcast, mpsc};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// The watches of this instance, by session and folder.
#[derive(Default)]
pub struct Watches {
    shared: Mutex<HashMap<(String, String), Weak<Watch>>>,
    per_account: Arc<Mutex<HashMap<i64, u32>>>,
}

/// One IMAP connection watching one folder for one session.
struct Watch {
    /// `true` on a change; `false` once the watch has stopped.
    changes: broadcast::Sender<bool>,
    /// Ends the connection's task when the last page leaves.
    task: tokio::task::AbortHandle,
    _slot: Slot,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One of an account's watches, counted while it lives.
struct Slot {
    counts: Arc<Mutex<HashMap<i64, u32>>>,
    account: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.account) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.account);
            }
        }
    }
}

/// A page's view of a watch: `changed` resolves on every change.
pub struct Subscription {
    _watch: Arc<Watch>,
    changes: broadcast::Receiver<bool>,
}

impl Subscription {
    /// The next change; `None` once the watch has stopped (the mail server
    /// went away): the page reconnects and a new watch begins.
    pub async fn changed(&mut self) -> Option<()> {
        match self.changes.recv().await {
            Ok(true) => Some(()),
            // Several changes at once are one change to a page.
            Err(broadcast::error::RecvError::Lagged(_)) => Some(()),
            Ok(false) | Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    fn of(watch: Arc<Watch>) -> Self {
        let changes = watch.changes.subscribe();
        Subscription {
            _watch: watch,
            changes,
        }
    }
}

impl Watches {
    fn existing(&self, key: &(String, String)) -> Option<Arc<Watch>> {
        let shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared
            .get(key)
            .and_then(Weak::upgrade)
            .filter(|w| !w.task.is_finished())
    }

    fn reserve(&self, account: i64, max: u32) -> Result<Slot, CoreError> {
        let mut counts = self.per_account.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(account).or_insert(0);
        if *n >= max {
            return Err(CoreError::Busy);
        }
        *n += 1;
        Ok(Slot {
            counts: self.per_account.clone(),
            account,
        })
    }

    /// Keeps `watch` for the key unless another page made one meanwhile
    /// (then that one is used, and this one ends).
    fn keep(&self, key: (String, String), watch: Arc<Watch>) -> Arc<Watch> {
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.retain(|_, w| w.strong_count() > 0);
        if let Some(theirs) = shared
            .get(&key)
            .and_then(Weak::upgrade)
            .filter(|w| !w.task.is_finished())
        {
            return theirs;
        }
        shared.insert(key, Arc::downgrade(&watch));
        watch
    }

    /// IMAP connections watching folders now (a metric, and how tests count them).
    pub fn open(&self) -> usize {
        let shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.values().filter(|w| w.strong_count() > 0).count()
    }
}

impl Services {
    /// Watches `folder` for this session, sharing the connection of a page
    /// of the session already watching it.
    pub async fn watch(&self, who: &SignedIn, folder: &str) -> Result<Subscription, CoreError> {
        let session = &who.0;
        let key = (session.token.id_hash(), folder.to_owned());
        if let Some(watch) = self.watches.existing(&key) {
            return Ok(Subscription::of(watch));
        }
        let slot = self
            .watches
            .reserve(session.account.id, self.config.limits.max_event_streams)?;
        let sealed = session
            .sealed_password
            .as_deref()
            .ok_or(CoreError::NotSignedIn)?;
        let password = session
            .token
            .unseal(sealed)
            .map_err(|_| CoreError::NotSignedIn)?;
        let mut imap = self.mail.login(&session.account.email, &password).await?;
        // Fail now, not inside the task, when the folder does not exist.
        imap.select_folder(folder).await?;
        let (changes, _) = broadcast::channel(8);
        let (tx, mut rx) = mpsc::channel(8);
        let announce = changes.clone();
        let folder_name = folder.to_owned();
        let task = tokio::spawn(async move {
            let watching = tokio::spawn(async move {
                if let Err(e) = live::watch(imap, &folder_name, tx).await {
                    tracing::info!(error = %e, "live updates stopped");
                }
            });
            while rx.recv().await.is_some() {
                let _ = announce.send(true);
            }
            // The watch ended by itself: its pages are told.
            let _ = watching.await;
            let _ = announce.send(false);
        });
        let watch = Arc::new(Watch {
            changes,
            task: task.abort_handle(),
            _slot: slot,
        });
        Ok(Subscription::of(self.watches.keep(key, watch)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_holds_at_most_its_watches() {
        let watches = Watches::default();
        let a = watches.reserve(1, 2).expect("first");
        let _b = watches.reserve(1, 2).expect("second");
        assert!(matches!(watches.reserve(1, 2), Err(CoreError::Busy)));
        assert!(watches.reserve(2, 2).is_ok(), "another account");
        drop(a);
        assert!(watches.reserve(1, 2).is_ok(), "a slot given back");
    }
}
