//! The message view's frame: the sanitised document of one message, under
//! its own CSP and the `sandbox` directive (no scripts, no forms, no same
//! origin), framable by our pages only.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use estafette_core::visitor::Visitor;
use estafette_core::{CoreError, Services};
use estafette_mail::sanitize::Policy;
use estafette_mail::{message, render};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct FrameQuery {
    folder: String,
    uid: u32,
    #[serde(default)]
    remote: bool,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn message_frame(
    State(services): State<Arc<Services>>,
    Extension(visitor): Extension<Visitor>,
    Query(q): Query<FrameQuery>,
) -> Response {
    let who = match visitor.signed_in() {
        Ok(who) => who,
        Err(_) => return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response(),
    };
    let raw = match services.raw_message(&who, &q.folder, q.uid).await {
        Ok(raw) => raw,
        Err(CoreError::Invalid(reason)) => return (StatusCode::NOT_FOUND, reason).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a message");
            return (
                StatusCode::BAD_GATEWAY,
                "The message cannot be loaded right now.",
            )
                .into_response();
        }
    };
    let parsed = match message::parse(&raw) {
        Ok(parsed) => parsed,
        Err(e) => return (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
    };
    let policy = Policy {
        allow_remote: q.remote,
        ..Policy::default()
    };
    let load_remote = format!(
        "/frame?folder={}&uid={}&remote=true",
        encode(&q.folder),
        q.uid
    );
    let rendered = render::render(&parsed, &policy, Some(&load_remote));
    let csp = format!(
        "{}; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox",
        render::frame_csp(q.remote)
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
    res
}
