//! Virus scanning by ClamAV's daemon (`scan.clamd`), when configured: an
//! attachment is scanned before it is downloaded or previewed, a file to be
//! sent (uploaded, or taken from a message forwarded or a draft reopened)
//! as it is saved. An infected file is refused with the signature's
//! name, and audited. When clamd cannot scan, `scan.when_unavailable`
//! decides: refuse (the default) or let the file through, logged.

use std::sync::Arc;

use estafette_mail::clamd::Verdict;
use estafette_store::NewAuditEntry;
use futures::{Stream, StreamExt};
use tokio::io::AsyncReadExt;

use crate::config::WhenUnavailable;
use crate::uploads::Upload;
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Read from an upload's file per step.
const CHUNK: usize = 256 * 1024;

impl Services {
    /// What clamd said, judged: `Ok` lets the file through.
    async fn judge(
        &self,
        who: &SignedIn,
        name: &str,
        scanned: Result<Verdict, String>,
    ) -> Result<(), CoreError> {
        match scanned {
            Ok(Verdict::Clean) => Ok(()),
            Ok(Verdict::Infected(signature)) => {
                tracing::warn!(%signature, "a file with a virus was refused");
                let entry = NewAuditEntry {
                    actor: Some(&who.account().email),
                    action: "virus_refused",
                    target: Some(name),
                    client_address: None,
                    detail: Some(&signature),
                };
                if let Err(e) = self.store.audit(entry).await {
                    tracing::error!(error = %e, "could not write the audit log");
                }
                Err(CoreError::Invalid(format!(
                    "This file holds a virus ({signature}) and was refused."
                )))
            }
            // The sender chose the size: never let it through unscanned.
            Ok(Verdict::TooLarge) => Err(CoreError::Invalid(
                "This file is too large to be scanned for viruses, so it is held back.".into(),
            )),
            Err(why) => match self.config.scan.when_unavailable {
                WhenUnavailable::Refuse => Err(CoreError::NotScanned(why)),
                WhenUnavailable::Allow => {
                    tracing::warn!(%why, "a file let through unscanned (scan.when_unavailable = allow)");
                    Ok(())
                }
            },
        }
    }

    /// Scans one part of a message, as it would be downloaded.
    pub async fn scan_part(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        section: &str,
    ) -> Result<(), CoreError> {
        let Some(clamd) = self.config.scan.clamd() else {
            return Ok(());
        };
        let download = self
            .download(who, folder, uid, |p| p.section == section)
            .await?;
        let name = download.part.name.clone();
        let scanned = clamd.scan(download.body).await;
        self.judge(who, &name, scanned).await
    }

    /// Saves a file to be sent (see `Uploads::save`) and scans it: an
    /// uploaded file, or an attachment of a message forwarded or a draft
    /// reopened, since they are sent as the user's own.
    pub async fn save_upload<E: std::fmt::Display>(
        &self,
        who: &SignedIn,
        name: &str,
        content_type: &str,
        body: impl Stream<Item = Result<impl AsRef<[u8]>, E>>,
        limit: u64,
    ) -> Result<Upload, CoreError> {
        let saved = self
            .uploads
            .save(who, name, content_type, body, limit)
            .await?;
        self.scan_upload(who, &saved).await?;
        Ok(saved)
    }

    /// Scans an upload just saved; an infected one (or, when refused, one
    /// that could not be scanned) is removed.
    async fn scan_upload(&self, who: &SignedIn, upload: &Upload) -> Result<(), CoreError> {
        let Some(clamd) = self.config.scan.clamd() else {
            return Ok(());
        };
        let (_, path) = self.uploads.find(who, &upload.id).await?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| CoreError::Internal(format!("upload storage: {e}")))?;
        let body = futures::stream::unfold(Some(file), |file| async move {
            let mut file = file?;
            let mut buf = vec![0u8; CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(buf), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        })
        .boxed();
        let scanned = clamd.scan(body).await;
        let judged = self.judge(who, &upload.name, scanned).await;
        if judged.is_err() {
            let _ = self.uploads.remove(who, &upload.id).await;
        }
        judged
    }
}
