//! The message view's frame: the sanitised document of one message, under
//! its own CSP and the `sandbox` directive (no scripts, no forms, no same
//! origin), framable by our pages only.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use estafette_core::document::{frame_csp, Links};
use estafette_core::Services;
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

/// The application's addresses the document points at.
const LINKS: Links = Links {
    inline_image: app::urls::inline_image,
    image_proxy: app::urls::image_proxy,
    image_proxy_prefix: app::urls::IMAGE_PROXY,
    link_check: app::urls::link_check,
    link_check_prefix: app::urls::LINK_CHECK,
};

pub async fn message_frame(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<FrameQuery>,
) -> Result<Response, ApiError> {
    let document = services
        .message_document(&who, &q.folder, q.uid, q.remote, &LINKS)
        .await?;
    let mut res = document.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    if let Ok(v) = HeaderValue::from_str(&frame_csp()) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}
