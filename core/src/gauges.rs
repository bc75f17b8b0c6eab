//! What the metrics endpoint reports of the state of things, read when it
//! is scraped (counters of events are recorded where they happen, with the
//! `metrics` facade; they cost nothing when no exporter is installed).

use estafette_store::now;

use crate::{CoreError, Services};

/// The state of an instance, for its operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    /// Signed-in sessions seen within the idle timeout (all instances).
    pub active_sessions: i64,
    /// Sessions of this instance holding an open IMAP connection.
    pub imap_connections: usize,
    /// Messages waiting in the outbox (undo delay, send later, retries).
    pub outbox_waiting: i64,
    /// How long ago the message due first was due; 0 when none is late.
    pub outbox_oldest_due_seconds: i64,
    /// Attachments waiting to be sent on this instance, and their bytes.
    pub upload_files: usize,
    pub upload_bytes: u64,
}

impl Services {
    pub async fn gauges(&self) -> Result<Gauges, CoreError> {
        let t = now();
        let idle = self.config.auth.session_idle_minutes as i64 * 60;
        let active_sessions = self.store.active_sessions(t - idle).await?;
        let (outbox_waiting, first_due) = self.store.outbox_depth().await?;
        let (upload_files, upload_bytes) = self.uploads.on_disk().await;
        Ok(Gauges {
            active_sessions,
            imap_connections: self.mail.open_connections(),
            outbox_waiting,
            outbox_oldest_due_seconds: first_due.map_or(0, |due| (t - due).max(0)),
            upload_files,
            upload_bytes,
        })
    }
}
