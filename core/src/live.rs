//! Live updates for an open folder: a second IMAP connection, owned by a
//! task of its own, waits in IDLE and reports changes until nobody listens.

use estafette_mail::live;
use tokio::sync::mpsc;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

impl Services {
    /// Starts watching `folder`; the receiver gets `()` on every change and
    /// closes if the watch fails. Dropping it ends the watch.
    pub async fn watch(
        &self,
        who: &SignedIn,
        folder: &str,
    ) -> Result<mpsc::Receiver<()>, CoreError> {
        let session = &who.0;
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
        let (tx, rx) = mpsc::channel(8);
        let folder = folder.to_owned();
        tokio::spawn(async move {
            if let Err(e) = live::watch(imap, &folder, tx).await {
                tracing::info!(error = %e, "live updates stopped");
            }
        });
        Ok(rx)
    }
}
