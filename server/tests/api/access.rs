//! Who may call what, tried as a stranger would: every server function and
//! every route of the server's own, with no cookie and an empty form; then
//! as a signed-in user sending malformed calls; then as an account whose
//! password an admin set.

use estafette_store::Role;

use crate::helpers::{spawn, unique_email, Db, TestApp, PASSWORD};

/// Every server function, as registered: a new one cannot be missed.
fn server_functions() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// What a stranger may call: signing in, and what the sign-in page needs.
const OPEN_TO_ANYONE: &[&str] = &["/api/sign_in", "/api/sign_out", "/api/current_user"];

/// The server's own routes that need a signed-in user (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/frame?folder=INBOX&uid=1"),
    ("GET", "/frame"),
    ("GET", "/part?folder=INBOX&uid=1&section=2"),
    ("GET", "/part"),
    ("GET", "/source?folder=INBOX&uid=1"),
    ("GET", "/source"),
    ("GET", "/events?folder=INBOX"),
    ("GET", "/events"),
    ("GET", "/contacts.vcf"),
    ("POST", "/contacts.vcf"),
    ("GET", "/upload?id=x"),
    ("POST", "/upload?name=a.txt"),
    ("POST", "/upload"),
    ("DELETE", "/upload?id=x"),
    ("GET", "/api/admin/audit_export"),
    ("GET", "/api/admin/audit_export?format=csv"),
];

async fn call(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    app.client
        .request(method, app.url(path))
        .header("Origin", &app.base)
        .body("data")
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn strangers_are_refused_everything_but_the_way_in_before_it_is_read() {
    let app = spawn(Db::Fresh).await;
    let functions = server_functions();
    assert!(functions.len() >= 50, "{functions:?}");
    for path in &functions {
        let res = app.post(path, &[]).await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        if OPEN_TO_ANYONE.contains(&path.as_str()) {
            assert_ne!(status, 500, "{path}: {body}");
        } else {
            assert_eq!(status, 401, "{path} for a stranger: {body}");
            assert_eq!(body, r#""NotSignedIn""#, "{path}");
        }
    }
    for (method, path) in ROUTES {
        let res = call(&app, method, path).await;
        assert_eq!(res.status(), 401, "{method} {path} for a stranger");
        assert_eq!(res.text().await.unwrap_or_default(), r#""NotSignedIn""#);
    }
    // A session half-way (password only) is no better.
    let email = unique_email("halfway");
    app.create_account(&email, Role::User).await;
    app.services
        .set_two_factor_policy(
            estafette_core::accounts::Actor::command_line(),
            estafette_core::two_factor::TwoFactorPolicy::Everyone,
        )
        .await
        .expect("policy");
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(app.get("/").await.headers()["location"], "/enrol");
    for path in ["/api/messages", "/api/folders", "/api/admin/accounts"] {
        assert_eq!(
            app.post(path, &[]).await.status(),
            401,
            "{path} while enrolling"
        );
    }
    assert_eq!(
        call(&app, "GET", "/frame?folder=INBOX&uid=1")
            .await
            .status(),
        401
    );
    // Health is open, and tells nothing of why it is not ready.
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(
        app.get("/readyz").await.text().await.unwrap_or_default(),
        "ready"
    );
}

#[tokio::test]
async fn malformed_calls_from_a_user_are_told_why_never_a_server_error() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("malformed");
    app.create_account(&email, Role::Admin).await;
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    for path in server_functions() {
        if ["/api/sign_out", "/api/sign_out_everywhere"].contains(&path.as_str()) {
            continue;
        }
        for form in [
            vec![],
            vec![("page", "many"), ("uid", "-1"), ("folder", "INBOX")],
        ] {
            let res = app.post(&path, &form).await;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            assert!(status < 500, "{path} {form:?} answered {status}: {body}");
            if status == 400 {
                assert!(body.starts_with(r#"{"BadRequest":"#), "{path}: {body}");
            }
        }
    }
    // The server's own routes: a query they cannot read is a 400 too.
    for path in ["/frame", "/part?folder=INBOX&uid=x", "/source?uid=1"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
    }
    let res = app.get("/frame?folder=NoSuchFolder&uid=1").await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_password_set_by_an_admin_must_be_changed_before_anything_else() {
    let app = spawn(Db::Shared).await;
    let admin = unique_email("setter");
    app.create_account(&admin, Role::Admin).await;
    let user = unique_email("temporary");
    let temporary = "temporary passphrase from the admin";
    let admin_browser = app.new_browser();
    assert_eq!(admin_browser.sign_in(&admin, PASSWORD).await.status(), 200);
    let created = admin_browser
        .post(
            "/api/admin/create_account",
            &[("email", &user), ("password", temporary)],
        )
        .await;
    assert_eq!(created.status(), 200);

    assert_eq!(app.sign_in(&user, temporary).await.status(), 200);
    assert_eq!(app.get("/").await.headers()["location"], "/password");
    for path in server_functions() {
        if ["/api/change_password", "/api/current_user"]
            .iter()
            .chain(OPEN_TO_ANYONE)
            .any(|p| *p == path)
        {
            continue;
        }
        let res = app.post(&path, &[]).await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        if path.starts_with("/api/admin/") || path == "/api/verify_code" {
            assert!(status == 401 || status == 403, "{path}: {status}");
        } else {
            assert_eq!(status, 403, "{path} before the password is changed: {body}");
            assert_eq!(body, r#""PasswordChangeRequired""#, "{path}");
        }
    }
    assert_eq!(
        call(&app, "GET", "/frame?folder=INBOX&uid=1")
            .await
            .status(),
        403
    );
    let me = app.post("/api/current_user", &[]).await;
    assert!(me.text().await.unwrap_or_default().contains(&user));

    let changed = app
        .post(
            "/api/change_password",
            &[
                ("current", temporary),
                ("new", "a passphrase of my very own"),
                ("confirm", "a passphrase of my very own"),
            ],
        )
        .await;
    assert!(changed.status().is_success() || changed.status().is_redirection());
    assert_eq!(app.post("/api/folders", &[]).await.status(), 200);
}

/// The endpoints that had dashes in their names before every one was in
/// snake case (what scripts written then call).
const FORMER_NAMES: usize = 35;

/// One case for every endpoint; the former names with dashes answer a
/// permanent redirect to the name now, so their callers go on working.
#[tokio::test]
async fn endpoints_have_one_case_and_the_former_names_lead_to_them() {
    let app = spawn(Db::Shared).await;
    let (_, user) = app.user("former").await;
    let functions = server_functions();
    for path in &functions {
        assert!(!path.contains('-'), "{path} is not in snake case");
    }
    let mut redirected = 0;
    // (The admin's were always in snake case, and a user is refused them.)
    let theirs = |p: &&String| p.contains('_') && !p.starts_with("/api/admin/");
    for path in functions.iter().filter(theirs) {
        let former = path.replace('_', "-");
        let res = user.post(&format!("{former}?x=1"), &[]).await;
        match res.status().as_u16() {
            308 => {
                let to = res.headers()["location"].to_str().unwrap_or_default();
                assert_eq!(to, format!("{path}?x=1"), "{former}");
                redirected += 1;
            }
            404 => {}
            other => panic!("{former} answered {other}"),
        }
    }
    assert_eq!(redirected, FORMER_NAMES, "every former name leads on");
    // A client that follows redirects, as most do, sends its form on to the
    // name now and gets what it gives.
    let following = reqwest::Client::builder().build().expect("client");
    let cookie = user.session_cookie_of().expect("signed in");
    let res = following
        .post(user.url("/api/set-undo-delay"))
        .header("Origin", &user.base)
        .header("Cookie", cookie)
        .form(&[("seconds", "7")])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(res.url().path(), "/api/set_undo_delay");
    let prefs = user.page("/settings", "en").await;
    assert!(
        prefs.contains("&quot;undo_send_seconds&quot;:7")
            || prefs.contains("\"undo_send_seconds\":7"),
        "the delay was set through the former name"
    );
}
