//! Reading: the message list of a real mailbox.

use app::api::mail::{FolderView, MessagePage};
use estafette_store::Role;

use crate::helpers::{eventually, send_as, spawn, unique_email, Db, PASSWORD};

#[tokio::test]
async fn the_list_shows_one_page_newest_first_with_decoded_headers() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("lister"), unique_email("listed"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let mut page = None;
    // One at a time: the mail server may deliver messages sent together in
    // another order, and the list's order is the order of arrival.
    for n in 1..=3 {
        let message = lettre::Message::builder()
            .from(format!("Élodie Lefèvre <{alice}>").parse().expect("from"))
            .to(bob.parse().expect("to"))
            .subject(format!("Réunion n°{n}"))
            .body("Bonjour".to_owned())
            .expect("message");
        send_as(&alice, &message).await;
        page = Some(app.wait_for_inbox(n).await);
    }
    let page = page.expect("a page");
    assert_eq!(page.total, 3);
    let rows = &page.rows;
    let subjects: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["Réunion n°3", "Réunion n°2", "Réunion n°1"],
        "newest first, decoded"
    );
    assert!(rows.iter().all(|r| r.from == "Élodie Lefèvre" && r.unread));

    let beyond: MessagePage = app
        .post("/api/messages", &[("folder", "INBOX"), ("page", "5")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(beyond.rows.len(), 0);
    assert_eq!(beyond.total, 3);

    let missing = app
        .post(
            "/api/messages",
            &[("folder", "No such folder"), ("page", "0")],
        )
        .await;
    assert_eq!(missing.status(), 404);
    let hostile = app
        .post(
            "/api/messages",
            &[("folder", "INBOX\r\nA1 DELETE INBOX"), ("page", "0")],
        )
        .await;
    assert_eq!(
        hostile.status(),
        404,
        "no such folder: nothing was sent as a command"
    );
    let after = app.inbox().await;
    assert_eq!(after.total, 3, "nothing was injected");
}

#[tokio::test]
async fn a_message_opens_sanitised_in_a_sandboxed_frame() {
    let app = spawn(Db::Shared).await;
    let (mallory, bob) = (unique_email("mallory"), unique_email("reader"));
    app.create_account(&mallory, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let html = "<p onclick=alert(1)>Hello<script>alert(2)</script>\
                <img src=\"https://tracker.example/pixel.gif\"><a href=\"javascript:alert(3)\">x</a></p>";
    let message = lettre::Message::builder()
        .from(mallory.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject("<b>hostile</b>")
        .header(lettre::message::header::ContentType::TEXT_HTML)
        .body(html.to_owned())
        .expect("message");
    send_as(&mallory, &message).await;
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let uid = eventually(10, "the message arrives", || async {
        app.inbox().await.rows.first().map(|r| r.uid)
    })
    .await;

    let frame = app.get(&format!("/frame?folder=INBOX&uid={uid}")).await;
    assert_eq!(frame.status(), 200);
    let csp = frame.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("sandbox allow-popups") && csp.contains("script-src 'none'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self'") && !csp.contains("https:"),
        "{csp}"
    );
    assert_eq!(frame.headers()["x-frame-options"], "SAMEORIGIN");
    let doc = frame.text().await.expect("body");
    for bad in [
        "<script",
        "onclick",
        "javascript:",
        "tracker.example",
        "<b>hostile",
    ] {
        assert!(!doc.contains(bad), "{bad} in {doc}");
    }
    assert!(
        !doc.contains("<header") && !doc.contains("From:"),
        "the frame shows the body only: {doc}"
    );
    // The page around it says what was blocked, and who wrote to whom.
    let outline = app.outline(&uid.to_string()).await;
    assert_eq!(outline.remote_content, 1, "the tracker is counted");
    assert!(!outline.trusted);
    assert_eq!(
        outline.subject, "<b>hostile</b>",
        "as text, for the page to escape"
    );
    assert_eq!(outline.from_address, mallory);
    let to: Vec<&str> = outline.to.iter().map(|p| p.address.as_str()).collect();
    assert_eq!(to, [bob.as_str()]);
    assert!(
        outline.date.is_some_and(|d| d > 1_600_000_000),
        "{:?}",
        outline.date
    );
    assert!(!outline.truncated);

    let allowed = app
        .get(&format!("/frame?folder=INBOX&uid={uid}&remote=true"))
        .await;
    let csp = allowed.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    // Allowed, they come through the image proxy: the frame may load
    // nothing from anywhere else.
    assert!(!csp.contains("https:") && !csp.contains("http:"), "{csp}");
    let doc = allowed.text().await.expect("body");
    assert!(
        doc.contains("src=\"/image?u=https%3A%2F%2Ftracker.example%2Fpixel.gif&amp;t="),
        "{doc}"
    );
    assert!(!doc.contains("\"https://tracker.example"), "{doc}");

    // Reading it marked it read.
    let page = app.inbox().await;
    assert!(!page.rows[0].unread);

    assert_eq!(
        app.get(&format!("/frame?folder=INBOX&uid={}", uid + 1000))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.new_browser()
            .get(&format!("/frame?folder=INBOX&uid={uid}"))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn one_imap_login_serves_a_session_across_twenty_page_views() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("writer"), unique_email("browser"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let message = lettre::Message::builder()
        .from(alice.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject("Once")
        .body("x".to_owned())
        .expect("message");
    send_as(&alice, &message).await;
    let before = app.services.mail.login_count();
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let uid = app.wait_for_inbox(1).await.rows[0].uid.to_string();
    for n in 0..20 {
        let path = match n % 4 {
            0 => "/".to_owned(),
            1 => format!("/message?folder=INBOX&uid={uid}"),
            2 => format!("/frame?folder=INBOX&uid={uid}"),
            _ => "/?folder=Sent".to_owned(),
        };
        let page = app.get(&path).await;
        assert_eq!(page.status(), 200, "{path}");
        page.text().await.expect("the whole page");
    }
    assert_eq!(
        app.services.mail.login_count() - before,
        1,
        "the sign-in's connection served every page"
    );

    // Closed when idle, the connection is opened again on the next request.
    assert_eq!(
        app.services
            .mail
            .close_idle(std::time::Duration::ZERO)
            .await,
        1
    );
    assert_eq!(app.services.mail.open_connections(), 0);
    assert_eq!(app.inbox().await.total, 1);
    assert_eq!(app.services.mail.login_count() - before, 2);
    assert_eq!(app.services.mail.open_connections(), 1);
}

#[tokio::test]
async fn every_message_of_the_mime_corpus_opens_in_the_view() {
    let app = spawn(Db::Shared).await;
    let bob = unique_email("corpus");
    app.create_account(&bob, Role::User).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/mime");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "the corpus is there");
    for file in &files {
        let raw = std::fs::read(file).expect("read");
        crate::helpers::append_as(&bob, "INBOX", &raw).await;
    }
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let total = app.wait_for_inbox(files.len() as u32).await.total;
    let mut uids = Vec::new();
    for page in 0..=(total / 50) {
        let listing = app
            .list(&[("folder", "INBOX"), ("page", &page.to_string())])
            .await;
        uids.extend(listing.rows.iter().map(|r| r.uid));
    }
    assert_eq!(uids.len() as u32, total, "every message is listed");
    for uid in uids {
        let frame = app.get(&format!("/frame?folder=INBOX&uid={uid}")).await;
        let status = frame.status().as_u16();
        assert!(status == 200 || status == 422, "frame of {uid}: {status}");
        let outline = app
            .post(
                "/api/outline",
                &[("folder", "INBOX"), ("uid", &uid.to_string())],
            )
            .await;
        assert_eq!(outline.status(), 200, "outline of {uid}");
        let page = app.get(&format!("/message?folder=INBOX&uid={uid}")).await;
        assert_eq!(page.status(), 200, "message page of {uid}");
    }
}

#[tokio::test]
async fn a_grouped_list_keeps_each_conversation_together() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("talker"), unique_email("threader"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let mail = |subject: &str, id: &str, answers: Option<&str>| {
        let mut b = lettre::Message::builder()
            .from(alice.parse().expect("from"))
            .to(bob.parse().expect("to"))
            .subject(subject)
            .message_id(Some(format!("<{id}@estafette.test>")));
        if let Some(parent) = answers {
            b = b.in_reply_to(format!("<{parent}@estafette.test>"));
        }
        b.body("x".to_owned()).expect("message")
    };
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    for (n, message) in [
        mail("Question", "q1", None),
        mail("Other", "o1", None),
        mail("Re: Question", "r1", Some("q1")),
    ]
    .iter()
    .enumerate()
    {
        send_as(&alice, message).await;
        // One after the other, so that the order of arrival is known.
        app.wait_for_inbox(n as u32 + 1).await;
    }
    let flat = app.list(&[("folder", "INBOX")]).await;
    let subjects = |page: &MessagePage| -> Vec<(String, u32, bool)> {
        page.rows
            .iter()
            .map(|r| (r.subject.clone(), r.replies, r.in_conversation))
            .collect()
    };
    assert_eq!(
        subjects(&flat),
        [
            ("Re: Question".to_owned(), 0, false),
            ("Other".to_owned(), 0, false),
            ("Question".to_owned(), 0, false)
        ]
    );
    let grouped = app
        .list(&[("folder", "INBOX"), ("conversations", "true")])
        .await;
    assert_eq!(
        subjects(&grouped),
        [
            ("Re: Question".to_owned(), 1, false),
            ("Question".to_owned(), 0, true),
            ("Other".to_owned(), 0, false)
        ]
    );
}

/// A plain message with `subject`, as another mail client would store it.
fn stored(subject: &str) -> Vec<u8> {
    format!("From: a@example.test\r\nSubject: {subject}\r\nMessage-ID: <{subject}@example.test>\r\n\r\nHello.\r\n")
        .into_bytes()
}

fn subjects(page: &MessagePage) -> Vec<String> {
    page.rows.iter().map(|r| r.subject.clone()).collect()
}

#[tokio::test]
async fn a_folder_kept_selected_follows_what_other_clients_add_and_remove() {
    let app = spawn(Db::Shared).await;
    let (email, browser) = app.user("selected").await;
    for s in ["one", "two", "three"] {
        crate::helpers::append_as(&email, "INBOX", &stored(s)).await;
    }
    let page = browser.inbox().await;
    assert_eq!(page.total, 3);
    assert_eq!(subjects(&page), ["three", "two", "one"]);
    // From here on the INBOX stays selected: every change below is learnt
    // without selecting it again.
    let selects = app.services.mail.select_count();

    // Another client adds two: the next page view, on the same selection, sees them.
    for s in ["four", "five"] {
        crate::helpers::append_as(&email, "INBOX", &stored(s)).await;
    }
    // The folder list, asked first, counts them too (its STATUS of the
    // selected INBOX sees the newest state).
    let folders: Vec<FolderView> = browser
        .post("/api/folders", &[])
        .await
        .json()
        .await
        .expect("json");
    let inbox = folders.iter().find(|f| f.name == "INBOX");
    assert_eq!(inbox.map(|f| f.unread), Some(5), "{folders:?}");
    let page = browser.inbox().await;
    assert_eq!(page.total, 5);
    assert_eq!(subjects(&page), ["five", "four", "three", "two", "one"]);

    // Another client removes one in the middle: it is gone, the others shift.
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: crate::helpers::mail_env().imap_port,
        security: estafette_mail::Security::Plain,
    };
    let mut other =
        estafette_mail::imap::login(&server, &email, &secrecy::SecretString::from(PASSWORD))
            .await
            .expect("IMAP login");
    other.select_folder("INBOX").await.expect("select");
    let uids = other
        .numbers("UID SEARCH SUBJECT two")
        .await
        .expect("search");
    estafette_mail::actions::expunge(&mut other, "INBOX", &uids)
        .await
        .expect("expunge");
    let _ = other.logout().await;
    let page = browser.inbox().await;
    assert_eq!(page.total, 4);
    assert_eq!(subjects(&page), ["five", "four", "three", "one"]);

    // Removed here (deleted to Trash), and one more arriving meanwhile.
    let newest = page.rows[0].uid.to_string();
    let res = browser
        .post(
            "/api/send_to",
            &[("folder", "INBOX"), ("uids", &newest), ("to", "trash")],
        )
        .await;
    assert_eq!(res.status(), 200);
    crate::helpers::append_as(&email, "INBOX", &stored("six")).await;
    let page = browser.inbox().await;
    assert_eq!(page.total, 4);
    assert_eq!(subjects(&page), ["six", "four", "three", "one"]);

    // A message opened by its UID before any list showed it (a link, a
    // notification): the server answers a FETCH of a UID it has not yet
    // announced with nothing, so the kept selection is brought up to date.
    crate::helpers::append_as(&email, "INBOX", &stored("seven")).await;
    let seven = (page.rows[0].uid + 1).to_string();
    let outline = browser.outline(&seven).await;
    assert_eq!(outline.subject, "seven", "{outline:?}");
    crate::helpers::append_as(&email, "INBOX", &stored("eight")).await;
    let eight = (page.rows[0].uid + 2).to_string();
    let source = browser
        .get(&format!("/source?folder=INBOX&uid={eight}"))
        .await;
    assert_eq!(source.status(), 200);
    assert!(source
        .text()
        .await
        .expect("text")
        .contains("Subject: eight"));
    assert_eq!(
        app.services.mail.select_count(),
        selects,
        "no page view selected the INBOX again"
    );
}

#[tokio::test]
async fn a_body_too_long_or_too_dense_to_show_is_cut_and_says_so() {
    let app = spawn(Db::Shared).await;
    let (bob, browser) = app.user("cutreader").await;
    let html = |body: String| {
        format!(
            "From: News <news@example.test>\r\nSubject: {}\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/html; charset=utf-8\r\n\r\n<p>Début</p>{body}<p>FIN-DU-MESSAGE</p>\r\n",
            body.len()
        )
        .into_bytes()
    };
    let bodies = [
        // Long: a few megabytes of ordinary paragraphs.
        "<p>Un paragraphe ordinaire d’une lettre d’information.</p>\r\n".repeat(60_000),
        // Dense: tiny tags (under the byte cut), more than the parser affords.
        "<b>x</b>".repeat(50_000),
        // Deep: each element inside the last.
        "<div>".repeat(50_000),
    ];
    for body in &bodies {
        crate::helpers::append_as(&bob, "INBOX", &html(body.clone())).await;
    }
    let rows = browser.wait_for_inbox(bodies.len() as u32).await.rows;
    for row in &rows {
        let uid = row.uid;
        let frame = browser.get(&format!("/frame?folder=INBOX&uid={uid}")).await;
        assert_eq!(frame.status(), 200, "{:?}", row.subject);
        let frame = frame.text().await.expect("frame");
        assert!(frame.contains("Début"), "{:?}", row.subject);
        assert!(!frame.contains("FIN-DU-MESSAGE"), "{:?}", row.subject);
        assert!(
            browser.outline(&uid.to_string()).await.truncated,
            "{:?}: the page says the body was cut (and links the original)",
            row.subject
        );
        assert!(frame.len() < 1 << 20, "{}", frame.len());
    }
}
