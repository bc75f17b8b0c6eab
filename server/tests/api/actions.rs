//! What readers do to their mail: search, sort, marks, moves, deletions and
//! folders, against the real Dovecot.

use app::api::mail::{FolderView, MessagePage, Moved};
use estafette_store::Role;

use crate::helpers::{send_as, spawn, unique_email, Db, TestApp, PASSWORD};

fn subjects(page: &MessagePage) -> Vec<String> {
    page.rows.iter().map(|r| r.subject.clone()).collect()
}

fn uid_of(page: &MessagePage, subject: &str) -> String {
    page.rows
        .iter()
        .find(|r| r.subject == subject)
        .map(|r| r.uid)
        .unwrap_or_else(|| panic!("no {subject} in {page:?}"))
        .to_string()
}

async fn three_messages(app: &TestApp) -> (String, String) {
    let (alice, bob) = (unique_email("sender"), unique_email("sorter"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    for (subject, body, size) in [
        ("Alpha report", "Le compte rendu annuel", 10),
        ("Beta notes", "quarterly figures attached", 3000),
        ("Gamma", "bon voyage à tous", 100),
    ] {
        let message = lettre::Message::builder()
            .from(alice.parse().expect("from"))
            .to(bob.parse().expect("to"))
            .subject(subject)
            .body(format!("{body}\n{}", "x".repeat(size)))
            .expect("message");
        send_as(&alice, &message).await;
    }
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    app.wait_for_inbox(3).await;
    (alice, bob)
}

#[tokio::test]
async fn search_runs_on_the_server_and_sorting_orders_the_folder() {
    let app = spawn(Db::Shared).await;
    let (alice, _bob) = three_messages(&app).await;
    let find = |q: &'static str| {
        let app = &app;
        async move { app.list(&[("folder", "INBOX"), ("q", q)]).await }
    };

    assert_eq!(subjects(&find("beta").await), ["Beta notes"]);
    assert_eq!(subjects(&find("\"compte rendu\"").await), ["Alpha report"]);
    assert_eq!(
        subjects(&find("\"rendu compte\"").await),
        Vec::<String>::new()
    );
    assert_eq!(subjects(&find("body:voyage").await), ["Gamma"]);
    assert_eq!(
        subjects(&find("subject:voyage").await),
        Vec::<String>::new()
    );
    assert_eq!(subjects(&find("à").await), ["Gamma"], "UTF-8 terms");
    let from = app
        .list(&[("folder", "INBOX"), ("q", &format!("from:{alice}"))])
        .await;
    assert_eq!(from.total, 3);
    let hostile = app
        .post(
            "/api/messages",
            &[
                ("folder", "INBOX"),
                ("page", "0"),
                ("search[q]", "x\") ALL\r\nA1 LOGOUT"),
            ],
        )
        .await;
    assert!(hostile.status() == 200 || hostile.status() == 422);
    assert_eq!(app.inbox().await.total, 3, "the session still works");
    let bad_date = app
        .post(
            "/api/messages",
            &[
                ("folder", "INBOX"),
                ("page", "0"),
                ("search[since]", "yesterday"),
            ],
        )
        .await;
    assert_eq!(bad_date.status(), 422);
    let tomorrow = app
        .list(&[("folder", "INBOX"), ("since", "2999-01-01")])
        .await;
    assert_eq!(tomorrow.total, 0);

    let by_subject = app.list(&[("folder", "INBOX"), ("sort", "-subject")]).await;
    assert_eq!(
        subjects(&by_subject),
        ["Alpha report", "Beta notes", "Gamma"]
    );
    let by_size = app.list(&[("folder", "INBOX"), ("sort", "size")]).await;
    assert_eq!(subjects(&by_size), ["Beta notes", "Gamma", "Alpha report"]);

    let everywhere = app
        .list(&[("folder", "Sent"), ("q", "gamma"), ("everywhere", "true")])
        .await;
    assert_eq!(subjects(&everywhere), ["Gamma"]);
    assert_eq!(everywhere.rows[0].folder, "INBOX");
}

#[tokio::test]
async fn marks_moves_and_deletions_reach_the_mail_server() {
    let app = spawn(Db::Shared).await;
    three_messages(&app).await;
    let inbox = app.inbox().await;
    let (alpha, beta, gamma) = (
        uid_of(&inbox, "Alpha report"),
        uid_of(&inbox, "Beta notes"),
        uid_of(&inbox, "Gamma"),
    );
    let ok = |res: reqwest::Response| {
        assert_eq!(res.status(), 200);
    };

    ok(app
        .post(
            "/api/mark",
            &[
                ("folder", "INBOX"),
                ("uids", &beta),
                ("mark", "flagged"),
                ("on", "true"),
            ],
        )
        .await);
    ok(app
        .post(
            "/api/mark",
            &[
                ("folder", "INBOX"),
                ("uids", &format!("{alpha},{beta}")),
                ("mark", "seen"),
                ("on", "true"),
            ],
        )
        .await);
    let flagged = app.list(&[("folder", "INBOX"), ("flagged", "true")]).await;
    assert_eq!(subjects(&flagged), ["Beta notes"]);
    assert!(!flagged.rows[0].unread);
    let unread = app.list(&[("folder", "INBOX"), ("unread", "true")]).await;
    assert_eq!(subjects(&unread), ["Gamma"]);

    let moved: Moved = app
        .post(
            "/api/move",
            &[("folder", "INBOX"), ("uids", &beta), ("target", "Archive")],
        )
        .await
        .json()
        .await
        .expect("json");
    let archive = app.list(&[("folder", "Archive")]).await;
    assert_eq!(subjects(&archive), ["Beta notes"]);
    assert!(archive.rows[0].flagged, "flags travel along");
    assert_eq!(app.inbox().await.total, 2);
    // The move names the message's UID in Archive: moving it back undoes it.
    let there = uid_of(&archive, "Beta notes");
    assert_eq!(moved.folder, "Archive");
    assert_eq!(moved.uids, Some(format!("{there}:{there}")));
    let back: Moved = app
        .post(
            "/api/move",
            &[
                ("folder", "Archive"),
                ("uids", moved.uids.as_deref().expect("uids")),
                ("target", "INBOX"),
            ],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(back.folder, "INBOX");
    assert_eq!(app.list(&[("folder", "Archive")]).await.total, 0);
    assert_eq!(app.inbox().await.total, 3);
    let beta = uid_of(&app.inbox().await, "Beta notes");
    ok(app
        .post(
            "/api/move",
            &[("folder", "INBOX"), ("uids", &beta), ("target", "Archive")],
        )
        .await);

    let went: Option<Moved> = app
        .post(
            "/api/send_to",
            &[("folder", "INBOX"), ("uids", &gamma), ("to", "trash")],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(went.map(|m| m.folder).as_deref(), Some("Trash"));
    let trash = app.list(&[("folder", "Trash")]).await;
    assert_eq!(subjects(&trash), ["Gamma"]);
    let in_trash = uid_of(&trash, "Gamma");
    let gone: Option<Moved> = app
        .post(
            "/api/send_to",
            &[("folder", "Trash"), ("uids", &in_trash), ("to", "trash")],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(gone, None, "deleting in the Trash removes for good");
    assert_eq!(app.list(&[("folder", "Trash")]).await.total, 0);

    ok(app
        .post(
            "/api/send_to",
            &[("folder", "INBOX"), ("uids", &alpha), ("to", "junk")],
        )
        .await);
    assert_eq!(
        subjects(&app.list(&[("folder", "Junk")]).await),
        ["Alpha report"]
    );
    assert_eq!(app.inbox().await.total, 0);

    // UIDs that are not messages are refused by the domain; a mark the
    // interface never sends is a malformed call.
    for (form, status, why) in [
        (
            vec![
                ("folder", "INBOX"),
                ("uids", "abc"),
                ("mark", "seen"),
                ("on", "true"),
            ],
            422,
            "not a UID",
        ),
        (
            vec![
                ("folder", "INBOX"),
                ("uids", "1"),
                ("mark", "deleted"),
                ("on", "true"),
            ],
            400,
            "unknown mark",
        ),
    ] {
        assert_eq!(app.post("/api/mark", &form).await.status(), status, "{why}");
    }
    let nowhere_known = app
        .post(
            "/api/send_to",
            &[("folder", "INBOX"), ("uids", "1"), ("to", "Archive")],
        )
        .await;
    assert_eq!(nowhere_known.status(), 400, "an unknown destination");
    let nowhere = app
        .post(
            "/api/move",
            &[
                ("folder", "Junk"),
                ("uids", "1"),
                ("target", "No such folder"),
            ],
        )
        .await;
    assert_eq!(nowhere.status(), 404);
    assert_eq!(
        app.new_browser()
            .post(
                "/api/mark",
                &[
                    ("folder", "INBOX"),
                    ("uids", "1"),
                    ("mark", "seen"),
                    ("on", "true")
                ]
            )
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn folders_are_created_renamed_and_deleted() {
    let app = spawn(Db::Shared).await;
    app.signed_in("filer").await;
    let names = || async {
        let list: Vec<FolderView> = app
            .post("/api/folders", &[])
            .await
            .json()
            .await
            .expect("json");
        list.into_iter().map(|f| f.name).collect::<Vec<_>>()
    };

    assert_eq!(
        app.post("/api/folder_create", &[("name", "Projets été")])
            .await
            .status(),
        200
    );
    assert!(names().await.contains(&"Projets été".to_owned()));
    assert_eq!(
        app.post(
            "/api/folder_rename",
            &[("from", "Projets été"), ("to", "Projets 2026")]
        )
        .await
        .status(),
        200
    );
    let now = names().await;
    assert!(now.contains(&"Projets 2026".to_owned()) && !now.contains(&"Projets été".to_owned()));
    assert_eq!(
        app.post("/api/folder_delete", &[("name", "Projets 2026")])
            .await
            .status(),
        200
    );
    assert!(!names().await.contains(&"Projets 2026".to_owned()));

    for (endpoint, form) in [
        ("/api/folder_create", vec![("name", "a\r\nA1 DELETE INBOX")]),
        ("/api/folder_create", vec![("name", "  ")]),
        ("/api/folder_create", vec![("name", "Trash")]),
        ("/api/folder_delete", vec![("name", "INBOX")]),
        ("/api/folder_delete", vec![("name", "Never existed")]),
    ] {
        let res = app.post(endpoint, &form).await;
        assert_eq!(res.status(), 422, "{endpoint} {form:?}");
    }
    assert!(names().await.contains(&"INBOX".to_owned()));
}
