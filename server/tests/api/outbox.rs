//! Undo send and send later: a sent message waits in the outbox (in the
//! database, its bytes in a file), goes out once when due — signed out,
//! after a restart, from whichever instance holds the server key and the
//! files — or comes back as a draft; tried again while the mail server is
//! down, failed with its reason when it refuses; at most so many per account.

use std::time::Duration;

use app::api::mail::{HeldView, SendResult};
use estafette_store::now;
use estafette_wire::HeldState;

use crate::helpers::{eventually, spawn, spawn_with, Db, Relay, TestApp, PASSWORD};

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
        .post("/api/set_undo_delay", &[("seconds", &seconds.to_string())])
        .await;
    assert_eq!(res.status(), 200);
}

async fn outbox(app: &TestApp) -> Vec<HeldView> {
    let res = app.post("/api/outbox", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn inbox_total(reader: &TestApp) -> u32 {
    reader.inbox().await.total
}

/// Alice (signed in on `app`, undo delay `delay`) and Bob's reader.
async fn alice_and_bob(app: &TestApp, delay: u32) -> (String, String, TestApp) {
    let (alice, bob) = app.alice_and_bob().await;
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
        app.post("/api/set_undo_delay", &[("seconds", "31")])
            .await
            .status(),
        422,
        "at most 30 s"
    );
    let before = now();
    let res = compose(&app, &bob, "Finalement non", "undo-key-0001", 0).await;
    assert_eq!(res.status(), 200);
    let sent: SendResult = res.json().await.expect("json");
    assert!(!sent.sent_now);
    let due = sent.held_until.expect("held");
    assert!((before + 3..=now() + 3).contains(&due), "{due} vs {before}");
    let held = outbox(&app).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].state, HeldState::Waiting);
    assert!(!held[0].scheduled);
    assert_eq!(held[0].subject, "Finalement non");

    let undo = app
        .post("/api/take_back", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(undo.status(), 200);
    assert!(outbox(&app).await.is_empty());
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(inbox_total(&reader).await, 0, "nothing reached Bob");

    let draft = app
        .post("/api/open_draft", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(draft.status(), 200, "the draft is back");
    assert!(draft.text().await.expect("body").contains("Finalement non"));
    let again = app
        .post("/api/take_back", &[("key", "undo-key-0001")])
        .await;
    assert_eq!(again.status(), 422, "nothing is waiting any more");
    // Taken back, the same draft can be sent.
    let resent = compose(&app, &bob, "Finalement non", "undo-key-0001", 0).await;
    assert!(resent
        .json::<SendResult>()
        .await
        .expect("json")
        .held_until
        .is_some());
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
    assert_eq!(page.total, 1, "sent once");
    assert_eq!(page.rows[0].subject, "Envoyé après le délai");
    // Alice again: nothing waits, the copy is in Sent, the draft is gone.
    let again = app.new_browser();
    assert_eq!(again.sign_in(&alice_email, PASSWORD).await.status(), 200);
    assert!(outbox(&again).await.is_empty());
    let sent = eventually(5, "kept in Sent", || async {
        Some(again.list(&[("folder", "Sent")]).await).filter(|s| s.total == 1)
    })
    .await;
    assert_eq!(sent.rows[0].subject, "Envoyé après le délai");
    let draft = again
        .post("/api/open_draft", &[("key", "held-key-0001")])
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
    let sent: SendResult = res.json().await.expect("json");
    assert_eq!(sent.held_until, Some(due));
    let held = outbox(&first).await;
    assert_eq!(held.len(), 1);
    assert!(held[0].scheduled);
    assert_eq!(held[0].due_at, due);

    first.stop();
    // Restarted: the same key, and the same data directory (the message's file).
    let data_dir = first.data_dir();
    let second = spawn_with(
        Db::Shared,
        &[
            ("ESTAFETTE_AUTH__SECRET_KEY", SHARED_KEY),
            ("ESTAFETTE_SERVER__DATA_DIR", &data_dir),
        ],
    )
    .await;
    let reader = second.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    assert_eq!(inbox_total(&reader).await, 0, "not before its time");
    let arrived = eventually(20, "the scheduled message arrives", || async {
        (inbox_total(&reader).await == 1).then(now)
    })
    .await;
    assert!(arrived >= due, "arrived at {arrived}, due at {due}");
    assert!(arrived <= due + 10, "arrived at {arrived}, due at {due}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(inbox_total(&reader).await, 1, "once");
}

/// The outbox once its first message is in `state`.
async fn outbox_when(app: &TestApp, wanted: HeldState) -> Vec<HeldView> {
    eventually(20, &format!("a message {wanted:?}"), || async {
        let held = outbox(app).await;
        held.first()
            .is_some_and(|h| h.state == wanted)
            .then_some(held)
    })
    .await
}

#[tokio::test]
async fn a_held_message_the_server_refuses_fails_with_its_reason_and_stays_a_draft() {
    let app = spawn(Db::Shared).await;
    let (_, bob, reader) = alice_and_bob(&app, 1).await;
    // The dev Postfix refuses this address for good (scripts/devmail.sh).
    let to = format!("{bob}, refused@example.test");
    let res = compose(&app, &to, "Refusé", "refused-key-001", 0).await;
    assert_eq!(res.status(), 200);
    let held = outbox_when(&app, HeldState::Failed).await;
    let reason = held[0].error.as_deref().unwrap_or_default();
    assert!(
        reason.contains("550") && reason.contains("refused by the development server"),
        "Postfix's own reason: {reason}"
    );
    assert_eq!(held[0].retry_at, None, "not tried again");
    assert_eq!(app.held_files(), 0, "its file is gone");
    assert_eq!(inbox_total(&reader).await, 0, "nothing reached Bob");
    let draft = app
        .post("/api/open_draft", &[("key", "refused-key-001")])
        .await;
    assert_eq!(draft.status(), 200, "still a draft");
    let cancel = app
        .post("/api/take_back", &[("key", "refused-key-001")])
        .await;
    assert_eq!(cancel.status(), 200);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_held_message_is_tried_again_while_smtp_is_down_and_goes_out_once_it_is_back() {
    let relay = Relay::start().await;
    let port = relay.port.to_string();
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_SMTP__PORT", &port)]).await;
    let (alice, bob, reader) = alice_and_bob(&app, 1).await;
    let res = compose(&app, &bob, "Après la panne", "retried-key-001", 0).await;
    assert_eq!(res.status(), 200);
    let tried = now();
    let held = outbox_when(&app, HeldState::Retrying).await;
    assert!(relay.closed() >= 1, "the server was tried");
    let retry_at = held[0].retry_at.expect("a retry time");
    assert!(
        (tried + 55..=now() + 61).contains(&retry_at),
        "a minute after the first try: {retry_at} ({tried})"
    );
    let reason = held[0].error.as_deref().unwrap_or_default();
    assert!(reason.contains("closed the connection"), "{reason}");
    assert_eq!(app.held_files(), 1, "the message waits in its file");
    assert_eq!(inbox_total(&reader).await, 0);

    relay.come_up();
    // A minute passes: the retry falls due now.
    app.store
        .execute_raw(&format!(
            "UPDATE outbox SET retry_at = {} WHERE send_key = 'retried-key-001'",
            now()
        ))
        .await
        .expect("the retry due");
    let page = reader.wait_for_inbox(1).await;
    assert_eq!(page.rows[0].subject, "Après la panne");
    eventually(10, "the outbox emptied", || async {
        outbox(&app).await.is_empty().then_some(())
    })
    .await;
    let again = app.new_browser();
    assert_eq!(again.sign_in(&alice, PASSWORD).await.status(), 200);
    let sent = eventually(10, "kept in Sent", || async {
        let sent = again.list(&[("folder", "Sent")]).await;
        (sent.total == 1).then_some(sent)
    })
    .await;
    assert_eq!(sent.rows[0].subject, "Après la panne");
    // Removed once it is filed in Sent too.
    eventually(10, "its file removed", || async {
        (app.held_files() == 0).then_some(())
    })
    .await;
    assert_eq!(inbox_total(&reader).await, 1, "once");
}

#[tokio::test]
async fn an_account_holds_at_most_its_limit_however_many_sends_come_at_once() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_LIMITS__MAX_HELD_MESSAGES", "5")]).await;
    let (_, bob, _) = alice_and_bob(&app, 10).await;
    let at = now() + 3600;
    let sends = (0..20).map(|i| {
        let (app, bob) = (app.clone_browser(), bob.clone());
        async move {
            let res = compose(
                &app,
                &bob,
                &format!("Flot {i}"),
                &format!("flood-key-{i:04}"),
                at,
            )
            .await;
            (res.status().as_u16(), res.text().await.unwrap_or_default())
        }
    });
    let outcomes = futures::future::join_all(sends).await;
    let held = outcomes.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(held, 5, "{outcomes:?}");
    for (status, body) in outcomes.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 422, "{body}");
        assert!(
            body.contains("At most 5 messages can wait to be sent"),
            "{body}"
        );
    }
    assert_eq!(outbox(&app).await.len(), 5);
    assert_eq!(app.held_files(), 5, "the refused left no file");
}
