//! Reading: the message list of a real mailbox.

use estafette_mail::{smtp, MailServer, Security};
use estafette_store::Role;
use secrecy::SecretString;

use crate::helpers::{mail_env, spawn, unique_email, Db, PASSWORD};

#[tokio::test]
async fn the_list_shows_one_page_newest_first_with_decoded_headers() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("lister"), unique_email("listed"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let smtp_server = MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().smtp_port,
        security: Security::Plain,
    };
    for n in 1..=3 {
        let message = lettre::Message::builder()
            .from(format!("Élodie Lefèvre <{alice}>").parse().expect("from"))
            .to(bob.parse().expect("to"))
            .subject(format!("Réunion n°{n}"))
            .body("Bonjour".to_owned())
            .expect("message");
        smtp::send(
            &smtp_server,
            &alice,
            &SecretString::from(PASSWORD),
            &message,
        )
        .await
        .expect("send");
    }
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let mut page = serde_json::Value::Null;
    for _ in 0..100 {
        page = app
            .post("/api/messages", &[("folder", "INBOX"), ("page", "0")])
            .await
            .json()
            .await
            .expect("json");
        if page["total"] == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(page["total"], 3);
    let rows = page["rows"].as_array().expect("rows");
    let subjects: Vec<&str> = rows.iter().filter_map(|r| r["subject"].as_str()).collect();
    assert_eq!(
        subjects,
        ["Réunion n°3", "Réunion n°2", "Réunion n°1"],
        "newest first, decoded"
    );
    assert!(rows
        .iter()
        .all(|r| r["from"] == "Élodie Lefèvre" && r["unread"] == true));

    let beyond: serde_json::Value = app
        .post("/api/messages", &[("folder", "INBOX"), ("page", "5")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(beyond["rows"].as_array().map(Vec::len), Some(0));
    assert_eq!(beyond["total"], 3);

    let missing = app
        .post(
            "/api/messages",
            &[("folder", "No such folder"), ("page", "0")],
        )
        .await;
    assert_eq!(missing.status(), 422);
    let hostile = app
        .post(
            "/api/messages",
            &[("folder", "INBOX\r\nA1 DELETE INBOX"), ("page", "0")],
        )
        .await;
    assert_eq!(hostile.status(), 422);
    let after: serde_json::Value = app
        .post("/api/messages", &[("folder", "INBOX"), ("page", "0")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(after["total"], 3, "nothing was injected");
}
