//! Errors leave the server in one shape: the status of `AppError::status`
//! and the error as JSON, the same for server functions and the server's own
//! routes. Server functions answer every error with 500 (Leptos knows no
//! better), so `statuses` gives each the status of the error it carries.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use estafette_core::CoreError;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, StatusCode};

/// A failed route of the server's own (not a server function).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError(AppError::from(e))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.0.status(), self.0.to_body()).into_response();
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        retry_after(res.headers_mut(), &self.0);
        res
    }
}

/// `Retry-After` for an error that says how long to wait (a lock, the
/// sending limit).
fn retry_after(headers: &mut http::HeaderMap, error: &AppError) {
    if let Some(secs) = error.retry_after() {
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// The largest error body read back to find its status (errors are small).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Gives a server function's error response the status of its error.
pub async fn statuses(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Internal.to_body(),
        )
            .into_response();
    };
    if let Some(error) = AppError::from_body(&bytes) {
        parts.status = error.status();
        retry_after(&mut parts.headers, &error);
    }
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}
