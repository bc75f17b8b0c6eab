//! Attachments of the compose form: `POST /upload?name=…&type=…` with the
//! file as the request body, streamed to disk under the size limit (refused
//! at once when the declared length is already too much); `DELETE
//! /upload?id=…` forgets one.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use estafette_core::visitor::Visitor;
use estafette_core::{CoreError, Services};
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::mail::{signed_in, Failure};

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: String,
    #[serde(default, rename = "type")]
    content_type: String,
}

pub async fn upload(
    State(services): State<Arc<Services>>,
    Extension(visitor): Extension<Visitor>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    let who = signed_in(&visitor)?;
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
        .uploads
        .save(
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
pub struct RemoveQuery {
    id: String,
}

pub async fn remove(
    State(services): State<Arc<Services>>,
    Extension(visitor): Extension<Visitor>,
    Query(q): Query<RemoveQuery>,
) -> Result<Response, Failure> {
    let who = signed_in(&visitor)?;
    services.uploads.remove(&who, &q.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
