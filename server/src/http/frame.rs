//! The message view's frame: the sanitised document of one message, under
//! its own CSP and the `sandbox` directive (no scripts, no forms, no same
//! origin), framable by our pages only.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use estafette_core::defence::detour_map;
use estafette_core::Services;
use estafette_mail::actions::Mark;
use estafette_mail::render;
use estafette_mail::sanitize::{Policy, RemoteVia};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use http::HeaderValue;
use serde::Deserialize;

use super::errors::ApiError;
use super::extract::Signed;

#[derive(Debug, Deserialize)]
pub struct FrameQuery {
    folder: String,
    uid: u32,
    #[serde(default)]
    remote: bool,
}

pub async fn message_frame(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<FrameQuery>,
) -> Result<Response, ApiError> {
    let shown = services.shown(&who, &q.folder, q.uid).await?;
    // Fetched with PEEK: read now that it is shown.
    if let Err(e) = services
        .set_mark(&who, &q.folder, &[q.uid], Mark::Seen, true)
        .await
    {
        // A folder the user may read but not change: shown all the same.
        tracing::info!(error = %e, "a message shown could not be marked read");
    }
    let parsed = &shown.message;
    let sender = parsed
        .from
        .first()
        .and_then(|m| m.address.as_deref())
        .unwrap_or_default();
    let trusted = services.preferences(&who).await?.trusts(sender);
    let allow_remote = q.remote || trusted;
    let links = services
        .links(&who, parsed.html.as_deref(), parsed.text.as_deref())
        .await?;
    let images = services.frame_images(&who, &q.folder, q.uid, &shown.parts);
    let cid_urls = images
        .by_cid
        .into_iter()
        .map(|(cid, n)| (cid, app::urls::inline_image(&images.token, n)))
        .collect();
    // Remote images come through the image proxy, never from the sender.
    let proxy = services.clone();
    let remote_via = RemoteVia {
        prefix: app::urls::IMAGE_PROXY.to_owned(),
        rewrite: Arc::new(move |url: &str| app::urls::image_proxy(url, &proxy.images.token(url))),
    };
    let policy = Policy {
        allow_remote,
        remote_via: Some(remote_via),
        cid_urls,
        detours: detour_map(&links.detours, |d| app::urls::link_check(&d.href, &d.shown)),
        cleared: links.cleared,
        detour_others: Some(app::urls::LINK_CHECK.to_owned()),
    };
    let load_remote = app::urls::frame(&q.folder, q.uid, true);
    let original = shown.truncated.then(|| app::urls::source(&q.folder, q.uid));
    let rendered = render::render(parsed, &policy, Some(&load_remote), original.as_deref());
    let csp = format!(
        "{}; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox",
        render::frame_csp(false)
    );
    let mut res = rendered.document.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}
