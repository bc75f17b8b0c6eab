//! Attachments of the compose form: `POST /upload?name=…&type=…` with the
//! file as the request body, streamed to disk under the size limit (refused
//! at once when the declared length is already too much); `GET
//! /upload?id=…` shows an image pasted into the text while it is written;
//! `DELETE /upload?id=…` forgets one.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use estafette_core::{CoreError, Services};
use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;

use super::errors::ApiError;
use super::extract::Signed;
use super::mail::set;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: String,
    #[serde(default, rename = "type")]
    content_type: String,
}

pub async fn upload(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let limit = services.config.limits.max_message_bytes();
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(CoreError::TooLarge(format!(
            "A message can carry at most {} MB of attachments.",
            services.config.limits.max_message_mb
        ))
        .into());
    }
    let saved = services
        .save_upload(
            &who,
            &q.name,
            &q.content_type,
            body.into_data_stream(),
            limit,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct IdQuery {
    id: String,
}

pub async fn show(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<IdQuery>,
) -> Result<Response, ApiError> {
    let (upload, data) = services.uploads.read(&who, &q.id).await?;
    // The images an attachment's preview shows too (no SVG: nothing that runs).
    let shown = upload.content_type.starts_with("image/")
        && estafette_core::document::previewable(&upload.content_type);
    if !shown {
        let why = format!(
            "`{}` cannot be shown in the text; attach it instead.",
            upload.name
        );
        return Ok((StatusCode::UNSUPPORTED_MEDIA_TYPE, why).into_response());
    }
    let mut res = data.into_response();
    let h = res.headers_mut();
    set(h, CONTENT_TYPE, &upload.content_type);
    // The id is random and the bytes never change.
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

pub async fn remove(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    Query(q): Query<IdQuery>,
) -> Result<Response, ApiError> {
    services.uploads.remove(&who, &q.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
