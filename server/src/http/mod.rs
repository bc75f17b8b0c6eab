//! The HTTP application: routes, then middleware. Handlers are thin.

mod audit;
mod contacts;
mod errors;
mod extract;
mod former;
mod frame;
mod guard;
mod health;
mod mail;
mod security;
mod session;
mod upload;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::{middleware, Router};
use estafette_core::proxies::TrustedProxies;
use estafette_core::Services;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

/// Everything handlers reach through `State`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<Services>,
    /// Whose forwarding headers name the client (`server.trusted_proxies`).
    pub proxies: Arc<TrustedProxies>,
}

pub fn router(state: AppState) -> Router {
    let services = state.services.clone();
    let leptos_options = state.leptos_options.clone();
    let context = move || {
        provide_context(services.clone());
        provide_context(leptos_options.clone());
        leptos::nonce::provide_nonce();
    };
    let routes = generate_route_list(app::App);
    // The bundle, served as built: brotli or gzip files made at build time
    // (smaller than compressing on the fly, and no work per request).
    let options = &state.leptos_options;
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let bundle = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
    // A versioned bundle never changes under its name: cached for a year.
    // An unversioned one is checked again each time.
    let caching = if options.site_pkg_dir.as_ref() == "pkg" {
        "no-cache"
    } else {
        "public, max-age=31536000, immutable"
    };
    let bundle = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static(caching),
        ))
        .service(bundle);
    let pages = former::redirects(Router::new())
        .nest_service(&format!("/{}", options.site_pkg_dir), bundle)
        .route("/frame", get(frame::message_frame))
        .route("/part", get(mail::part))
        .route("/inline", get(mail::inline_image))
        .route("/image", get(mail::remote_image))
        .route("/source", get(mail::source))
        .route("/events", get(mail::events))
        .route("/api/admin/audit_export", get(audit::export))
        .route(
            "/contacts.vcf",
            get(contacts::export).post(contacts::import),
        )
        .route(
            "/upload",
            post(upload::upload)
                .get(upload::show)
                .delete(upload::remove),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        // Inner to outer: errors get their status; the guards need the
        // visitor the session layer resolved.
        .layer(middleware::from_fn(errors::statuses))
        .layer(middleware::from_fn(guard::pages_need_sign_in))
        .layer(middleware::from_fn(guard::api_needs_its_proof))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::resolve_visitor,
        ));

    let request_id = http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(pages)
        .route_layer(middleware::from_fn(crate::metrics::mark_route))
        .with_state(state)
        // Each `.layer` wraps the ones before it: read bottom-up, a request is
        // given an id, traced, compressed, refused if it is a cross-site
        // write, and its response gets the security headers.
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn(crate::metrics::record))
        .layer(middleware::from_fn(security::same_origin_writes))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // The route's template and the account are filled in once
                    // known (by `metrics::mark_route` and the session layer).
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        id,
                        route = tracing::field::Empty,
                        account = tracing::field::Empty,
                    )
                })
                // One line per answer (status and time taken): the access log.
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
