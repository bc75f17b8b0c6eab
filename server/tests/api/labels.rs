//! Labels (IMAP keywords) against the dev Dovecot: set from one client and
//! seen by another, listed, searched, removed; hostile names refused before
//! they reach the server; a folder whose server keeps no labels
//! ("Fixed labels": PERMANENTFLAGS without keywords, see scripts/devmail.sh)
//! refuses them with a clear error instead of an "OK" that keeps nothing.

use app::api::labels::LabelChoice;
use app::api::mail::MessagePage;
use estafette_mail::imap::login;
use futures::TryStreamExt;

use crate::helpers::{append_as, mail_env, spawn, unique_email, Db, TestApp, PASSWORD};

async fn label(
    app: &TestApp,
    folder: &str,
    uids: &str,
    label: &str,
    on: bool,
) -> reqwest::Response {
    let on = on.to_string();
    app.post(
        "/api/set_label",
        &[
            ("folder", folder),
            ("uids", uids),
            ("label", label),
            ("on", &on),
        ],
    )
    .await
}

async fn offered(app: &TestApp, folder: &str) -> LabelChoice {
    let res = app.post("/api/labels", &[("folder", folder)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

fn message(subject: &str) -> Vec<u8> {
    format!("From: a@example.test\r\nTo: b@example.test\r\nSubject: {subject}\r\nMessage-ID: <{}@x>\r\n\r\nHello\r\n", unique_email("m").replace('@', "."))
        .into_bytes()
}

/// The keywords another IMAP client sees on `uid` of `folder`.
async fn keywords_seen_by_imap(user: &str, folder: &str, uid: u32) -> Vec<String> {
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().imap_port,
        security: estafette_mail::Security::Plain,
    };
    let mut imap = login(&server, user, &secrecy::SecretString::from(PASSWORD))
        .await
        .expect("login");
    imap.select(estafette_mail::utf7::encode(folder))
        .await
        .expect("select");
    let fetched: Vec<_> = imap
        .uid_fetch(uid.to_string(), "FLAGS")
        .await
        .expect("fetch")
        .try_collect()
        .await
        .expect("fetched");
    let flags = fetched
        .first()
        .map(|f| estafette_mail::labels::labels_of(f.flags().collect::<Vec<_>>().iter()))
        .unwrap_or_default();
    let _ = imap.logout().await;
    flags
}

fn labels_of_row(page: &MessagePage, n: usize) -> Vec<String> {
    page.rows
        .get(n)
        .map(|r| r.labels.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn labels_are_keywords_every_client_sees_listed_searched_and_removed() {
    let app = spawn(Db::Shared).await;
    let (email, reader) = app.user("labels").await;
    append_as(&email, "INBOX", &message("First")).await;
    append_as(&email, "INBOX", &message("Second")).await;
    let page = reader.wait_for_inbox(2).await;
    let (newest, older) = (page.rows[0].uid, page.rows[1].uid);

    let choice = offered(&reader, "INBOX").await;
    assert_eq!(
        choice.labels,
        ["$label1", "$label2", "$label3", "$label4", "$label5"]
    );
    assert!(choice.new_allowed);

    assert_eq!(
        label(&reader, "INBOX", &newest.to_string(), "$label1", true)
            .await
            .status(),
        200
    );
    assert_eq!(
        label(
            &reader,
            "INBOX",
            &format!("{newest},{older}"),
            "Projet-X",
            true
        )
        .await
        .status(),
        200
    );
    let page = reader.inbox().await;
    assert_eq!(labels_of_row(&page, 0), ["$label1", "Projet-X"]);
    assert_eq!(labels_of_row(&page, 1), ["Projet-X"]);
    // Thunderbird, or any client, sees the same keywords.
    let mut seen = keywords_seen_by_imap(&email, "INBOX", newest).await;
    seen.sort();
    assert_eq!(seen, ["$label1", "Projet-X"]);
    // The message view says so, and the folder now offers the new one.
    assert_eq!(
        reader.outline(&newest.to_string()).await.labels,
        ["$label1", "Projet-X"]
    );
    assert!(offered(&reader, "INBOX")
        .await
        .labels
        .iter()
        .any(|v| v == "Projet-X"));

    // Found by label.
    let found = reader
        .list(&[("folder", "INBOX"), ("label", "$label1")])
        .await;
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].uid, newest);
    let found = reader
        .list(&[("folder", "INBOX"), ("label", "Projet-X")])
        .await;
    assert_eq!(found.total, 2);
    let found = reader
        .list(&[
            ("folder", "INBOX"),
            ("label", "$label1"),
            ("everywhere", "true"),
        ])
        .await;
    assert_eq!(found.total, 1, "in all folders too");

    // Many at once: none lost.
    let many = (1..=20).map(|n| {
        let reader = &reader;
        async move {
            label(
                reader,
                "INBOX",
                &older.to_string(),
                &format!("tag{n}"),
                true,
            )
            .await
            .status()
        }
    });
    let statuses = futures::future::join_all(many).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        keywords_seen_by_imap(&email, "INBOX", older).await.len(),
        21
    );

    // Removed.
    assert_eq!(
        label(&reader, "INBOX", &newest.to_string(), "$label1", false)
            .await
            .status(),
        200
    );
    let page = reader.inbox().await;
    assert_eq!(labels_of_row(&page, 0), ["Projet-X"]);
    let found = reader
        .list(&[("folder", "INBOX"), ("label", "$label1")])
        .await;
    assert_eq!(found.total, 0);
}

#[tokio::test]
async fn hostile_labels_never_reach_the_server_and_strangers_touch_nothing() {
    let app = spawn(Db::Shared).await;
    let (email, reader) = app.user("hostile-labels").await;
    append_as(&email, "INBOX", &message("Target")).await;
    let page = reader.wait_for_inbox(1).await;
    let uid = page.rows[0].uid.to_string();
    for hostile in [
        "",
        "two words",
        "x\r\nA1 DELETE INBOX",
        "x) (\\Deleted",
        "\\Deleted",
        "\\Seen",
        "a*",
        "\"quoted\"",
        "étiquette",
        "$Forwarded",
        &"x".repeat(65),
    ] {
        let res = label(&reader, "INBOX", &uid, hostile, true).await;
        assert_eq!(res.status(), 422, "{hostile:?}");
        let res = reader
            .post(
                "/api/messages",
                &[
                    ("folder", "INBOX"),
                    ("page", "0"),
                    ("search[label]", hostile),
                ],
            )
            .await;
        assert!(
            hostile.is_empty() || hostile == "$Forwarded" || res.status() == 422,
            "search by {hostile:?}: {}",
            res.status()
        );
    }
    assert!(
        keywords_seen_by_imap(&email, "INBOX", uid.parse().unwrap_or_default())
            .await
            .is_empty()
    );
    assert_eq!(reader.inbox().await.total, 1, "nothing was deleted");

    // Another account names the same UID: its own mailbox, not this one.
    let (_, stranger) = app.user("stranger").await;
    let _ = label(&stranger, "INBOX", &uid, "$label1", true).await;
    assert!(
        keywords_seen_by_imap(&email, "INBOX", uid.parse().unwrap_or_default())
            .await
            .is_empty()
    );
    // And no one signed out can.
    assert_eq!(
        reader
            .new_browser()
            .post(
                "/api/set_label",
                &[
                    ("folder", "INBOX"),
                    ("uids", &uid),
                    ("label", "$label1"),
                    ("on", "true")
                ]
            )
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn a_folder_that_keeps_no_labels_says_so_and_keeps_nothing() {
    let app = spawn(Db::Shared).await;
    let (email, reader) = app.user("fixed").await;
    let res = reader
        .post("/api/folder_create", &[("name", "Fixed labels")])
        .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    append_as(&email, "Fixed labels", &message("Kept as it is")).await;
    let page = reader.list(&[("folder", "Fixed labels")]).await;
    let uid = page.rows.first().map(|r| r.uid).unwrap_or_default();
    assert!(uid > 0, "{page:?}");

    let choice = offered(&reader, "Fixed labels").await;
    assert_eq!(choice.labels, Vec::<String>::new());
    assert!(!choice.new_allowed);
    let res = label(&reader, "Fixed labels", &uid.to_string(), "$label1", true).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap_or_default()
        .contains("does not keep labels"));
    assert!(keywords_seen_by_imap(&email, "Fixed labels", uid)
        .await
        .is_empty());
    // The INBOX, beside it, still takes them.
    append_as(&email, "INBOX", &message("Elsewhere")).await;
    let inbox = reader.wait_for_inbox(1).await;
    let other = inbox.rows[0].uid;
    assert_eq!(
        label(&reader, "INBOX", &other.to_string(), "$label2", true)
            .await
            .status(),
        200
    );
}
