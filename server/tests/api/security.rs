//! Security headers, CSRF defence, health and readiness.

use crate::helpers::{spawn, Db};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn(Db::Fresh).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn(Db::Fresh).await;
    app.services.close().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let app = spawn(Db::Fresh).await;
    let page = app.get("/login").await;
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(
        h.get("x-content-type-options").map(|v| v.as_bytes()),
        Some(&b"nosniff"[..])
    );
    assert_eq!(
        h.get("x-frame-options").map(|v| v.as_bytes()),
        Some(&b"DENY"[..])
    );
    assert!(h.get("x-request-id").is_some());
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.expect("body");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );

    let again = app.get("/login").await;
    let csp2 = again
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_ne!(csp, csp2, "a new nonce for every response");
}

#[tokio::test]
async fn state_changes_without_our_origin_are_refused() {
    let app = spawn(Db::Fresh).await;
    let form = [
        ("email", "someone@example.test"),
        ("password", "whatever it is"),
    ];
    // No Origin and no Fetch Metadata: refused before reaching the server function.
    let bare = app
        .client
        .post(app.url("/api/sign_in"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(bare.status(), 403);
    let foreign = app
        .client
        .post(app.url("/api/sign_out"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("post");
    assert_eq!(foreign.status(), 403);
    let cross_site = app
        .client
        .post(app.url("/api/sign_out"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", &app.base)
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), 403);
    // Our own origin goes through (and meets the server function's own checks).
    let ours = app.post("/api/sign_in", &form).await;
    assert_eq!(ours.status(), 401);
}

#[tokio::test]
async fn pages_need_a_session_and_the_api_refuses_strangers() {
    let app = spawn(Db::Fresh).await;
    let inbox = app.get("/").await;
    assert_eq!(inbox.status(), 303);
    assert_eq!(
        inbox.headers().get("location").map(|v| v.as_bytes()),
        Some(&b"/login"[..])
    );
    let folders = app.post("/api/folders", &[]).await;
    assert_eq!(folders.status(), 401);
    let forged = app
        .client
        .post(app.url("/api/folders"))
        .header("Origin", &app.base)
        .header(
            "Cookie",
            "estafette=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 401, "an unknown token is nobody");
}
