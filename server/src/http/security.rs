use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderValue, Method, StatusCode};

/// Security headers on every response. Pages set their own CSP (with the
/// hydration script's nonce); everything else gets a policy that allows nothing.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !h.contains_key(X_FRAME_OPTIONS) {
        h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    // Same-origin only: forms that work before hydration return to their page
    // through the Referer; other sites never learn our URLs.
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key("cross-origin-resource-policy") {
        h.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("same-origin"),
        );
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !h.contains_key(STRICT_TRANSPORT_SECURITY) {
        // Harmless over plain HTTP (browsers ignore it there).
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// CSRF defence for every state change, server functions included: a write
/// must say it comes from our own origin (`Origin`, or Fetch Metadata's
/// `Sec-Fetch-Site: same-origin`). A request that says nothing is refused.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if is_same_origin(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site or unmarked write refused");
        (
            StatusCode::FORBIDDEN,
            "This request did not come from an Estafette page and was refused.",
        )
            .into_response()
    }
}

fn is_same_origin(headers: &http::HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header(HOST.as_str());
    match (header(ORIGIN.as_str()), header("sec-fetch-site")) {
        (_, Some(site)) if site != "same-origin" => false,
        (Some(origin), _) => host.is_some_and(|host| origin_is_host(origin, host)),
        (None, Some("same-origin")) => true,
        (None, _) => false,
    }
}

fn origin_is_host(origin: &str, host: &str) -> bool {
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::origin_is_host;

    #[test]
    fn origin_must_name_our_host() {
        assert!(origin_is_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(origin_is_host(
            "https://mail.example.org",
            "mail.example.org"
        ));
        assert!(!origin_is_host("https://evil.example", "mail.example.org"));
        assert!(!origin_is_host("null", "mail.example.org"));
        assert!(!origin_is_host(
            "http://mail.example.org.evil.example",
            "mail.example.org"
        ));
    }
}
