//! The message view's document: one message sanitised for the sandboxed
//! frame (remote content through the image proxy, and only when asked or
//! the sender is trusted; the message's own images by `cid:`; suspicious
//! links through the warning page). The same rendering serves the
//! `render-eml` command, for a message file with no server around it.

use std::collections::HashMap;
use std::sync::Arc;

use estafette_mail::actions::Mark;
use estafette_mail::message;
use estafette_mail::render;
use estafette_mail::sanitize::{Policy, RemoteVia};

use crate::defence::detour_map;
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// The application's addresses the document points at (they are the
/// application's to build; see `app::urls`).
pub struct Links {
    /// Image `n` of a frame's inline-image grant.
    pub inline_image: fn(&str, usize) -> String,
    /// The image proxy's address for a remote URL and its token, and the
    /// start every such address has.
    pub image_proxy: fn(&str, &str) -> String,
    pub image_proxy_prefix: &'static str,
    /// The warning page a suspicious link passes through, and its start.
    pub link_check: fn(&str, &str) -> String,
    pub link_check_prefix: &'static str,
}

/// The frame's Content-Security-Policy: no scripts, no forms, images from
/// here only, framed by our pages only.
pub fn frame_csp() -> String {
    format!(
        "{}; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox",
        render::frame_csp(false)
    )
}

/// Types the browser shows without running anything of the sender's.
pub fn previewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf" | "text/plain"
    )
}

/// A message file's document, as the frame would show it with the headers
/// above (its own images named `part/<n>`; remote content only when
/// `allow_remote`).
pub fn render_file(raw: &[u8], allow_remote: bool) -> Result<String, CoreError> {
    let parsed = message::parse(raw).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let cid_urls = parsed
        .attachments
        .iter()
        .filter_map(|a| {
            a.content_id
                .clone()
                .map(|cid| (cid, format!("part/{}", a.part)))
        })
        .collect();
    let policy = Policy {
        allow_remote,
        cid_urls,
        ..Policy::default()
    };
    Ok(render::render(&parsed, &policy, render::Framing::WithHeaders).document)
}

impl Services {
    /// Whether remote content of a message from `sender` is loaded: asked
    /// for this once, or always for a sender the reader trusts.
    pub async fn remote_allowed(
        &self,
        who: &SignedIn,
        sender: &str,
        asked: bool,
    ) -> Result<bool, CoreError> {
        Ok(asked || self.preferences(who).await?.trusts(sender))
    }

    /// The frame's document of message `uid` of `folder`, which is now read.
    pub async fn message_document(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        remote: bool,
        links: &Links,
    ) -> Result<String, CoreError> {
        let shown = self.shown(who, folder, uid).await?;
        // Fetched with PEEK: read now that it is shown.
        if let Err(e) = self.set_mark(who, folder, &[uid], Mark::Seen, true).await {
            // A folder the user may read but not change: shown all the same.
            tracing::info!(error = %e, "a message shown could not be marked read");
        }
        let parsed = &shown.message;
        let sender = parsed
            .from
            .first()
            .and_then(|m| m.address.as_deref())
            .unwrap_or_default();
        let allow_remote = self.remote_allowed(who, sender, remote).await?;
        let plan = self
            .links(who, parsed.html.as_deref(), parsed.text.as_deref())
            .await?;
        let images = self.frame_images(who, folder, uid, &shown.parts);
        let cid_urls: HashMap<String, String> = images
            .by_cid
            .into_iter()
            .map(|(cid, n)| (cid, (links.inline_image)(&images.token, n)))
            .collect();
        // Remote images come through the image proxy, never from the sender.
        let proxy = self.clone();
        let image_proxy = links.image_proxy;
        let remote_via = RemoteVia {
            prefix: links.image_proxy_prefix.to_owned(),
            rewrite: Arc::new(move |url: &str| image_proxy(url, &proxy.images.token(url))),
        };
        let link_check = links.link_check;
        let policy = Policy {
            allow_remote,
            remote_via: Some(remote_via),
            cid_urls,
            detours: detour_map(&plan.detours, |d| link_check(&d.href, &d.shown)),
            cleared: plan.cleared,
            detour_others: Some(links.link_check_prefix.to_owned()),
        };
        Ok(render::render(parsed, &policy, render::Framing::BodyOnly).document)
    }
}
