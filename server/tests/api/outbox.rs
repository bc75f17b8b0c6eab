//! Undo send and send later: a sent message waits in the outbox (in the
//! database), goes out once when due — signed out, after a restart, from
//! whichever instance holds the server key — or comes back as a draft.

use std::time::Duration;

use estafette_store::{now, Role};
use serde_json::Value;

use crate::helpers::{spawn, spawn_with, unique_email, Db, TestApp, PASSWORD};

/// A server key shared by the instances of the restart test only.
const SHARED_KEY: &str = "c2NoZWR1bGVkLXNlbmQtdGVzdC1rZXktMzItYnl0ZXM=";

async fn compose(app: &TestApp, to: &str, subject: &str, key: &str, at: i64) -> reqwest::Response {
    let at = at.to_string();
    let mut fields = vec![
        ("message[to]", to),
        ("message[subject]", subject),
        ("message[text]", "Bonjour Bob,\n\nÀ demain."),
        ("message[send_key]", key),
    ];
    if at != "0" {
        fields.push(("send_at", &at));
    }
    app.post("/api/send", &fields).await
}

async fn set_delay(app: &TestApp, seconds: u32) {
    let res = app
        .post("/api/set-undo-delay", &[("seconds", &seconds.to_string())])
        .await;
    assert_eq!(res.status(), 200);
}

async fn outbox(app: &TestApp) -> Vec<Value> {
    let res = app.post("/api/outbox", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn inbox_total(reader: &TestApp) -> u64 {
    reader.inbox().await["total"].as_u64().expect("total")
}

/// Alice (signed in on `app`, undo delay `delay`) and Bob's reader.
async fn alice_and_bob(app: &TestApp, delay: u32) -> (String, String, TestApp) {
    let (alice, bob) = (unique_email("outbox"), unique_email("recipient"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    assert_eq!(app.sign_in(&alice, PASSWORD).await.status(), 200);
    set_delay(app, delay).await;
    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    (alice, bob, reader)
}

#[tokio::test]
async fn undo_within_the_delay_sends_nothing_and_gives_the_draft_back() {
    let app = spawn(Db::Shared).await;
    let (_, bob, reader) = alice_and_bob(&app, 3).await;
    assert_eq!(
        app.post("/api/set-undo-delay", &[("seconds", "31")])
            .await
            .status(),
        422,
        "at most 30 s"
    );
    let before = now();
    let res = compose(&app, &bob, "Finalement non", "undo-key-0001", 0).await;
    assert_eq!(res.status(), 200);
    let sent: Value = res.json().await.expect("json");
    assert_eq!(sent["sent_now"], false);
    let due = sent["held_until"].as_i64().expect("held");
    assert!((before + 3..=now() + 3).contains(&due), "{due} vs {before}");
    let held = outbox(&app).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["state"], "waiting");
    assert_eq!(held[0]["scheduled"], false);
    assert_eq!(held[0]["subject"], "Finalement non");

    let undo = app
        .post("/api/take-back", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(undo.status(), 200);
    assert!(outbox(&app).await.is_empty());
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(inbox_total(&reader).await, 0, "nothing reached Bob");

    let draft = app
        .post("/api/open-draft", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(draft.status(), 200, "the draft is back");
    assert!(draft.text().await.expect("body").contains("Finalement non"));
    let again = app
        .post("/api/take-back", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(again.status(), 422, "nothing is waiting any more");
    // Taken back, the same draft can be sent.
    let resent = compose(&app, &bob, "Finalement non", "undo-key-0001", 0).await;
    assert!(resent.json::<Value>().await.expect("json")["held_until"].is_i64());
}

#[tokio::test]
async fn after_the_delay_the_message_goes_out_once_even_signed_out() {
    let app = spawn(Db::Shared).await;
    let (alice_email, bob, reader) = alice_and_bob(&app, 1).await;
    let alice = app.clone_browser();
    let res = compose(&alice, &bob, "Envoyé après le délai", "held-key-0001", 0).await;
    assert_eq!(res.status(), 200);
    // Alice signs out at once: the message does not need her session.
    assert_eq!(alice.post("/api/sign_out", &[]).await.status(), 200);
    reader.wait_for_inbox(1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let page = reader.inbox().await;
    assert_eq!(page["total"], 1, "sent once");
    assert_eq!(page["rows"][0]["subject"], "Envoyé après le délai");
    // Alice again: nothing waits, the copy is in Sent, the draft is gone.
    let again = app.new_browser();
    assert_eq!(again.sign_in(&alice_email, PASSWORD).await.status(), 200);
    assert!(outbox(&again).await.is_empty());
    let mut sent = Value::Null;
    for _ in 0..50 {
        sent = again.list(&[("folder", "Sent")]).await;
        if sent["total"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sent["total"], 1, "kept in Sent: {sent}");
    assert_eq!(sent["rows"][0]["subject"], "Envoyé après le délai");
    let draft = again
        .post("/api/open-draft", &[("key", "held-key-0001")])
        .await;
    assert_ne!(draft.status(), 200, "the draft is gone");
}

#[tokio::test]
async fn a_scheduled_message_survives_a_restart_and_arrives_once_on_time() {
    let first = spawn_with(Db::Shared, &[("ESTAFETTE_AUTH__SECRET_KEY", SHARED_KEY)]).await;
    let (_, bob, _) = alice_and_bob(&first, 10).await;
    let past = compose(&first, &bob, "Trop tard", "late-key-00001", now() - 60).await;
    assert_eq!(past.status(), 422);
    let far = compose(
        &first,
        &bob,
        "Trop loin",
        "far-key-000001",
        now() + 400 * 86_400,
    )
    .await;
    assert_eq!(far.status(), 422);

    let due = now() + 8;
    let res = compose(&first, &bob, "Programmé", "scheduled-key-01", due).await;
    assert_eq!(res.status(), 200);
    let sent: Value = res.json().await.expect("json");
    assert_eq!(sent["held_until"], due);
    let held = outbox(&first).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["scheduled"], true);
    assert_eq!(held[0]["due_at"], due);

    first.stop();
    let second = spawn_with(Db::Shared, &[("ESTAFETTE_AUTH__SECRET_KEY", SHARED_KEY)]).await;
    let reader = second.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    assert_eq!(inbox_total(&reader).await, 0, "not before its time");
    let mut arrived = None;
    for _ in 0..200 {
        if inbox_total(&reader).await == 1 {
            arrived = Some(now());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let arrived = arrived.expect("the scheduled message arrived");
    assert!(arrived >= due, "arrived at {arrived}, due at {due}");
    assert!(arrived <= due + 10, "arrived at {arrived}, due at {due}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(inbox_total(&reader).await, 1, "once");
}

#[tokio::test]
async fn a_held_message_the_server_refuses_stays_a_draft_with_the_reason() {
    let broken = spawn_with(Db::Shared, &[("ESTAFETTE_SMTP__PORT", "9")]).await;
    let (_, bob, _) = alice_and_bob(&broken, 1).await;
    let res = compose(&broken, &bob, "Sans réseau", "refused-key-001", 0).await;
    assert_eq!(res.status(), 200);
    let mut held = Vec::new();
    for _ in 0..100 {
        held = outbox(&broken).await;
        if held.first().is_some_and(|h| h["state"] == "failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(held[0]["state"], "failed", "{held:?}");
    let reason = held[0]["error"].as_str().unwrap_or_default();
    assert!(!reason.is_empty(), "the reason is kept");
    let draft = broken
        .post("/api/open-draft", &[("key", "refused-key-001")])
        .await;
    assert_eq!(draft.status(), 200, "still a draft");
    let cancel = broken
        .post("/api/take-back", &[("key", "refused-key-001")])
        .await;
    assert_eq!(cancel.status(), 200);
    assert!(outbox(&broken).await.is_empty());
}
