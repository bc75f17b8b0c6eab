//! The audit log as a file, for an admin: `GET /api/admin/audit_export`
//! with `format` (`csv` or `json`) and `since`/`until` (`YYYY-MM-DD`),
//! streamed a page of entries at a time however long the log is.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use estafette_core::accounts::Actor;
use estafette_core::audit::{Format, Period};
use estafette_core::visitor::Admin;
use estafette_core::{ClientInfo, CoreError, Services};
use futures::stream::{self, StreamExt};
use http::header::CACHE_CONTROL;
use http::HeaderValue;
use serde::Deserialize;

use super::errors::ApiError;
use super::extract::AdminOnly;
use super::mail::as_download;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
}

/// Where an export is: before its start, after an entry, or done.
enum Step {
    Start,
    After(i64),
    Done,
}

struct Export {
    services: Arc<Services>,
    admin: Admin,
    client: ClientInfo,
    format: Format,
    period: Period,
    step: Step,
}

impl Export {
    /// The next piece of the file, and the export that follows it.
    async fn next(mut self) -> Option<(Result<String, CoreError>, Export)> {
        let after = match self.step {
            Step::Done => return None,
            Step::Start => 0,
            Step::After(id) => id,
        };
        let actor = Actor::admin(&self.admin, &self.client);
        let page = self
            .services
            .audit_export_page(actor, self.period, after)
            .await;
        let mut text = String::new();
        if after == 0 {
            text.push_str(self.format.start());
        }
        match page {
            Err(e) => {
                tracing::warn!(error = %e, "an audit export stopped");
                self.step = Step::Done;
                return Some((Err(e), self));
            }
            Ok(entries) => {
                for (i, e) in entries.iter().enumerate() {
                    text.push_str(&self.format.entry(e, after == 0 && i == 0));
                }
                self.step = match entries.last() {
                    Some(last) if entries.len() as i64 == estafette_core::audit::EXPORT_PAGE => {
                        Step::After(last.id)
                    }
                    _ => {
                        text.push_str(self.format.end());
                        Step::Done
                    }
                };
            }
        }
        Some((Ok(text), self))
    }
}

pub async fn export(
    AdminOnly(admin): AdminOnly,
    State(services): State<Arc<Services>>,
    Extension(client): Extension<ClientInfo>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = Format::parse(&q.format)?;
    let period = Period::parse(&q.since, &q.until)?;
    let start = Export {
        services,
        admin,
        client,
        format,
        period,
        step: Step::Start,
    };
    // The first page is read before answering: a log that cannot be read
    // is an error of its own, not a file cut short.
    let (first, rest) = match start.next().await {
        Some((Ok(first), rest)) => (first, rest),
        Some((Err(e), _)) => return Err(e.into()),
        None => return Err(CoreError::Internal("the export did not start".into()).into()),
    };
    let body = stream::once(async { Ok(first) })
        .chain(stream::unfold(rest, Export::next))
        .map(|piece| piece.map(String::into_bytes));
    let mut res = Response::new(Body::from_stream(body));
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    as_download(h, format.content_type(), format.file_name());
    Ok(res)
}
