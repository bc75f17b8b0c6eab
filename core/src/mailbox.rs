//! One IMAP connection per signed-in session, opened on first use, reused by
//! every request of that session and re-opened from the sealed password when
//! it is missing (after a restart, on another instance, or after a drop).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use estafette_mail::imap::{self, ImapSession};
use estafette_mail::MailServer;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::visitor::Session;
use crate::CoreError;

type Slot = Arc<AsyncMutex<Option<ImapSession>>>;

pub struct MailSessions {
    server: MailServer,
    slots: Mutex<HashMap<String, Slot>>,
    logins: AtomicU64,
}

/// A borrowed IMAP connection; dropping it gives the connection back.
pub struct MailConnection {
    guard: OwnedMutexGuard<Option<ImapSession>>,
}

impl MailConnection {
    pub fn imap(&mut self) -> Result<&mut ImapSession, CoreError> {
        self.guard
            .as_mut()
            .ok_or_else(|| CoreError::Internal("IMAP connection missing".into()))
    }

    /// Forgets a connection that failed, so that the next use logs in again.
    pub fn discard(&mut self) {
        self.guard.take();
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
        if guard.is_none() {
            let sealed = session
                .sealed_password
                .as_deref()
                .ok_or(CoreError::NotSignedIn)?;
            let password = session
                .token
                .unseal(sealed)
                .map_err(|_| CoreError::NotSignedIn)?;
            *guard = Some(self.login(&session.account.email, &password).await?);
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
        *self.slot(session_key).lock().await = Some(imap);
    }

    /// Closes and forgets the connection of a session that ended.
    pub async fn close(&self, session_key: &str) {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.remove(session_key)
        };
        if let Some(slot) = slot {
            if let Some(mut imap) = slot.lock().await.take() {
                let _ = imap.logout().await;
            }
        }
    }
}
