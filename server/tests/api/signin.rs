//! Signing in, out, and what a session holds.

use app::api::mail::FolderView;
use app::api::security::{HistoryView, SessionView};
use estafette_core::accounts::Actor;
use estafette_store::{AccountState, Role};

use crate::helpers::{spawn, spawn_with, unique_email, Db, TestApp, PASSWORD};

#[tokio::test]
async fn sign_in_reaches_the_mailbox_and_renews_the_session_id() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("signin");
    app.create_account(&email, Role::User).await;

    let first = app.sign_in(&email, PASSWORD).await;
    assert_eq!(first.status(), 200);
    let first_cookie = TestApp::session_cookie(&first).expect("session cookie");
    let set_cookie = first
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains(PASSWORD));

    let inbox = app.get("/").await;
    assert_eq!(inbox.status(), 200);
    assert_eq!(
        app.get("/login").await.status(),
        303,
        "signed in, the sign-in page sends you on"
    );

    let folders = app.post("/api/folders", &[]).await;
    assert_eq!(folders.status(), 200);
    let folders: Vec<FolderView> = folders.json().await.expect("json");
    let roles: Vec<&str> = folders.iter().map(|f| f.role.as_str()).collect();
    for role in ["inbox", "drafts", "sent", "junk", "trash", "archive"] {
        assert!(roles.contains(&role), "{role} in {roles:?}");
    }

    // Signing in again gives a new session id: a planted one is never kept.
    let second = app.sign_in(&email, PASSWORD).await;
    let second_cookie = TestApp::session_cookie(&second).expect("session cookie");
    assert_ne!(first_cookie, second_cookie);

    // The database holds neither the cookie nor the password.
    let account = app.account(&email).await;
    for s in app.store.sessions_of(account.id).await.expect("sessions") {
        assert!(!first_cookie.contains(&s.id_hash) && !second_cookie.contains(&s.id_hash));
        let sealed = s.sealed_password.unwrap_or_default();
        assert!(!sealed.is_empty() && !sealed.contains(PASSWORD));
    }
}

#[tokio::test]
async fn failures_are_told_apart_without_revealing_accounts() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("fail");
    app.create_account(&email, Role::User).await;

    let wrong = app.sign_in(&email, "not the right password").await;
    assert_eq!(wrong.status(), 401);
    let wrong_body = wrong.text().await.expect("body");
    let unknown = app
        .sign_in(&unique_email("nobody"), "not the right password")
        .await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        unknown.text().await.expect("body"),
        wrong_body,
        "unknown and wrong look the same"
    );

    app.services
        .set_state(Actor::command_line(), &email, AccountState::Disabled)
        .await
        .expect("disable");
    let disabled = app.sign_in(&email, PASSWORD).await;
    assert_eq!(disabled.status(), 403);
    assert!(disabled.text().await.expect("body").contains("Disabled"));
    let wrong_on_disabled = app.sign_in(&email, "not the right password").await;
    assert_eq!(
        wrong_on_disabled.status(),
        401,
        "a disabled account is only told to its owner"
    );
}

#[tokio::test]
async fn an_unreachable_mail_server_is_not_a_wrong_password() {
    // Port 9 (discard) is closed on the test machine's loopback.
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_IMAP__PORT", "9")]).await;
    let email = unique_email("unreachable");
    app.create_account(&email, Role::User).await;
    let res = app.sign_in(&email, PASSWORD).await;
    assert_eq!(res.status(), 502);
    assert!(res.text().await.expect("body").contains("MailUnreachable"));
    assert!(TestApp::session_cookie(&app.sign_in(&email, PASSWORD).await).is_none());
}

#[tokio::test]
async fn sign_out_ends_the_session_and_disabling_ends_all() {
    let app = spawn(Db::Shared).await;
    let email = app.signed_in("out").await;
    let out = app.post("/api/sign_out", &[]).await;
    assert_eq!(out.status(), 200);
    let cleared = out
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let account = app.account(&email).await;
    assert!(app
        .store
        .sessions_of(account.id)
        .await
        .expect("q")
        .is_empty());
    assert_eq!(app.get("/").await.status(), 303);

    // A second browser stays signed in until an admin disables the account.
    let other = spawn(Db::Shared).await;
    assert_eq!(other.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(other.get("/").await.status(), 200);
    app.services
        .set_state(Actor::command_line(), &email, AccountState::Disabled)
        .await
        .expect("disable");
    assert_eq!(
        other.get("/").await.status(),
        303,
        "disabling ends the session at once"
    );
    assert_eq!(other.post("/api/folders", &[]).await.status(), 401);
}

#[tokio::test]
async fn imap_mode_checks_passwords_with_the_mail_server_and_provisions_when_allowed() {
    // The mail server knows the account (Dovecot reads the shared database)...
    let directory = spawn(Db::Shared).await;
    let email = unique_email("imapmode");
    directory.create_account(&email, Role::User).await;
    // ...an Estafette with a database of its own does not, and asks IMAP.
    let app = spawn_with(
        Db::Fresh,
        &[
            ("ESTAFETTE_AUTH__PASSWORD_SOURCE", "imap"),
            ("ESTAFETTE_AUTH__PROVISION_DOMAINS", r#"["example.test"]"#),
        ],
    )
    .await;
    assert_eq!(
        app.sign_in(&email, PASSWORD).await.status(),
        401,
        "unknown, not provisioned"
    );
    app.services
        .set_provisioning(Actor::command_line(), true)
        .await
        .expect("allow provisioning");
    assert_eq!(
        app.sign_in(&email, "not the password").await.status(),
        401,
        "IMAP refuses"
    );
    assert!(app
        .store
        .account_by_email(&email)
        .await
        .expect("q")
        .is_none());
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    let account = app.account(&email).await;
    // Other names the mail server may give the same mailbox get no account
    // of their own (and so no second factor of their own).
    let (local, _) = email.split_once('@').expect("an address");
    // (The dev Dovecot takes a bare local part and a sub-address for the
    // mailbox, as many servers do.)
    for (other, status) in [
        (local.to_owned(), 401),
        (format!("{local}+x@example.test"), 401),
        (format!("{local}@other.example"), 401),
        (format!(" {}", email.to_uppercase()), 200),
    ] {
        let browser = app.new_browser();
        assert_eq!(
            browser.sign_in(&other, PASSWORD).await.status(),
            status,
            "{other:?}"
        );
        let kept = app.store.list_accounts("").await.expect("accounts");
        assert_eq!(kept.len(), 1, "{other:?} made {kept:?}");
    }
    assert!(
        account.password_hash.is_none(),
        "no password is kept in IMAP mode"
    );
    assert_eq!(app.post("/api/folders", &[]).await.status(), 200);
    // An admin can still disable the account Estafette keeps.
    app.services
        .set_state(Actor::command_line(), &email, AccountState::Disabled)
        .await
        .expect("disable");
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 403);
}

#[tokio::test]
async fn sessions_are_listed_revoked_and_time_out() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_AUTH__SESSION_IDLE_MINUTES", "5")]).await;
    let email = app.signed_in("sessions").await;
    let phone = app.new_browser();
    assert_eq!(phone.sign_in(&email, PASSWORD).await.status(), 200);

    let list: Vec<SessionView> = app
        .post("/api/my_sessions", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    assert!(list.iter().all(|s| s.address == "127.0.0.1"));
    let other = list.iter().find(|s| !s.current).expect("the phone");
    let handle = other.handle.as_str();
    assert_eq!(
        app.post("/api/revoke_session", &[("handle", handle)])
            .await
            .status(),
        200
    );
    assert_eq!(
        phone.get("/").await.status(),
        303,
        "the revoked session is over"
    );
    assert_eq!(
        app.post("/api/revoke_session", &[("handle", "0000000000000000")])
            .await
            .status(),
        422
    );

    let history: Vec<HistoryView> = app
        .post("/api/sign_in_history", &[])
        .await
        .json()
        .await
        .expect("json");
    let signed_in = history.iter().filter(|h| h.action == "sign_in").count();
    assert_eq!(signed_in, 2);

    // Idle past the limit: signed out.
    let account = app.account(&email).await;
    app.store
        .execute_raw(&format!(
            "UPDATE sessions SET last_seen_at = last_seen_at - 600 WHERE account_id = {}",
            account.id
        ))
        .await
        .expect("age the session");
    assert!(app.services.end_expired_sessions().await.expect("sweep") >= 1);
    assert!(app
        .store
        .sessions_of(account.id)
        .await
        .expect("q")
        .is_empty());
    assert_eq!(app.get("/").await.status(), 303);

    // Sign out everywhere ends every session of the account.
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(phone.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(
        app.post("/api/sign_out_everywhere", &[]).await.status(),
        200
    );
    assert_eq!(phone.get("/").await.status(), 303);
    assert!(app
        .store
        .sessions_of(account.id)
        .await
        .expect("q")
        .is_empty());
}

#[tokio::test]
async fn another_instance_continues_the_session_from_the_cookie_alone() {
    let first = spawn(Db::Shared).await;
    let email = unique_email("roaming");
    first.create_account(&email, Role::User).await;
    let signed_in = first.sign_in(&email, PASSWORD).await;
    let cookie = TestApp::session_cookie(&signed_in).expect("cookie");

    // A second instance on the same database, which has never seen this user.
    let second = spawn(Db::Shared).await;
    let logins = second.services.mail.login_count();
    let folders = second.post_as(&cookie, "/api/folders", &[]).await;
    assert_eq!(
        folders.status(),
        200,
        "the sealed password re-opens IMAP there"
    );
    assert_eq!(second.services.mail.login_count() - logins, 1);

    // Signing out on the second instance ends the session for the first too.
    let out = second.post_as(&cookie, "/api/sign_out", &[]).await;
    assert_eq!(out.status(), 200);
    assert_eq!(first.get("/").await.status(), 303);
}
