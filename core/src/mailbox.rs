//! One IMAP connection per signed-in session, opened on first use, reused by
//! every request of that session and re-opened from the sealed password when
//! it is missing (after a restart, on another instance, or after a drop).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use estafette_mail::imap::{self, ImapSession};
use estafette_mail::MailServer;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::visitor::Session;
use crate::CoreError;

/// How long a session's IMAP connection stays open unused; the next request
/// after that logs in again from the sealed password.
pub const IMAP_IDLE_CLOSE: Duration = Duration::from_secs(10 * 60);

/// A session's connection, and when it was last given back.
#[derive(Default)]
struct Held {
    imap: Option<ImapSession>,
    last_used: Option<Instant>,
}

type Slot = Arc<AsyncMutex<Held>>;

pub struct MailSessions {
    server: MailServer,
    slots: Mutex<HashMap<String, Slot>>,
    logins: AtomicU64,
}

/// A borrowed IMAP connection; dropping it gives the connection back.
pub struct MailConnection {
    guard: OwnedMutexGuard<Held>,
}

impl MailConnection {
    pub fn imap(&mut self) -> Result<&mut ImapSession, CoreError> {
        self.guard
            .imap
            .as_mut()
            .ok_or_else(|| CoreError::Internal("IMAP connection missing".into()))
    }

    /// Forgets a connection that failed, so that the next use logs in again.
    pub fn discard(&mut self) {
        self.guard.imap.take();
    }
}

impl Drop for MailConnection {
    fn drop(&mut self) {
        self.guard.last_used = Some(Instant::now());
    }
}

impl MailSessions {
    pub fn new(server: MailServer) -> Self {
        MailSessions {
            server,
            slots: Mutex::new(HashMap::new()),
            logins: AtomicU64::new(0),
        }
    }

    /// IMAP logins made since start (a metric, and how tests count them).
    pub fn login_count(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    fn slot(&self, session_key: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(session_key.to_owned()).or_default().clone()
    }

    /// Logs in as the session's user (unsealing the password), or reuses the open connection.
    pub async fn connection(&self, session: &Session) -> Result<MailConnection, CoreError> {
        let mut guard = self.slot(&session.token.id_hash()).lock_owned().await;
        if guard.imap.is_none() {
            let sealed = session
                .sealed_password
                .as_deref()
                .ok_or(CoreError::NotSignedIn)?;
            let password = session
                .token
                .unseal(sealed)
                .map_err(|_| CoreError::NotSignedIn)?;
            guard.imap = Some(self.login(&session.account.email, &password).await?);
        }
        Ok(MailConnection { guard })
    }

    /// A fresh login, counted.
    pub async fn login(
        &self,
        user: &str,
        password: &secrecy::SecretString,
    ) -> Result<ImapSession, CoreError> {
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(imap::login(&self.server, user, password).await?)
    }

    /// Puts a connection opened during sign-in in the session's slot.
    pub async fn adopt(&self, session_key: &str, imap: ImapSession) {
        let slot = self.slot(session_key);
        let mut held = slot.lock().await;
        held.imap = Some(imap);
        held.last_used = Some(Instant::now());
    }

    /// Closes and forgets the connection of a session that ended.
    pub async fn close(&self, session_key: &str) {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.remove(session_key)
        };
        if let Some(slot) = slot {
            if let Some(mut imap) = slot.lock().await.imap.take() {
                let _ = imap.logout().await;
            }
        }
    }

    /// Logs out of connections unused for `idle`; returns how many. Slots
    /// in use are skipped (they are not idle).
    pub async fn close_idle(&self, idle: Duration) -> usize {
        let slots: Vec<(String, Slot)> = {
            let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let mut closed = 0;
        for (key, slot) in slots {
            let Ok(mut held) = slot.try_lock() else {
                continue;
            };
            if held.last_used.is_some_and(|t| t.elapsed() < idle) {
                continue;
            }
            if let Some(mut imap) = held.imap.take() {
                let _ = imap.logout().await;
                closed += 1;
            }
            drop(held);
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            // Forget the slot unless a request took it meanwhile.
            if slots.get(&key).is_some_and(|s| Arc::strong_count(s) == 2) {
                slots.remove(&key);
            }
        }
        closed
    }

    /// Sessions holding an open IMAP connection (a metric).
    pub fn open_connections(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .values()
            .filter(|s| s.try_lock().map(|h| h.imap.is_some()).unwrap_or(true))
            .count()
    }
}
