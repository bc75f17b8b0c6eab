//! The names some endpoints had before every one was written in snake case
//! (`/api/save-draft`, now `/api/save_draft`). Each former name answers a
//! permanent redirect to the name now; 308 keeps the method and the body,
//! so scripts written against the old names go on working.

use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::any;
use axum::Router;

const FORMER: [&str; 35] = [
    "add-rule",
    "add-sender",
    "apply-rule",
    "compose-limits",
    "default-identity",
    "distrust-sender",
    "fill-template",
    "filters-start-over",
    "folder-create",
    "folder-delete",
    "folder-rename",
    "group-recipients",
    "like-this",
    "open-draft",
    "remove-contact",
    "remove-identity",
    "remove-template",
    "save-contact",
    "save-draft",
    "save-identity",
    "save-preferences",
    "save-rules",
    "save-script",
    "save-template",
    "save-vacation",
    "send-to",
    "set-label",
    "set-undo-delay",
    "start-from",
    "sync-contacts",
    "take-back",
    "trust-sender",
    "trusted-senders",
    "vacation-banner",
    "vacation-off",
];

/// `router` with a redirect at each former name.
pub fn redirects<S: Clone + Send + Sync + 'static>(mut router: Router<S>) -> Router<S> {
    for name in FORMER {
        router = router.route(&format!("/api/{name}"), any(to_the_name_now));
    }
    router
}

async fn to_the_name_now(request: Request) -> Response {
    let uri = request.uri();
    let now = uri.path().replace('-', "_");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::permanent(&format!("{now}{query}")).into_response()
}
