//! Live updates: a folder's event stream says `changed` when mail arrives.

use std::time::Duration;

use estafette_store::Role;

use crate::helpers::{send_as, spawn, unique_email, Db, PASSWORD};

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
