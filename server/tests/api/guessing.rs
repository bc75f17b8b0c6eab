//! Guessing under attack: passwords and codes sent all at once, on one
//! instance and on two sharing PostgreSQL; lock-outs a stranger cannot
//! turn against the owner's own browser.

use estafette_auth::TotpSecret;
use estafette_core::accounts::Actor;
use estafette_store::{now, Role};
use futures::future::join_all;

use crate::helpers::{enrol, spawn, two_on_postgres, unique_email, Db, TestApp, PASSWORD};

/// The statuses of `count` sign-ins with a wrong password sent at once,
/// spread over the instances (each a browser without cookies).
async fn wrong_passwords_at_once(apps: &[&TestApp], email: &str, count: usize) -> Vec<u16> {
    let attackers: Vec<TestApp> = apps.iter().map(|a| a.new_browser()).collect();
    let tries = (0..count).map(|i| {
        let attacker = &attackers[i % attackers.len()];
        async move {
            attacker
                .sign_in(email, &format!("guess number {i}"))
                .await
                .status()
                .as_u16()
        }
    });
    join_all(tries).await
}

/// Waits until `key` has counted `max` failures (the flood may still be
/// going on), then makes the right attempt: it must be refused, locked.
async fn right_one_while_locked<F, Fut>(app: &TestApp, key: &str, max: i64, right: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.store.throttle(key).await.expect("throttle").failures < max {
        assert!(
            std::time::Instant::now() < deadline,
            "{key} never reached {max}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let res = right().await;
    assert_eq!(
        res.status(),
        429,
        "the right one is refused while {key} is locked"
    );
    assert!(res
        .text()
        .await
        .unwrap_or_default()
        .starts_with(r#"{"Locked":"#));
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// A code that is none of the ones accepted now (this step and its neighbours).
fn wrong_code(secret: &TotpSecret) -> String {
    let t = now() as u64;
    let right: Vec<String> = [t - 30, t, t + 30]
        .iter()
        .map(|t| secret.code_at(*t))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !right.contains(c))
        .unwrap_or_default()
}

/// An account with two-factor sign-in on; returns its secret.
async fn with_two_factor(app: &TestApp, email: &str) -> TotpSecret {
    app.create_account(email, Role::User).await;
    let owner = app.new_browser();
    assert_eq!(owner.sign_in(email, PASSWORD).await.status(), 200);
    enrol(&owner).await.0
}

/// `count` wrong codes sent at once on the code-stage session of `browsers`
/// (each holding the same partial session).
async fn wrong_codes_at_once(browsers: &[TestApp], code: &str, count: usize) -> Vec<u16> {
    let tries = (0..count).map(|i| {
        let browser = &browsers[i % browsers.len()];
        async move {
            browser
                .post("/api/verify_code", &[("code", code)])
                .await
                .status()
                .as_u16()
        }
    });
    join_all(tries).await
}

#[tokio::test]
async fn a_hundred_passwords_at_once_are_judged_no_more_than_the_limit() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("flood");
    app.create_account(&email, Role::User).await;
    let key = format!("account:{email}");
    let stranger = app.new_browser();
    let apps = [&app];
    let (statuses, ()) = tokio::join!(
        wrong_passwords_at_once(&apps, &email, 100),
        right_one_while_locked(&app, &key, 5, || stranger.sign_in(&email, PASSWORD)),
    );
    assert!(count(&statuses, 401) <= 5, "judged: {statuses:?}");
    assert_eq!(
        count(&statuses, 401) + count(&statuses, 429),
        100,
        "{statuses:?}"
    );
    // The refusals are one row of the audit log, not one per request.
    let audit = app.audit_of(&email).await;
    let refusals: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "sign_in_refused_locked")
        .collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(
        refusals[0].repeats as usize + 1,
        count(&statuses, 429) + 1,
        "every refusal counted (the flood's and the right one)"
    );
}

#[tokio::test]
async fn two_hundred_codes_at_once_are_judged_no_more_than_three() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("codes");
    let secret = with_two_factor(&app, &email).await;
    let thief = app.new_browser();
    assert_eq!(thief.sign_in(&email, PASSWORD).await.status(), 200);
    let key = format!("code:{}", app.account(&email).await.id);
    let right = secret.code_at(now() as u64);
    let (browsers, wrong) = ([thief.clone_browser()], wrong_code(&secret));
    let (statuses, ()) = tokio::join!(
        wrong_codes_at_once(&browsers, &wrong, 200),
        right_one_while_locked(&app, &key, 3, || async {
            thief.post("/api/verify_code", &[("code", &right)]).await
        }),
    );
    assert!(count(&statuses, 401) <= 3, "judged: {statuses:?}");
    assert_eq!(
        count(&statuses, 401) + count(&statuses, 429),
        200,
        "{statuses:?}"
    );
    assert_eq!(thief.post("/api/folders", &[]).await.status(), 401);
}

#[tokio::test]
async fn limits_hold_across_two_instances_on_postgresql() {
    let (one, two, dovecot) = two_on_postgres(&[]).await;
    let known = |email: String| {
        let (one, dovecot) = (&one, &dovecot);
        async move {
            dovecot.create_account(&email, Role::User).await;
            one.services
                .create_account(Actor::command_line(), &email, None, Role::User)
                .await
                .expect("account in PostgreSQL");
            email
        }
    };

    let email = known(unique_email("pgflood")).await;
    let key = format!("account:{email}");
    let stranger = two.new_browser();
    let apps = [&one, &two];
    let (statuses, ()) = tokio::join!(
        wrong_passwords_at_once(&apps, &email, 100),
        right_one_while_locked(&one, &key, 5, || stranger.sign_in(&email, PASSWORD)),
    );
    assert!(count(&statuses, 401) <= 5, "judged: {statuses:?}");
    assert_eq!(count(&statuses, 401) + count(&statuses, 429), 100);

    let coded = known(unique_email("pgcodes")).await;
    let secret = {
        let owner = one.new_browser();
        assert_eq!(owner.sign_in(&coded, PASSWORD).await.status(), 200);
        enrol(&owner).await.0
    };
    let thief = one.new_browser();
    assert_eq!(thief.sign_in(&coded, PASSWORD).await.status(), 200);
    let cookie = thief.session_cookie_of().expect("partial session");
    let on_two = two.new_browser();
    on_two.set_cookie(&cookie);
    let browsers = [thief.clone_browser(), on_two.clone_browser()];
    let key = format!("code:{}", one.account(&coded).await.id);
    let right = secret.code_at(now() as u64);
    let wrong = wrong_code(&secret);
    let (statuses, ()) = tokio::join!(
        wrong_codes_at_once(&browsers, &wrong, 200),
        right_one_while_locked(&one, &key, 3, || async {
            on_two.post("/api/verify_code", &[("code", &right)]).await
        }),
    );
    assert!(count(&statuses, 401) <= 3, "judged: {statuses:?}");
    assert_eq!(count(&statuses, 401) + count(&statuses, 429), 200);
}
#[tokio::test]
async fn a_strangers_failures_lock_the_stranger_out_not_the_owners_browser() {
    let app = spawn(Db::Shared).await;
    let email = unique_email("owner");
    app.create_account(&email, Role::User).await;
    // The owner signed in from this browser before: it holds a device cookie.
    let owner = app.new_browser();
    let first = owner.sign_in(&email, PASSWORD).await;
    assert_eq!(first.status(), 200);
    assert!(
        first.headers().get_all("set-cookie").iter().any(|c| c
            .to_str()
            .unwrap_or_default()
            .starts_with("estafette-device-")),
        "a device cookie for the account"
    );
    owner.post("/api/sign_out", &[]).await;

    let stranger = app.new_browser();
    for i in 0..8 {
        let status = stranger
            .sign_in(&email, &format!("guess {i}"))
            .await
            .status();
        assert!(status == 401 || status == 429, "{status}");
    }
    assert_eq!(
        stranger.sign_in(&email, PASSWORD).await.status(),
        429,
        "locked out"
    );
    assert_eq!(
        app.new_browser().sign_in(&email, PASSWORD).await.status(),
        429,
        "every browser without the cookie"
    );
    // The owner's browser still gets in.
    assert_eq!(owner.sign_in(&email, PASSWORD).await.status(), 200);
    // A forged or another account's device cookie is no key.
    let forger = app.new_browser();
    forger.set_cookie(&format!(
        "{}=AAAAAAAAAAAAAAAAAAAAAA.AAAA",
        estafette_auth::device::cookie_name(&email)
    ));
    assert_eq!(forger.sign_in(&email, PASSWORD).await.status(), 429);
    // The owner's own failures lock the owner's device, not the account's strangers.
    for i in 0..5 {
        owner.sign_in(&email, &format!("typo {i}")).await;
    }
    assert_eq!(owner.sign_in(&email, PASSWORD).await.status(), 429);
}
