//! Live updates: a folder's event stream says `changed` when mail arrives.

use std::time::Duration;

use estafette_store::Role;

use crate::helpers::{eventually, send_as, spawn, spawn_with, unique_email, Db, PASSWORD};

/// Reads the event stream until `event` comes, or gives up after `wait`.
async fn until(res: &mut reqwest::Response, event: &str, wait: Duration) -> bool {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while !seen.contains(&format!("event: {event}")) {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return false,
        }
    }
    true
}

#[tokio::test]
async fn new_mail_is_announced_on_the_folders_event_stream() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("announcer"), unique_email("watcher"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);

    let mut events = app.get("/events?folder=INBOX").await;
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    assert!(until(&mut events, "ready", Duration::from_secs(10)).await);
    assert!(
        !until(&mut events, "changed", Duration::from_millis(500)).await,
        "nothing happened yet"
    );

    let message = lettre::Message::builder()
        .from(alice.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject("Live")
        .body("now".to_owned())
        .expect("message");
    send_as(&alice, &message).await;
    assert!(
        until(&mut events, "changed", Duration::from_secs(15)).await,
        "the delivery was announced"
    );

    assert_eq!(app.get("/events?folder=Nowhere").await.status(), 404);
    assert_eq!(
        app.new_browser().get("/events?folder=INBOX").await.status(),
        401
    );
}

#[tokio::test]
async fn a_sessions_pages_share_one_watch_and_an_account_has_few() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_LIMITS__MAX_EVENT_STREAMS", "2")]).await;
    let (alice, bob) = (unique_email("sharer"), unique_email("tabs"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);

    // Three pages of one session on the INBOX: one IMAP connection.
    let logins = app.services.mail.login_count();
    let mut pages = Vec::new();
    for _ in 0..3 {
        let mut events = app.get("/events?folder=INBOX").await;
        assert_eq!(events.status(), 200);
        assert!(until(&mut events, "ready", Duration::from_secs(10)).await);
        pages.push(events);
    }
    assert_eq!(
        app.services.mail.login_count() - logins,
        1,
        "one login for three pages"
    );
    assert_eq!(app.services.watches.open(), 1);
    // All of them hear of a delivery.
    let message = lettre::Message::builder()
        .from(alice.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject("Shared")
        .body("now".to_owned())
        .expect("message");
    send_as(&alice, &message).await;
    for events in &mut pages {
        assert!(until(events, "changed", Duration::from_secs(15)).await);
    }

    // Another folder, then another browser of the account: the account's
    // limit of two is reached, and a third watch is refused.
    let sent = app.get("/events?folder=Sent").await;
    assert_eq!(sent.status(), 200);
    let other = app.new_browser();
    assert_eq!(other.sign_in(&bob, PASSWORD).await.status(), 200);
    let refused = other.get("/events?folder=INBOX").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.text().await.unwrap_or_default(), r#""Busy""#);

    // The pages leave: their connection is closed and the slot given back.
    drop(pages);
    drop(sent);
    eventually(10, "the watches end", || async {
        (app.services.watches.open() == 0).then_some(())
    })
    .await;
    assert_eq!(other.get("/events?folder=INBOX").await.status(), 200);
}
