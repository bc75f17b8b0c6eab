//! Drafts in the IMAP Drafts folder, one copy per draft: each save appends
//! the new version and removes the older ones (found by the draft's key in
//! a header of our own). Reopening restores the form, attachments included.

use std::collections::HashMap;
use std::sync::Arc;

use estafette_mail::compose::{self, Draft, Outgoing, DRAFT_HEADER};
use estafette_mail::folders::{self, SpecialUse};
use estafette_mail::{actions, listing, sanitize, MailError};

use crate::sending::{checked_key, OutgoingForm};
use crate::uploads::Upload;
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

fn no_drafts_folder() -> MailError {
    MailError::NoSuchFolder("Drafts".into())
}

impl Services {
    /// Saves the form as draft `form.send_key`, replacing its earlier versions.
    pub async fn save_draft(&self, who: &SignedIn, form: OutgoingForm) -> Result<(), CoreError> {
        let key = checked_key(&form.send_key)?;
        let outgoing = self.outgoing(who, &form).await?;
        self.keep_draft(who, &outgoing, key).await
    }

    /// Appends `outgoing` as draft `key` and removes its earlier versions.
    pub(crate) async fn keep_draft(
        &self,
        who: &SignedIn,
        outgoing: &Outgoing,
        key: &str,
    ) -> Result<(), CoreError> {
        // Written to a file as it is built, then streamed to Drafts from it.
        let file = self
            .files
            .write(&compose::build_draft(outgoing, key)?)
            .await?;
        let key = key.to_owned();
        self.with_imap(&who.0, |imap| {
            let (source, key) = (file.source().clone(), key.clone());
            Box::pin(async move {
                let drafts = folders::special(imap, SpecialUse::Drafts)
                    .await?
                    .ok_or_else(no_drafts_folder)?;
                actions::append(imap, &drafts, source.size(), source.open().await?).await?;
                let mut versions =
                    actions::find_by_header(imap, &drafts, DRAFT_HEADER, &key).await?;
                versions.sort_unstable();
                versions.pop();
                if !versions.is_empty() {
                    actions::expunge(imap, &drafts, &versions).await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// The draft `key`: the form as it was, and its attachments as uploads.
    pub async fn open_draft(
        self: &Arc<Self>,
        who: &SignedIn,
        key: &str,
    ) -> Result<(Draft, Vec<Upload>), CoreError> {
        let key = checked_key(key)?.to_owned();
        let (drafts, uid, raw) = self
            .with_imap(&who.0, |imap| {
                let key = key.clone();
                Box::pin(async move {
                    let drafts = folders::special(imap, SpecialUse::Drafts)
                        .await?
                        .ok_or_else(no_drafts_folder)?;
                    let uid = actions::find_by_header(imap, &drafts, DRAFT_HEADER, &key)
                        .await?
                        .into_iter()
                        .max()
                        .ok_or_else(|| {
                            MailError::BadMessage("This draft is gone (sent or deleted).".into())
                        })?;
                    let raw = listing::fetch_raw(imap, &drafts, uid, true).await?;
                    Ok((drafts, uid, raw))
                })
            })
            .await?;
        let mut draft = compose::read_draft(&raw)
            .ok_or_else(|| CoreError::Invalid("This is not a draft of Estafette.".into()))?;
        let parts = self.parts(who, &drafts, uid).await?;
        let limit = self.config.limits.max_message_bytes();
        // The images the text shows become uploads it shows again; the other
        // parts are the attachments.
        let shown = draft
            .html
            .as_deref()
            .map(|html| sanitize::compose_html_with_images(html, HashMap::new()).1)
            .unwrap_or_default();
        let mut images = HashMap::new();
        let mut uploads = Vec::new();
        for part in parts {
            let section = part.section.clone();
            let download = self
                .download(who, &drafts, uid, move |p| p.section == section)
                .await?;
            let upload = self
                .save_upload(who, &part.name, &part.content_type, download.body, limit)
                .await?;
            match part
                .content_id
                .map(|id| format!("cid:{id}"))
                .filter(|src| shown.contains(src))
            {
                Some(src) => {
                    images.insert(src, sanitize::upload_image_src(&upload.id));
                }
                None => uploads.push(upload),
            }
        }
        if !images.is_empty() {
            draft.html = draft
                .html
                .map(|html| sanitize::compose_html_with_images(&html, images).0);
        }
        Ok((draft, uploads))
    }
}
