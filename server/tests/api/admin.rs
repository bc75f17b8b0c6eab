//! The admin area: every admin endpoint refuses strangers (401) and signed-in
//! users (403); admins manage accounts through it.

use estafette_store::{AccountState, Role};

use crate::helpers::{spawn, unique_email, Db, PASSWORD};

/// Every server function under /api/admin/, as registered: a new one cannot be missed.
fn admin_endpoints() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|p| p.starts_with("/api/admin/"))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[tokio::test]
async fn every_admin_endpoint_refuses_strangers_and_users() {
    let app = spawn(Db::Shared).await;
    let endpoints = admin_endpoints();
    assert!(endpoints.len() >= 10, "{endpoints:?}");
    let user = unique_email("plain");
    app.create_account(&user, Role::User).await;
    let stranger = app.new_browser();
    assert_eq!(app.sign_in(&user, PASSWORD).await.status(), 200);
    for path in &endpoints {
        let anonymous = stranger.post(path, &[]).await.status();
        assert_eq!(anonymous, 401, "{path} for a stranger");
        let signed_in = app.post(path, &[]).await.status();
        assert_eq!(signed_in, 403, "{path} for a signed-in user");
    }
    // The pages too.
    assert_eq!(app.get("/admin").await.headers()["location"], "/");
    assert_eq!(app.get("/admin/audit").await.headers()["location"], "/");
}

#[tokio::test]
async fn admins_manage_accounts_and_disabling_signs_out() {
    let app = spawn(Db::Shared).await;
    let admin = unique_email("admin");
    app.create_account(&admin, Role::Admin).await;
    assert_eq!(app.sign_in(&admin, PASSWORD).await.status(), 200);
    assert_eq!(app.get("/admin").await.status(), 200);

    let user = unique_email("managed");
    let temporary = "temporary passphrase from admin";
    let created = app
        .post(
            "/api/admin/create_account",
            &[("email", &user), ("password", temporary)],
        )
        .await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    let dup = app
        .post(
            "/api/admin/create_account",
            &[("email", &user), ("password", temporary)],
        )
        .await;
    assert_eq!(dup.status(), 422);

    let listed: serde_json::Value = app
        .post("/api/admin/accounts", &[("search", &user)])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    // The temporary password works once, then must be changed.
    let browser = app.new_browser();
    assert_eq!(browser.sign_in(&user, temporary).await.status(), 200);
    assert_eq!(browser.get("/").await.headers()["location"], "/password");
    let changed = browser
        .post(
            "/api/change_password",
            &[
                ("current", temporary),
                ("new", "my own chosen passphrase"),
                ("confirm", "my own chosen passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 200, "{:?}", changed.text().await);
    assert_eq!(browser.get("/").await.status(), 200);
    assert_eq!(
        browser.post("/api/folders", &[]).await.status(),
        200,
        "IMAP has the new password"
    );

    // Disabling ends the user's sessions at once.
    let disabled = app
        .post(
            "/api/admin/set_disabled",
            &[("email", &user), ("disabled", "true")],
        )
        .await;
    assert_eq!(disabled.status(), 200);
    assert_eq!(browser.get("/").await.status(), 303);
    let account = app.account(&user).await;
    assert_eq!(account.state, AccountState::Disabled);
    assert_eq!(
        app.post(
            "/api/admin/set_disabled",
            &[("email", &user), ("disabled", "false")]
        )
        .await
        .status(),
        200
    );

    // Make admin, reset password (ends sessions), delete.
    assert_eq!(
        app.post(
            "/api/admin/set_admin",
            &[("email", &user), ("make_admin", "true")]
        )
        .await
        .status(),
        200
    );
    let account = app.account(&user).await;
    assert_eq!(account.role, Role::Admin);
    let reset = app
        .post(
            "/api/admin/reset_password",
            &[("email", &user), ("password", "another temporary one")],
        )
        .await;
    assert_eq!(reset.status(), 200);
    assert!(app.account(&user).await.must_change_password);
    assert_eq!(
        app.post("/api/admin/delete_account", &[("email", &user)])
            .await
            .status(),
        200
    );
    assert!(app
        .store
        .account_by_email(&user)
        .await
        .expect("q")
        .is_none());

    // Every action is in the audit log, with who did it.
    let audit: serde_json::Value = app
        .post(
            "/api/admin/audit",
            &[
                ("who", &user),
                ("action", ""),
                ("address", ""),
                ("since", ""),
                ("until", ""),
            ],
        )
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = audit
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "account_created",
        "account_disabled",
        "role_changed",
        "password_reset",
        "account_deleted",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let bad_date = app
        .post(
            "/api/admin/audit",
            &[
                ("who", ""),
                ("action", ""),
                ("address", ""),
                ("since", "last week"),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(bad_date.status(), 422);
}
