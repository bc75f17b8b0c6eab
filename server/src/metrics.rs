//! Prometheus metrics, at `/metrics` on `server.metrics_listen` only (off by
//! default: they say who uses the service how much, which is not for the
//! public). Counters are recorded where things happen, through the
//! `metrics` facade (see `estafette_core::gauges` for the state read at
//! each scrape); without an exporter installed they cost nothing.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use estafette_core::Services;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: a page view to a slow search.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's exporter: the `metrics` facade has one recorder per process.
static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);

/// Installs the exporter once; later calls (another server in the same
/// process) share it.
pub fn install() -> Result<PrometheusHandle, String> {
    let mut handle = HANDLE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(h) = handle.as_ref() {
        return Ok(h.clone());
    }
    let installed = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .and_then(|b| b.install_recorder())
        .map_err(|e| format!("metrics: {e}"))?;
    *handle = Some(installed.clone());
    Ok(installed)
}

/// The route a request matched, as its template, handed from the router
/// (which knows it) to [`record`] (which sees every answer).
#[derive(Clone)]
struct Route(String);

/// Notes the matched route's template on the response, and in the
/// request's span (the access log's `route`).
pub async fn mark_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map(|m| m.as_str().to_owned());
    if let Some(route) = &route {
        tracing::Span::current().record("route", route.as_str());
    }
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// Counts each answer by route template and status, and times it.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    // A path no route knows is not a label: strangers cannot make new series.
    let route = response
        .extensions()
        .get::<Route>()
        .map_or("unmatched".to_owned(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::counter!("estafette_http_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("estafette_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    services: Arc<Services>,
}

/// The router of the metrics address: `/metrics` and nothing else.
pub fn router(handle: PrometheusHandle, services: Arc<Services>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { handle, services })
}

async fn scrape(State(s): State<Scrape>) -> Response {
    match s.services.gauges().await {
        Ok(g) => {
            metrics::gauge!("estafette_active_sessions").set(g.active_sessions as f64);
            metrics::gauge!("estafette_imap_connections_open").set(g.imap_connections as f64);
            metrics::gauge!("estafette_outbox_waiting").set(g.outbox_waiting as f64);
            metrics::gauge!("estafette_outbox_oldest_due_seconds")
                .set(g.outbox_oldest_due_seconds as f64);
            metrics::gauge!("estafette_upload_files").set(g.upload_files as f64);
            metrics::gauge!("estafette_upload_bytes").set(g.upload_bytes as f64);
            metrics::gauge!("estafette_database_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the state could not be read");
            metrics::gauge!("estafette_database_up").set(0.0);
        }
    }
    metrics::gauge!(
        "estafette_build_info",
        "version" => env!("CARGO_PKG_VERSION"),
        "commit" => option_env!("ESTAFETTE_COMMIT").unwrap_or("unknown"),
    )
    .set(1.0);
    metrics::gauge!("estafette_imap_logins_since_start").set(s.services.mail.login_count() as f64);
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.handle.render(),
    )
        .into_response()
}
