//! TOTP enrolment and sign-in, replays, recovery codes, lock-outs, policy.

use estafette_core::accounts::Actor;
use estafette_core::two_factor::TwoFactorPolicy;
use estafette_store::{now, Role};

use crate::helpers::{enrol, spawn, unique_email, Db, TestApp, PASSWORD};

#[tokio::test]
async fn totp_codes_sign_in_once_and_recovery_codes_once() {
    let app = spawn(Db::Shared).await;
    let email = app.signed_in("totp").await;
    let (secret, used, recovery) = enrol(&app).await;
    let account = app.account(&email).await;
    assert!(account.totp_enabled);
    let stored = account.totp_secret.unwrap_or_default();
    assert!(
        !stored.is_empty() && !stored.contains(&secret.to_base32()),
        "the secret is encrypted at rest"
    );

    // A new browser: password, then the second factor.
    let browser = app.new_browser();
    let res = browser.sign_in(&email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    let partial_cookie = TestApp::session_cookie(&res).expect("partial session");
    assert_eq!(browser.get("/").await.headers()["location"], "/login/code");
    assert_eq!(
        browser.post("/api/folders", &[]).await.status(),
        401,
        "no mail before the code"
    );

    // The code used for enrolment is spent: its step cannot be used again.
    let replay = browser.post("/api/verify_code", &[("code", &used)]).await;
    assert_eq!(replay.status(), 401);
    let next = secret.code_at(now() as u64 + 30);
    let ok = browser.post("/api/verify_code", &[("code", &next)]).await;
    assert_eq!(ok.status(), 200);
    let full_cookie = TestApp::session_cookie(&ok).expect("new session");
    assert_ne!(
        partial_cookie, full_cookie,
        "a new session id once fully signed in"
    );
    assert_eq!(browser.get("/").await.status(), 200);
    assert_eq!(browser.post("/api/folders", &[]).await.status(), 200);

    // The same code again, in a third browser: refused.
    let third = app.new_browser();
    assert_eq!(third.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(
        third
            .post("/api/verify_code", &[("code", &next)])
            .await
            .status(),
        401
    );
    // A recovery code works once.
    assert_eq!(
        third
            .post("/api/verify_code", &[("code", &recovery[0].to_uppercase())])
            .await
            .status(),
        200
    );
    let fourth = app.new_browser();
    assert_eq!(fourth.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(
        fourth
            .post("/api/verify_code", &[("code", &recovery[0])])
            .await
            .status(),
        401
    );

    // Turning it off needs the password and a code.
    let off = app
        .post(
            "/api/disable_two_factor",
            &[("password", "wrong password"), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(off.status(), 401);
    let off = app
        .post(
            "/api/disable_two_factor",
            &[("password", PASSWORD), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(off.status(), 200);
    let account = app.account(&email).await;
    assert!(!account.totp_enabled && account.totp_secret.is_none());
}

#[tokio::test]
async fn wrong_codes_lock_code_entry() {
    let app = spawn(Db::Shared).await;
    let email = app.signed_in("codes").await;
    let (secret, _, _) = enrol(&app).await;
    let browser = app.new_browser();
    assert_eq!(browser.sign_in(&email, PASSWORD).await.status(), 200);
    for _ in 0..3 {
        assert_eq!(
            browser
                .post("/api/verify_code", &[("code", "123456")])
                .await
                .status(),
            401
        );
    }
    let locked = browser
        .post(
            "/api/verify_code",
            &[("code", &secret.code_at(now() as u64 + 30))],
        )
        .await;
    assert_eq!(
        locked.status(),
        429,
        "even a right code waits for the lock to end"
    );
    assert!(locked.text().await.expect("body").contains("Locked"));
    let audit = app.audit_of(&email).await;
    assert!(audit.iter().any(|e| e.action == "second_factor_lockout"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_before_imap() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("brute");
    app.create_account(&email, Role::User).await;
    let logins = app.services.mail.login_count();
    for _ in 0..5 {
        assert_eq!(app.sign_in(&email, "guess guess guess").await.status(), 401);
    }
    let locked = app.sign_in(&email, PASSWORD).await;
    assert_eq!(locked.status(), 429, "the right password waits too");
    assert!(locked.text().await.expect("body").contains("Locked"));
    assert_eq!(
        app.services.mail.login_count(),
        logins,
        "a locked account never reaches IMAP"
    );
    let audit = app.audit_of(&email).await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "sign_in_failed")
            .count(),
        5
    );
    assert!(audit.iter().any(|e| e.action == "sign_in_lockout"));
    assert!(audit.iter().any(|e| e.action == "sign_in_refused_locked"));
    // Other accounts from elsewhere are not affected.
    app.signed_in("bystander").await;
}

#[tokio::test]
async fn the_policy_sends_users_to_enrolment_first() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("policy");
    app.create_account(&email, Role::Admin).await;
    app.services
        .set_two_factor_policy(Actor::command_line(), TwoFactorPolicy::Admins)
        .await
        .expect("policy");
    let res = app.sign_in(&email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get("/").await.headers()["location"], "/enrol");
    assert_eq!(app.post("/api/folders", &[]).await.status(), 401);
    enrol(&app).await;
    assert_eq!(
        app.get("/").await.status(),
        200,
        "enrolled, the mailbox opens"
    );
    app.services
        .set_two_factor_policy(Actor::command_line(), TwoFactorPolicy::Optional)
        .await
        .expect("policy");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked() {
    // A database of its own: the lock on 127.0.0.1 must not reach other tests.
    let app = crate::helpers::spawn_with(
        Db::Fresh,
        &[("ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS", "3")],
    )
    .await;
    let guess = |n: usize| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/sign_in"))
                .header("Origin", &app.base)
                .form(&[
                    ("email", unique_email(&format!("guess{n}"))),
                    ("password", "guess guess".into()),
                ])
                .send()
                .await
                .expect("post")
                .status()
        }
    };
    let statuses = [
        guess(1).await,
        guess(2).await,
        guess(3).await,
        guess(4).await,
    ];
    assert_eq!(statuses[..3], [401, 401, 401]);
    assert_eq!(
        statuses[3], 429,
        "the fourth guess from the same address is refused"
    );
}
