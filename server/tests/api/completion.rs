//! Address completion offers what the user wrote to, never what a stranger
//! wrote from: opening `"Alice Martin (CFO)" <cfo@evil.example>` does not put
//! that address where the user types "alice".

use app::api::mail::SuggestionView;
use estafette_store::Role;

use crate::helpers::{send_as, spawn, unique_email, Db, PASSWORD};

async fn suggestions(app: &crate::helpers::TestApp, prefix: &str) -> Vec<String> {
    let res = app.post("/api/suggest", &[("prefix", prefix)]).await;
    assert_eq!(res.status(), 200);
    let offered: Vec<SuggestionView> = res.json().await.expect("json");
    offered.into_iter().map(|s| s.value).collect()
}

#[tokio::test]
async fn senders_read_from_are_not_offered_until_written_to() {
    let app = spawn(Db::Shared).await;
    let (reader, impostor) = (unique_email("reader"), unique_email("alicecfo"));
    app.create_account(&reader, Role::User).await;
    app.create_account(&impostor, Role::User).await;
    let message = lettre::Message::builder()
        .from(
            format!("\"Alice Martin (CFO)\" <{impostor}>")
                .parse()
                .expect("from"),
        )
        .to(reader.parse().expect("to"))
        .subject("Urgent wire transfer")
        .body("Please pay this today.".to_owned())
        .expect("message");
    send_as(&impostor, &message).await;
    assert_eq!(app.sign_in(&reader, PASSWORD).await.status(), 200);
    let inbox = app.wait_for_inbox(1).await;
    let uid = inbox.rows[0].uid.to_string();
    let opened = app
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await;
    assert_eq!(opened.status(), 200);
    let frame = app.get(&format!("/frame?folder=INBOX&uid={uid}")).await;
    assert_eq!(frame.status(), 200);

    for prefix in ["alice", "Alice Martin", "alicecfo"] {
        assert!(
            suggestions(&app, prefix).await.is_empty(),
            "{prefix:?} offers a sender only read from"
        );
    }
    // The user's own address comes first.
    let own = suggestions(&app, &reader[..6]).await;
    assert_eq!(own.first(), Some(&reader), "{own:?}");

    // Once the user writes to the address, it is offered.
    let no_delay = app.post("/api/set_undo_delay", &[("seconds", "0")]).await;
    assert_eq!(no_delay.status(), 200);
    let sent = app
        .post(
            "/api/send",
            &[
                ("message[to]", impostor.as_str()),
                ("message[subject]", "Re: Urgent wire transfer"),
                ("message[text]", "Which invoice?"),
                ("message[send_key]", "completion-test-key-0001"),
            ],
        )
        .await;
    assert!(sent.status().is_success(), "{:?}", sent.text().await);
    let offered = suggestions(&app, "alicecfo").await;
    assert_eq!(
        offered,
        std::slice::from_ref(&impostor),
        "written to: offered"
    );
}
