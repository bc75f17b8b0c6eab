//! Live updates: a connection of its own waits in IDLE on one folder and
//! says when anything changed there (new, removed or re-flagged messages).

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use tokio::sync::mpsc;

use crate::imap::ImapSession;
use crate::MailError;

/// How long one IDLE lasts before it is renewed (servers drop idle clients
/// after 30 minutes at the earliest).
const RENEW: Duration = Duration::from_secs(25 * 60);
/// How often a server without IDLE is asked.
const POLL: Duration = Duration::from_secs(30);

/// Watches `folder` until `changes` is closed, sending `()` on every change.
pub async fn watch(
    mut imap: ImapSession,
    folder: &str,
    changes: mpsc::Sender<()>,
) -> Result<(), MailError> {
    let mut exists = imap.select_folder(folder).await?;
    if !imap.has("IDLE") {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = changes.closed() => return Ok(()),
            }
            let now = imap.select_folder(folder).await?;
            if now != exists {
                exists = now;
                if changes.send(()).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    let (session, capabilities) = imap.into_parts();
    let mut session = session;
    loop {
        let mut idle = session.idle();
        idle.init().await?;
        let outcome = {
            let (wait, _interrupt) = idle.wait_with_timeout(RENEW);
            tokio::select! {
                outcome = wait => Some(outcome?),
                _ = changes.closed() => None,
            }
        };
        let Some(outcome) = outcome else {
            if let Ok(session) = idle.done().await {
                let _ = ImapSession::from_parts(session, capabilities)
                    .logout()
                    .await;
            }
            return Ok(());
        };
        session = idle.done().await?;
        if matches!(outcome, IdleResponse::NewData(_)) && changes.send(()).await.is_err() {
            let _ = ImapSession::from_parts(session, capabilities)
                .logout()
                .await;
            return Ok(());
        }
    }
}
