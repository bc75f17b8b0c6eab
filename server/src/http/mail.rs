//! Mail routes that are not pages: attachments (streamed from IMAP), a
//! message's source, and the live-update event stream of a folder.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use estafette_core::Services;
use futures::stream::{self, StreamExt};
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;

use super::errors::ApiError;
use super::extract::Signed;

/// How long one event stream lasts; the browser reconnects by itself, and
/// the session is checked again then.
const EVENT_STREAM_LIFETIME: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Deserialize)]
pub struct PartQuery {
    folder: String,
    uid: u32,
    section: String,
    /// Shown by the browser (safe types only) instead of downloaded.
    #[serde(default)]
    view: bool,
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`.
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub(super) fn set(headers: &mut HeaderMap, name: http::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// One attachment, streamed from IMAP as it is decoded. Downloads are always
/// `attachment`; `view` shows images, PDF and plain text only, sandboxed.
pub async fn part(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<PartQuery>,
) -> Result<Response, ApiError> {
    services
        .scan_part(&who, &q.folder, q.uid, &q.section)
        .await?;
    let download = services
        .download(&who, &q.folder, q.uid, |p| p.section == q.section)
        .await?;
    let part = download.part;
    let view = q.view && estafette_core::document::previewable(&part.content_type);
    let body = Body::from_stream(download.body);
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if view {
        let content_type = if part.content_type == "text/plain" {
            "text/plain; charset=utf-8"
        } else {
            part.content_type.as_str()
        };
        set(h, CONTENT_TYPE, content_type);
        set(h, CONTENT_DISPOSITION, &disposition("inline", &part.name));
        let csp = if part.content_type == "application/pdf" {
            // Chromium's PDF viewer does not run in a sandboxed document.
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
        } else {
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        };
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    } else {
        as_download(h, "application/octet-stream", &part.name);
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct InlineQuery {
    grant: String,
    n: usize,
}

/// An image of a message's body, for its frame: no cookie comes with the
/// request (the frame's origin is opaque), the grant in the URL says what it
/// may load (see `estafette_core::inline`). Streamed like an attachment.
pub async fn inline_image(
    State(services): State<Arc<Services>>,
    Query(q): Query<InlineQuery>,
) -> Result<Response, ApiError> {
    let image = services.inline_image(&q.grant, q.n).await?;
    let mut res = Body::from_stream(image.download.body).into_response();
    let h = res.headers_mut();
    set(h, CONTENT_TYPE, &image.content_type);
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    // Loaded by a document of no origin: no other policy lets it.
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct ImageQuery {
    u: String,
    t: String,
}

/// A remote image of a message, through the image proxy (see
/// `estafette_core::image_proxy`): served as the type its bytes are, kept
/// by the browser for six hours.
pub async fn remote_image(
    State(services): State<Arc<Services>>,
    Query(q): Query<ImageQuery>,
) -> Result<Response, ApiError> {
    let image = services.images.image(&q.u, &q.t).await?;
    // `Bytes`: each answer shares the one copy kept.
    let mut res = Body::from(image.bytes.clone()).into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(image.content_type));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=21600"),
    );
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    Ok(res)
}

/// A file the browser saves as `name` and never shows as a page of ours.
pub(super) fn as_download(h: &mut HeaderMap, content_type: &'static str, name: &str) {
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    set(h, CONTENT_DISPOSITION, &disposition("attachment", name));
    // No `sandbox`: Chromium refuses downloads from sandboxed responses.
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
}

#[derive(Debug, Deserialize)]
pub struct MessageQuery {
    folder: String,
    uid: u32,
    /// Saved as a `.eml` file rather than shown as text.
    #[serde(default)]
    download: bool,
}

/// The message exactly as stored (reading it does not mark it read): shown
/// as plain text, or downloaded as a `.eml` file named after its subject.
pub async fn source(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<MessageQuery>,
) -> Result<Response, ApiError> {
    let original = services.original(&who, &q.folder, q.uid).await?;
    let mut res = Body::from_stream(original.body).into_response();
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if q.download {
        as_download(h, "message/rfc822", &original.file_name);
    } else {
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        );
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct FolderQuery {
    folder: String,
}

/// Server-sent events for one folder: `ready` once the watch is set up,
/// then `changed` whenever the folder changes on the mail server.
pub async fn events(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<FolderQuery>,
) -> Result<Response, ApiError> {
    let changes = services.watch(&who, &q.folder).await?;
    let deadline = tokio::time::Instant::now() + EVENT_STREAM_LIFETIME;
    let ready =
        stream::once(async { Ok::<_, Infallible>(Event::default().event("ready").data("ready")) });
    let changed = stream::unfold(changes, move |mut changes| async move {
        match tokio::time::timeout_at(deadline, changes.changed()).await {
            Ok(Some(())) => Some((
                Ok(Event::default().event("changed").data("changed")),
                changes,
            )),
            _ => None,
        }
    });
    Ok(Sse::new(ready.chain(changed))
        .keep_alive(KeepAlive::default())
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_break_the_header() {
        assert_eq!(
            disposition("attachment", "résumé \"final\".pdf"),
            "attachment; filename=\"r_sum_ _final_.pdf\"; \
             filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
        let hostile = disposition("attachment", "a\r\nSet-Cookie: x=1");
        assert!(!hostile.contains('\r') && !hostile.contains('\n'));
        assert!(HeaderValue::from_str(&hostile).is_ok());
    }
}
