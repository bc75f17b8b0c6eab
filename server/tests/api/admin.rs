//! The admin area: every admin endpoint refuses strangers (401) and signed-in
//! users (403); admins manage accounts through it.

use app::api::admin::{AccountView, AuditView};
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
    app.signed_in("plain").await;
    let stranger = app.new_browser();
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

    let listed: Vec<AccountView> = app
        .post("/api/admin/accounts", &[("search", &user)])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed.len(), 1);

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
    let audit: Vec<AuditView> = app
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
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
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

#[tokio::test]
async fn admins_export_the_whole_audit_log_as_csv_or_json_and_no_one_else_can() {
    // The database Dovecot reads (the accounts log into IMAP), which other
    // tests write to as well: this test's entries are told by `tag`.
    let app = spawn(Db::Shared).await;
    let (admin, user) = (unique_email("exporter"), unique_email("exported"));
    app.create_account(&admin, Role::Admin).await;
    app.create_account(&user, Role::User).await;
    // What a stranger types as an address is in the log: a formula.
    let stranger = app.new_browser();
    let tag = unique_email("bulk").replace(['@', '.'], "-");
    let hostile = format!("=hyperlink(\"http://evil.example/{tag}\",\"x\")");
    assert_eq!(stranger.sign_in(&hostile, "whatever").await.status(), 401);
    // More than one page of the export.
    for n in 0..1500 {
        let detail = format!("bulk entry {n} of {tag}");
        let entry = estafette_store::NewAuditEntry {
            actor: Some("cli"),
            action: "bulk",
            detail: Some(&detail),
            ..Default::default()
        };
        app.store.audit(entry).await.expect("audit");
    }
    let path = "/api/admin/audit_export?format=csv";
    assert_eq!(stranger.get(path).await.status(), 401);
    assert_eq!(app.sign_in(&user, PASSWORD).await.status(), 200);
    assert_eq!(app.get(path).await.status(), 403, "a user is no admin");

    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&admin, PASSWORD).await.status(), 200);
    let csv = reader.get(path).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .contains("audit.csv"));
    let csv = csv.text().await.expect("csv");
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert!(rows[0].starts_with("id,at,time,actor,action"));
    let bulk: Vec<&str> = rows
        .iter()
        .filter(|r| r.contains(",bulk,") && r.contains(&tag))
        .copied()
        .collect();
    assert_eq!(bulk.len(), 1500, "every entry once");
    assert!(bulk[0].contains("bulk entry 0 of") && bulk[1499].contains("bulk entry 1499 of"));
    assert!(
        csv.contains(&format!(
            "\"'=hyperlink(\"\"http://evil.example/{tag}\"\",\"\"x\"\")\""
        )),
        "the formula is written as text: {}",
        rows.iter().find(|r| r.contains("hyperlink")).unwrap_or(&"")
    );
    assert!(
        !csv.contains(",=hyperlink"),
        "never a cell that starts a formula"
    );

    let json = reader.get("/api/admin/audit_export?format=json").await;
    assert_eq!(json.status(), 200);
    let entries: Vec<serde_json::Value> = json.json().await.expect("json");
    // Every entry of the first export is in the second one, and more.
    let ids = |e: &serde_json::Value| e["id"].as_i64().expect("id");
    let json_ids: std::collections::HashSet<i64> = entries.iter().map(ids).collect();
    for row in &bulk {
        let id: i64 = row
            .split(',')
            .next()
            .and_then(|i| i.parse().ok())
            .expect("id");
        assert!(json_ids.contains(&id), "entry {id} is in both");
    }
    let in_json = entries
        .iter()
        .filter(|e| e["action"] == "bulk" && e["detail"].as_str().is_some_and(|d| d.contains(&tag)))
        .count();
    assert_eq!(in_json, 1500);
    let exported = entries
        .iter()
        .filter(|e| e["action"] == "audit_exported" && e["actor"] == admin.as_str())
        .count();
    assert_eq!(exported, 2, "each export is audited");
    assert!(entries.iter().any(|e| e["actor"] == hostile));

    let none = reader
        .get("/api/admin/audit_export?format=json&since=2999-01-01")
        .await;
    assert_eq!(
        none.json::<Vec<serde_json::Value>>()
            .await
            .expect("json")
            .len(),
        0
    );
    for (query, why) in [
        ("format=xml", "not an export format"),
        ("since=yesterday", "not a date"),
        ("until=2026-02-30", "not a date"),
    ] {
        let res = reader
            .get(&format!("/api/admin/audit_export?{query}"))
            .await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert!(status.is_client_error(), "{query}: {status}");
        assert!(text.contains(why), "{query}: {text}");
    }
}
