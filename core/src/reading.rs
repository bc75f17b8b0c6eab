//! Reading mail over the session's IMAP connection. A dropped connection is
//! re-opened once, transparently; a second failure is reported.

use estafette_mail::folders::{self, Folder};
use estafette_mail::imap::ImapSession;
use estafette_mail::listing::{self, Listing};
use estafette_mail::MailError;
use futures::future::BoxFuture;

use crate::visitor::{Session, SignedIn};
use crate::{CoreError, Services};

/// Messages per page of the list (a preference, later).
const PAGE_SIZE: u32 = 50;

impl Services {
    /// Runs `op` on the session's IMAP connection, logging in again once if
    /// the connection turns out to be gone.
    pub async fn with_imap<T>(
        &self,
        session: &Session,
        mut op: impl for<'a> FnMut(&'a mut ImapSession) -> BoxFuture<'a, Result<T, MailError>> + Send,
    ) -> Result<T, CoreError> {
        let mut conn = self.mail.connection(session).await?;
        match op(conn.imap()?).await {
            Err(MailError::Unreachable(..)) => {
                tracing::info!("IMAP connection dropped; logging in again");
                conn.discard();
                drop(conn);
                let mut conn = self.mail.connection(session).await?;
                let result = op(conn.imap()?).await;
                if result.is_err() {
                    conn.discard();
                }
                Ok(result?)
            }
            other => Ok(other?),
        }
    }

    /// Page `page` (0 = newest) of a folder.
    pub async fn messages(
        &self,
        who: &SignedIn,
        folder: &str,
        page: u32,
    ) -> Result<Listing, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move { listing::page(imap, &folder, page, PAGE_SIZE).await })
        })
        .await
    }

    /// The raw bytes of one message (marked read on the server).
    pub async fn raw_message(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Vec<u8>, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move { listing::fetch_raw(imap, &folder, uid).await })
        })
        .await
    }

    pub async fn folders(&self, who: &SignedIn) -> Result<Vec<Folder>, CoreError> {
        self.with_imap(&who.0, |imap| Box::pin(folders::list(imap)))
            .await
    }
}
