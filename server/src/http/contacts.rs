//! The address book as a file: `GET /contacts.vcf` is every contact as a
//! vCard; `POST /contacts.vcf` with a `.vcf` file as the body imports its
//! cards (at most `MAX_IMPORT_BYTES`, refused as soon as it is more).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use estafette_core::address_book::{too_large_import, MAX_IMPORT_BYTES};
use estafette_core::Services;
use http::header::CACHE_CONTROL;
use http::HeaderValue;

use super::errors::ApiError;
use super::extract::Signed;
use super::mail::as_download;

pub async fn export(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
) -> Result<Response, ApiError> {
    let text = services.export_contacts(&who).await?;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    as_download(h, "text/vcard; charset=utf-8", "contacts.vcf");
    Ok(res)
}

pub async fn import(
    Signed(who): Signed,
    State(services): State<Arc<Services>>,
    body: Body,
) -> Result<Json<app::api::contacts::ImportView>, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|_| too_large_import())?;
    let done = services
        .import_contacts(&who, &String::from_utf8_lossy(&bytes))
        .await?;
    Ok(Json(app::api::contacts::ImportView {
        added: done.added,
        updated: done.updated,
        skipped: done.skipped,
    }))
}
