//! One IMAP connection per signed-in session, opened on first use, reused by
//! every request of that session and re-opened from the sealed password when
//! it is missing (after a restart, on another instance, or after a drop).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use estafette_mail::imap::{self, ImapSession};
use estafette_mail::{MailError, MailServer};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::visitor::Session;
use crate::CoreError;

/// How long a session's IMAP connection stays open unused; the next request
/// after that logs in again from the sealed password.
pub const IMAP_IDLE_CLOSE: Duration = Duration::from_secs(10 * 60);

/// How long a request waits for its session's connection, busy with
/// another request of the same session, before it is refused as busy.
pub const SLOT_WAIT: Duration = Duration::from_secs(30);

/// After this long waiting, the wait is logged with the request that holds
/// the connection (its span: method, path, id), to show what is slow.
const SLOT_WAIT_LOGGED: Duration = Duration::from_secs(5);

/// A session's connection, and when it was last given back.
#[derive(Default)]
struct Held {
    imap: Option<ImapSession>,
    last_used: Option<Instant>,
}

/// One session's connection, and who holds it now (for the log).
#[derive(Default)]
struct SlotInner {
    held: Arc<AsyncMutex<Held>>,
    holder: Mutex<Option<(tracing::Span, Instant)>>,
}

type Slot = Arc<SlotInner>;

pub struct MailSessions {
    server: MailServer,
    /// The longest a login may take (`limits.imap_timeout_seconds`).
    timeout: Duration,
    slots: Mutex<HashMap<String, Slot>>,
    logins: AtomicU64,
    selects: Arc<AtomicU64>,
}

/// A borrowed IMAP connection; dropping it gives the connection back.
pub struct MailConnection {
    guard: OwnedMutexGuard<Held>,
    slot: Slot,
    /// An operation is under way: dropped now (its request went away), the
    /// connection is in the middle of a command, and is not given back.
    busy: bool,
}

impl MailConnection {
    /// Marks an operation begun (`true`) or ended whole (`false`).
    pub(crate) fn set_busy(&mut self, busy: bool) {
        self.busy = busy;
    }

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
        if self.busy {
            // Answers of a command nobody reads any more are on the way:
            // a new login is cleaner than telling them from the next ones.
            self.guard.imap.take();
        }
        self.guard.last_used = Some(Instant::now());
        *self.slot.holder.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl MailSessions {
    pub fn new(server: MailServer, timeout: Duration) -> Self {
        MailSessions {
            server,
            timeout,
            slots: Mutex::new(HashMap::new()),
            logins: AtomicU64::new(0),
            selects: Arc::default(),
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
        let slot = self.slot(&session.token.id_hash());
        let guard = take(&slot).await?;
        *slot.holder.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((tracing::Span::current(), Instant::now()));
        let mut conn = MailConnection {
            guard,
            slot,
            busy: false,
        };
        if conn.guard.imap.is_none() {
            let sealed = session
                .sealed_password
                .as_deref()
                .ok_or(CoreError::NotSignedIn)?;
            let password = session
                .token
                .unseal(sealed)
                .map_err(|_| CoreError::NotSignedIn)?;
            conn.guard.imap = Some(self.login(&session.account.email, &password).await?);
        }
        Ok(conn)
    }

    /// Folders selected by sessions' connections since start (a metric, and
    /// how tests see that a folder kept selected is not selected again).
    pub fn select_count(&self) -> u64 {
        self.selects.load(Ordering::Relaxed)
    }

    /// A fresh login, counted.
    pub async fn login(
        &self,
        user: &str,
        password: &secrecy::SecretString,
    ) -> Result<ImapSession, CoreError> {
        self.logins.fetch_add(1, Ordering::Relaxed);
        let outcome = |o: &'static str| {
            metrics::counter!("estafette_imap_logins_total", "outcome" => o).increment(1)
        };
        match tokio::time::timeout(self.timeout, imap::login(&self.server, user, password)).await {
            Ok(Ok(mut session)) => {
                outcome("ok");
                session.count_selects_in(Arc::clone(&self.selects));
                Ok(session)
            }
            Ok(Err(e)) => {
                outcome(if matches!(e, MailError::Rejected) {
                    "rejected"
                } else {
                    "failed"
                });
                Err(e.into())
            }
            Err(_) => {
                outcome("timed_out");
                tracing::warn!(server = %self.server.address(), "an IMAP login took too long");
                Err(not_answering(self.timeout))
            }
        }
    }

    /// Puts a connection opened during sign-in in the session's slot.
    pub async fn adopt(&self, session_key: &str, imap: ImapSession) {
        let slot = self.slot(session_key);
        let mut held = slot.held.lock().await;
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
            if let Some(imap) = slot.held.lock().await.imap.take() {
                logout(imap).await;
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
            let Ok(mut held) = slot.held.try_lock() else {
                continue;
            };
            if held.last_used.is_some_and(|t| t.elapsed() < idle) {
                continue;
            }
            if let Some(imap) = held.imap.take() {
                logout(imap).await;
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
            .filter(|s| s.held.try_lock().map(|h| h.imap.is_some()).unwrap_or(true))
            .count()
    }
}

/// The slot's connection, waited for at most [`SLOT_WAIT`]; a long wait is
/// logged in the holder's span, so the log says which request is slow.
async fn take(slot: &Slot) -> Result<OwnedMutexGuard<Held>, CoreError> {
    let wait = Arc::clone(&slot.held).lock_owned();
    tokio::pin!(wait);
    if let Ok(guard) = tokio::time::timeout(SLOT_WAIT_LOGGED, &mut wait).await {
        return Ok(guard);
    }
    let holder = slot
        .holder
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some((span, since)) = &holder {
        tracing::warn!(parent: span, held_ms = since.elapsed().as_millis() as u64,
            "this request holds its session's IMAP connection while another waits");
    }
    match tokio::time::timeout(SLOT_WAIT - SLOT_WAIT_LOGGED, wait).await {
        Ok(guard) => Ok(guard),
        Err(_) => {
            tracing::warn!("the session's IMAP connection stayed busy; the request is refused");
            Err(CoreError::Busy)
        }
    }
}

/// What a request learns when the mail server stopped answering.
pub(crate) fn not_answering(limit: Duration) -> CoreError {
    CoreError::MailUnreachable(format!(
        "the mail server did not answer in {} seconds",
        limit.as_secs()
    ))
}

/// Logs out, or gives up after a few seconds (a connection idle for long may
/// have been dropped silently on the way): it is closed either way.
async fn logout(mut imap: ImapSession) {
    let _ = tokio::time::timeout(Duration::from_secs(5), imap.logout()).await;
}
