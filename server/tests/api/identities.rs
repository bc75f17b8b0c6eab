//! Identities: the names and addresses a user sends as, with signatures and
//! a default; only one's own can be used or changed.

use app::api::mail::{IdentityView, Prefilled};

use crate::helpers::{spawn, Db, TestApp, PASSWORD};

async fn list(app: &TestApp) -> Vec<IdentityView> {
    let res = app.post("/api/identities", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn save(app: &TestApp, name: &str, email: &str, signature: &str) -> reqwest::Response {
    app.post(
        "/api/save_identity",
        &[
            ("id", "0"),
            ("name", name),
            ("email", email),
            ("signature", signature),
        ],
    )
    .await
}

async fn send_as(app: &TestApp, identity: &str, to: &str, key: &str) -> reqwest::Response {
    assert_eq!(
        app.post("/api/set_undo_delay", &[("seconds", "0")])
            .await
            .status(),
        200
    );
    app.post(
        "/api/send",
        &[
            ("message[to]", to),
            ("message[subject]", "De la part de"),
            ("message[text]", "Bonjour"),
            ("message[send_key]", key),
            ("message[identity]", identity),
        ],
    )
    .await
}

#[tokio::test]
async fn mail_goes_out_as_the_chosen_identity_and_only_ones_own() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = app.alice_and_bob().await;

    // Without any, the account's own address is the identity.
    let first = list(&app).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, 0);
    assert_eq!(first[0].email, alice);
    assert!(first[0].is_default);

    for (name, email) in [
        ("Alice\r\nBcc: victim@example.test", alice.as_str()),
        ("Alice", "not an address"),
        ("Alice", "alice@example.test\r\nBcc: victim@example.test"),
    ] {
        assert_eq!(
            save(&app, name, email, "").await.status(),
            422,
            "{name:?} {email:?}"
        );
    }
    let work: i64 = save(
        &app,
        "Alice Martin",
        &alice,
        "Alice Martin\r\nÉquipe courrier",
    )
    .await
    .json()
    .await
    .expect("id");
    let support: i64 = save(&app, "Support", "support@example.test", "")
        .await
        .json()
        .await
        .expect("id");
    let both = list(&app).await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].id, work, "the first one made is the default");
    assert_eq!(both[0].signature, "Alice Martin\nÉquipe courrier");
    let made = app
        .post("/api/default_identity", &[("id", &support.to_string())])
        .await;
    assert_eq!(made.status(), 200);
    assert_eq!(list(&app).await[0].id, support);

    // A draft written as an identity reopens as that identity.
    for (identity, key) in [(work, "identity-draft-01"), (support, "identity-draft-02")] {
        let id = identity.to_string();
        let saved = app
            .post(
                "/api/save_draft",
                &[
                    ("message[to]", bob.as_str()),
                    ("message[subject]", "Brouillon"),
                    ("message[text]", "À finir"),
                    ("message[send_key]", key),
                    ("message[identity]", id.as_str()),
                ],
            )
            .await;
        assert_eq!(saved.status(), 200);
        let reopened: Prefilled = app
            .post("/api/open_draft", &[("key", key)])
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(reopened.identity, identity, "{key}");
    }

    let sent = send_as(&app, &work.to_string(), &bob, "identity-send-01").await;
    assert_eq!(sent.status(), 200);
    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    let page = reader.wait_for_inbox(1).await;
    let from = &page.rows[0].from;
    assert!(from.contains("Alice Martin"), "{from}");

    // Bob cannot send as, change or remove Alice's identity.
    let stolen = send_as(&reader, &work.to_string(), &alice, "identity-send-02").await;
    assert_eq!(stolen.status(), 422);
    let id = work.to_string();
    for (path, extra) in [
        ("/api/remove_identity", vec![("id", id.as_str())]),
        ("/api/default_identity", vec![("id", id.as_str())]),
        (
            "/api/save_identity",
            vec![
                ("id", id.as_str()),
                ("name", "Bob"),
                ("email", bob.as_str()),
                ("signature", ""),
            ],
        ),
    ] {
        assert_eq!(reader.post(path, &extra).await.status(), 422, "{path}");
    }
    assert_eq!(list(&app).await.len(), 2, "untouched");

    // Removing the default makes the one left the default.
    let removed = app
        .post("/api/remove_identity", &[("id", &support.to_string())])
        .await;
    assert_eq!(removed.status(), 200);
    let left = list(&app).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, work);
    assert!(left[0].is_default);
}
