//! The outbound rate limit per account: past so many messages in an hour or
//! recipients in a day, a send is refused (429, with the limit's message),
//! audited once per limited period, shown in the admin area until an admin
//! resets it; other accounts are not affected; sends made at once are
//! counted as they arrive, on SQLite and on two instances sharing
//! PostgreSQL; a message that did not go out gives its count back.

use app::api::admin::AccountView;
use app::api::mail::SendResult;
use app::error::{AppError, SendLimit};
use app::i18n::Locale;
use estafette_core::accounts::Actor;
use estafette_store::{now, Role};
use futures::future::join_all;

use crate::helpers::{enrol, spawn_with, two_on_postgres, unique_email, Db, TestApp, PASSWORD};

/// The compose form's POST (no undo delay: set once by `signed_in_sender`).
async fn send(app: &TestApp, to: &str, cc: &str, bcc: &str, key: &str) -> reqwest::Response {
    app.post(
        "/api/send",
        &[
            ("message[to]", to),
            ("message[cc]", cc),
            ("message[bcc]", bcc),
            ("message[subject]", "Limité"),
            ("message[text]", "Bonjour."),
            ("message[send_key]", key),
        ],
    )
    .await
}

async fn set_delay(app: &TestApp, seconds: u32) {
    let res = app
        .post("/api/set_undo_delay", &[("seconds", &seconds.to_string())])
        .await;
    assert_eq!(res.status(), 200);
}

/// A new account signed in on a browser of its own, sending without delay.
async fn signed_in_sender(app: &TestApp, prefix: &str) -> (String, TestApp) {
    let email = unique_email(prefix);
    app.create_account(&email, Role::User).await;
    let browser = app.new_browser();
    assert_eq!(browser.sign_in(&email, PASSWORD).await.status(), 200);
    set_delay(&browser, 0).await;
    (email, browser)
}

/// A refusal by the sending limit: its error, and the English message.
async fn refused(res: reqwest::Response) -> (AppError, String) {
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    let body = res.bytes().await.expect("body");
    let error = AppError::from_body(&body)
        .unwrap_or_else(|| panic!("not an error: {}", String::from_utf8_lossy(&body)));
    assert_eq!(error.retry_after(), Some(wait), "Retry-After says the same");
    let message = error.message(Locale::En.texts());
    (error, message)
}

/// The admin area's row of `email`.
async fn admin_row(admin: &TestApp, email: &str) -> AccountView {
    let res = admin
        .post("/api/admin/accounts", &[("search", email)])
        .await;
    assert_eq!(res.status(), 200);
    let rows: Vec<AccountView> = res.json().await.expect("json");
    rows.into_iter()
        .find(|r| r.email == email)
        .unwrap_or_else(|| panic!("no row for {email}"))
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn past_the_hourly_limit_sending_is_refused_until_an_admin_resets_it() {
    let app = spawn_with(
        Db::Shared,
        &[("ESTAFETTE_LIMITS__MAX_MESSAGES_PER_HOUR", "3")],
    )
    .await;
    let bob = unique_email("limit-reader");
    app.create_account(&bob, Role::User).await;
    let (alice, sender) = signed_in_sender(&app, "limited").await;
    let (carol, other) = signed_in_sender(&app, "unlimited").await;
    let before = now();
    for i in 0..3 {
        let res = send(&sender, &bob, "", "", &format!("hourly-{i}-key")).await;
        assert_eq!(res.status(), 200, "{i}: {:?}", res.text().await);
    }
    let (error, message) = refused(send(&sender, &bob, "", "", "hourly-3-key").await).await;
    assert!(
        matches!(
            error,
            AppError::SendingLimited {
                limit: SendLimit::MessagesPerHour,
                max: 3,
                seconds: 1..=3600
            }
        ),
        "{error:?}"
    );
    assert!(
        message.starts_with("You have sent 3 messages within an hour, the most your account may send. You can send again in "),
        "{message}"
    );
    // Refused again: not sent, and counted in the same audit row.
    refused(send(&sender, &bob, "", "", "hourly-4-key").await).await;
    let rows: Vec<_> = app
        .audit_of(&alice)
        .await
        .into_iter()
        .filter(|e| e.action == "sending_limited")
        .collect();
    assert_eq!(rows.len(), 1, "one row per limited period: {rows:?}");
    assert_eq!(rows[0].repeats, 1, "two refusals");
    assert_eq!(rows[0].detail.as_deref(), Some("3 messages per hour"));
    assert_eq!(rows[0].client_address.as_deref(), Some("127.0.0.1"));

    // Another account is not affected.
    let res = send(&other, &bob, "", "", "other-account-key").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);

    // The admin area shows who is limited, since when.
    let admin_email = unique_email("limit-admin");
    app.create_account(&admin_email, Role::Admin).await;
    let admin = app.new_browser();
    assert_eq!(admin.sign_in(&admin_email, PASSWORD).await.status(), 200);
    // Whatever the shared database's two-factor policy, the admin gets in.
    enrol(&admin).await;
    let row = admin_row(&admin, &alice).await;
    let limited = row.sending_limited.expect("limited since");
    let since = limited.since;
    assert!((before..=now()).contains(&since), "{row:?}");
    assert!(limited.until <= before + 3600 + 1);
    assert_eq!(limited.refused, 2);
    assert_eq!(admin_row(&admin, &carol).await.sending_limited, None);
    let page = admin.page("/admin", "en").await;
    assert!(page.contains("Sending limited since"), "the page shows it");
    assert!(page.contains("Reset sending limit"));

    // A user cannot reset it; an admin can, and it is audited.
    assert_eq!(
        sender
            .post("/api/admin/reset_sending_limit", &[("email", &alice)])
            .await
            .status(),
        403
    );
    let malformed = admin.post("/api/admin/reset_sending_limit", &[]).await;
    assert_eq!(malformed.status(), 400);
    let nobody = admin
        .post(
            "/api/admin/reset_sending_limit",
            &[("email", "nobody-here@example.test")],
        )
        .await;
    assert_eq!(nobody.status(), 422);
    let reset = admin
        .post("/api/admin/reset_sending_limit", &[("email", &alice)])
        .await;
    assert_eq!(reset.status(), 200, "{:?}", reset.text().await);
    assert!(app
        .audit_of(&alice)
        .await
        .iter()
        .any(|e| e.action == "sending_limit_reset" && e.actor.as_deref() == Some(&admin_email)));
    assert_eq!(admin_row(&admin, &alice).await.sending_limited, None);
    for i in 0..3 {
        let res = send(&sender, &bob, "", "", &format!("after-reset-{i}-key")).await;
        assert_eq!(
            res.status(),
            200,
            "sending works again: {:?}",
            res.text().await
        );
    }
    refused(send(&sender, &bob, "", "", "after-reset-3-key").await).await;
    let periods = app
        .audit_of(&alice)
        .await
        .into_iter()
        .filter(|e| e.action == "sending_limited")
        .count();
    assert_eq!(periods, 2, "a new period after the reset, a new row");
}

#[tokio::test]
async fn recipients_are_counted_per_day_to_cc_and_bcc_alike() {
    let app = spawn_with(
        Db::Shared,
        &[("ESTAFETTE_LIMITS__MAX_RECIPIENTS_PER_DAY", "5")],
    )
    .await;
    let readers: Vec<String> = (0..3).map(|_| unique_email("day-reader")).collect();
    for r in &readers {
        app.create_account(r, Role::User).await;
    }
    let (alice, sender) = signed_in_sender(&app, "many-recipients").await;
    let [bob, carol, dave] = [&readers[0], &readers[1], &readers[2]];
    // Three, one in each field (and a repeated address counted once).
    let to = format!("{bob}, {}", bob.to_uppercase());
    let res = send(&sender, &to, carol, dave, "recipients-1-key").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let (error, message) = refused(
        send(
            &sender,
            bob,
            "",
            &format!("{carol}, {dave}"),
            "recipients-2-key",
        )
        .await,
    )
    .await;
    assert!(
        matches!(
            error,
            AppError::SendingLimited {
                limit: SendLimit::RecipientsPerDay,
                max: 5,
                seconds: 82_800..=86_400
            }
        ),
        "{error:?}"
    );
    assert!(
        message.starts_with("You have written to 5 recipients within a day, the most your account may write to. You can send again in 2"),
        "{message}"
    );
    // What still fits goes.
    let res = send(&sender, bob, carol, "", "recipients-3-key").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // A message with more recipients than a day allows is refused alone.
    let six: Vec<String> = (0..6).map(|i| format!("nobody{i}@example.test")).collect();
    let res = send(&sender, &six.join(", "), "", "", "recipients-4-key").await;
    assert_eq!(res.status(), 422);
    let error = AppError::from_body(&res.bytes().await.expect("body")).expect("error");
    assert_eq!(
        error.message(Locale::En.texts()),
        "A message can have at most 5 recipients a day; this one has 6."
    );
    assert_eq!(
        error.message(Locale::Fr.texts()),
        "Un message peut avoir au plus 5 destinataires par jour ; celui-ci en a 6."
    );
    let rows: Vec<_> = app
        .audit_of(&alice)
        .await
        .into_iter()
        .filter(|e| e.action == "sending_limited")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].detail.as_deref(), Some("5 recipients per day"));
}

#[tokio::test]
async fn held_messages_count_when_sent_and_give_their_count_back_when_taken_back() {
    let app = spawn_with(
        Db::Shared,
        &[("ESTAFETTE_LIMITS__MAX_MESSAGES_PER_HOUR", "2")],
    )
    .await;
    let bob = unique_email("held-reader");
    app.create_account(&bob, Role::User).await;
    let (_, sender) = signed_in_sender(&app, "held-limited").await;
    set_delay(&sender, 30).await;
    for key in ["held-limit-1", "held-limit-2"] {
        let res = send(&sender, &bob, "", "", key).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
        let held: SendResult = res.json().await.expect("json");
        assert!(held.held_until.is_some(), "{held:?}");
    }
    // Send later counts the same, when it is asked for.
    let later = (now() + 3600).to_string();
    let res = sender
        .post(
            "/api/send",
            &[
                ("message[to]", bob.as_str()),
                ("message[subject]", "Plus tard"),
                ("message[text]", "x"),
                ("message[send_key]", "held-limit-3"),
                ("send_at", &later),
            ],
        )
        .await;
    refused(res).await;
    // Undo: the message never went out, its count is given back.
    let undo = sender
        .post("/api/take_back", &[("key", "held-limit-1")])
        .await;
    assert_eq!(undo.status(), 200, "{:?}", undo.text().await);
    let res = send(&sender, &bob, "", "", "held-limit-4").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    refused(send(&sender, &bob, "", "", "held-limit-5").await).await;
    for key in ["held-limit-2", "held-limit-4"] {
        sender.post("/api/take_back", &[("key", key)]).await;
    }
}

#[tokio::test]
async fn a_send_the_mail_server_never_took_does_not_use_up_the_quota() {
    // One instance whose SMTP port is closed, one with the dev Postfix, on
    // the same database: they share the limit.
    let limit = [("ESTAFETTE_LIMITS__MAX_MESSAGES_PER_HOUR", "1")];
    let broken = spawn_with(Db::Shared, &[limit[0], ("ESTAFETTE_SMTP__PORT", "9")]).await;
    let working = spawn_with(Db::Shared, &limit).await;
    let bob = unique_email("quota-reader");
    broken.create_account(&bob, Role::User).await;
    let (_, sender) = signed_in_sender(&broken, "unreached").await;
    let cookie = sender.session_cookie_of().expect("cookie");
    for key in ["unreached-1", "unreached-2", "unreached-3"] {
        let res = send(&sender, &bob, "", "", key).await;
        assert_eq!(res.status(), 502, "not sent, not counted");
    }
    // The same session on the working instance: one message, then the limit.
    let elsewhere = working.new_browser();
    elsewhere.set_cookie(&cookie);
    let res = send(&elsewhere, &bob, "", "", "unreached-1").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    refused(send(&elsewhere, &bob, "", "", "unreached-2").await).await;
    // Counted on the database: the broken instance refuses too, before SMTP.
    refused(send(&sender, &bob, "", "", "unreached-3").await).await;
}

/// `count` sends at once, each with its own key, spread over `browsers`.
async fn sends_at_once(browsers: &[TestApp], to: &str, count: usize) -> Vec<u16> {
    let sends = (0..count).map(|i| {
        let browser = &browsers[i % browsers.len()];
        async move {
            send(browser, to, "", "", &format!("burst-{i:02}-key"))
                .await
                .status()
                .as_u16()
        }
    });
    join_all(sends).await
}

#[tokio::test]
async fn fifty_sends_at_once_send_exactly_the_limit() {
    let app = spawn_with(
        Db::Shared,
        &[("ESTAFETTE_LIMITS__MAX_MESSAGES_PER_HOUR", "5")],
    )
    .await;
    let bob = unique_email("burst-reader");
    app.create_account(&bob, Role::User).await;
    let (alice, sender) = signed_in_sender(&app, "burst").await;
    let statuses = sends_at_once(&[sender.clone_browser()], &bob, 50).await;
    assert_eq!(count(&statuses, 200), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 45, "{statuses:?}");
    let rows: Vec<_> = app
        .audit_of(&alice)
        .await
        .into_iter()
        .filter(|e| e.action == "sending_limited")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].repeats, 44, "every refusal counted in the one row");
    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    reader.wait_for_inbox(5).await;
}

#[tokio::test]
async fn two_instances_on_postgresql_share_the_limit() {
    let (one, two, dovecot) =
        two_on_postgres(&[("ESTAFETTE_LIMITS__MAX_MESSAGES_PER_HOUR", "5")]).await;
    let (alice, bob) = (unique_email("pgburst"), unique_email("pgburst-reader"));
    for email in [&alice, &bob] {
        dovecot.create_account(email, Role::User).await;
        one.services
            .create_account(Actor::command_line(), email, None, Role::User)
            .await
            .expect("account in PostgreSQL");
    }
    let first = one.new_browser();
    assert_eq!(first.sign_in(&alice, PASSWORD).await.status(), 200);
    set_delay(&first, 0).await;
    let second = two.new_browser();
    second.set_cookie(&first.session_cookie_of().expect("cookie"));
    let statuses = sends_at_once(&[first.clone_browser(), second.clone_browser()], &bob, 50).await;
    assert_eq!(count(&statuses, 200), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 45, "{statuses:?}");
    let rows: Vec<_> = one
        .audit_of(&alice)
        .await
        .into_iter()
        .filter(|e| e.action == "sending_limited")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].repeats, 44);
    let reader = dovecot.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    reader.wait_for_inbox(5).await;
}
