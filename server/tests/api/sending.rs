//! Sending with attachments through the dev Postfix, as the signed-in user:
//! delivered byte for byte, kept in Sent, never twice for one send key, and
//! kept as a draft with the reason when SMTP fails.

use app::api::mail::{MessageOutline, Prefilled, SendResult, SuggestionView};
use estafette_store::Role;
use serde_json::Value;

use crate::helpers::{spawn, spawn_with, unique_email, Db, TestApp, PASSWORD};

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

async fn upload(app: &TestApp, name: &str, content_type: &str, data: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/upload?name={}&type={}",
            app::urls::encode(name),
            app::urls::encode(content_type)
        )))
        .header("Origin", &app.base)
        .body(data)
        .send()
        .await
        .expect("POST /upload")
}

/// A POST of the compose form (its fields are `message[...]`).
async fn send(app: &TestApp, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
    let fields: Vec<(String, &str)> = form
        .iter()
        .map(|(k, v)| (format!("message[{k}]"), *v))
        .collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    // These tests send at once: the undo delay has tests of its own (outbox.rs).
    let no_delay = [("seconds", "0")];
    let set = match cookie {
        Some(c) => app.post_as(c, "/api/set_undo_delay", &no_delay).await,
        None => app.post("/api/set_undo_delay", &no_delay).await,
    };
    assert_eq!(set.status(), 200);
    match cookie {
        Some(c) => app.post_as(c, "/api/send", &fields).await,
        None => app.post("/api/send", &fields).await,
    }
}

/// `who` signed in with a browser of their own, once the one message sent
/// to them has come: that browser and the message's UID.
async fn received_by(app: &TestApp, who: &str) -> (TestApp, String) {
    let reader = app.new_browser();
    assert_eq!(reader.sign_in(who, PASSWORD).await.status(), 200);
    let uid = reader.wait_for_inbox(1).await.rows[0].uid.to_string();
    (reader, uid)
}

/// A message of `reader`'s INBOX exactly as stored.
async fn source(reader: &TestApp, uid: &str) -> Vec<u8> {
    reader
        .get(&format!("/source?folder=INBOX&uid={uid}"))
        .await
        .bytes()
        .await
        .expect("source")
        .to_vec()
}

async fn uploaded_id(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.expect("json");
    v["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_message_with_attachments_arrives_whole_and_is_kept_in_sent() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let pdf = noise(3 * 1024 * 1024 + 7, 42);
    let png = noise(2000, 7);
    let a = uploaded_id(
        upload(
            &app,
            "rapport annuel été.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await,
    )
    .await;
    let b = uploaded_id(upload(&app, "logo.png", "image/png", png.clone()).await).await;
    let attachments = format!("{a},{b}");
    let sent: SendResult = send(
        &app,
        None,
        &[
            ("to", &format!("Bob <{bob}>")),
            ("subject", "Rapport d’activité"),
            ("text", "Bonjour Bob,\nle rapport est joint."),
            ("attachments", &attachments),
            ("send_key", "key-with-attachments-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(
        sent,
        SendResult {
            sent_now: true,
            kept_in_sent: true,
            held_until: None
        }
    );

    let sent_folder = app.list(&[("folder", "Sent")]).await;
    assert_eq!(sent_folder.rows[0].subject, "Rapport d’activité");

    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    let inbox = reader.wait_for_inbox(1).await;
    assert_eq!(inbox.rows[0].subject, "Rapport d’activité");
    let uid = inbox.rows[0].uid.to_string();
    let outline: MessageOutline = reader
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await
        .json()
        .await
        .expect("json");
    let parts = &outline.attachments;
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["rapport annuel été.pdf", "logo.png"]);
    for (part, original) in parts.iter().zip([&pdf, &png]) {
        let section = part.section.as_str();
        let got = reader
            .get(&format!("/part?folder=INBOX&uid={uid}&section={section}"))
            .await
            .bytes()
            .await
            .expect("bytes");
        assert!(
            got[..] == original[..],
            "{:?} arrives byte for byte",
            part.name
        );
    }
    assert_eq!(
        app.upload_files(),
        0,
        "sent attachments leave no file behind"
    );
}

#[tokio::test]
async fn a_20_mb_attachment_arrives_whole_and_sent_keeps_exactly_what_was_submitted() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let data = noise(20 * 1024 * 1024, 2026);
    let id = uploaded_id(
        upload(
            &app,
            "mesures.bin",
            "application/octet-stream",
            data.clone(),
        )
        .await,
    )
    .await;
    let sent: SendResult = send(
        &app,
        None,
        &[
            ("to", &bob),
            ("subject", "Les mesures"),
            ("text", "Les voici."),
            ("attachments", &id),
            ("send_key", "key-twenty-megabytes"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(
        sent,
        SendResult {
            sent_now: true,
            kept_in_sent: true,
            held_until: None
        }
    );
    assert_eq!(app.upload_files(), 0, "the upload is forgotten once sent");
    assert_eq!(
        app.held_files(),
        0,
        "the message's file is removed once sent"
    );

    let (reader, uid) = received_by(&app, &bob).await;
    let outline: MessageOutline = reader
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await
        .json()
        .await
        .expect("json");
    let section = outline.attachments[0].section.clone();
    let got = reader
        .get(&format!("/part?folder=INBOX&uid={uid}&section={section}"))
        .await
        .bytes()
        .await
        .expect("bytes");
    assert!(got[..] == data[..], "Bob gets the 20 MB byte for byte");

    // What Postfix received is Sent's copy, after the trace headers the
    // servers put on top (Return-Path, Delivered-To, Received).
    let received = source(&reader, &uid).await;
    let sent_uid = app
        .list(&[("folder", "Sent")])
        .await
        .rows
        .first()
        .map(|r| r.uid)
        .expect("kept in Sent")
        .to_string();
    let kept = app
        .get(&format!("/source?folder=Sent&uid={sent_uid}"))
        .await
        .bytes()
        .await
        .expect("source");
    assert!(kept.len() > data.len() * 4 / 3, "{} bytes", kept.len());
    assert!(
        received.ends_with(&kept),
        "Sent holds exactly what was submitted ({} bytes received, {} kept)",
        received.len(),
        kept.len()
    );
    let trace = String::from_utf8_lossy(&received[..received.len() - kept.len()]);
    assert!(trace.contains("Received: "), "{trace}");
}

#[tokio::test]
async fn sending_twice_at_once_delivers_once_and_bad_input_is_explained() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let form = [
        ("to", bob.as_str()),
        ("subject", "Une seule fois"),
        ("text", "x"),
        ("send_key", "double-click-key-1"),
    ];
    let (first, second) = tokio::join!(send(&app, None, &form), send(&app, None, &form));
    let mut outcomes: Vec<SendResult> = vec![
        first.json().await.expect("json"),
        second.json().await.expect("json"),
    ];
    outcomes.sort_by_key(|o| o.sent_now);
    assert!(!outcomes[0].sent_now);
    assert!(outcomes[1].sent_now);
    let reader = app.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    reader.wait_for_inbox(1).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(reader.inbox().await.total, 1, "delivered once");

    for (field, value, why) in [
        ("to", "bob@example.test, not an address", "`not an address`"),
        ("to", "", "at least one recipient"),
        ("subject", "Hi\r\nBcc: victim@example.test", "line breaks"),
    ] {
        let mut form = vec![("to", bob.as_str()), ("send_key", "bad-input-key-1")];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let res = send(&app, None, &form).await;
        let status = res.status();
        let text = res.text().await.expect("body");
        assert_eq!(status, 422, "{field}: {text}");
        assert!(text.contains(why), "{text}");
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_and_leaves_nothing() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_LIMITS__MAX_MESSAGE_MB", "1")]).await;
    app.signed_in("uploader").await;
    let declared = upload(
        &app,
        "big.bin",
        "application/octet-stream",
        noise(2 << 20, 3),
    )
    .await;
    assert_eq!(declared.status(), 413);
    assert!(declared.text().await.expect("body").contains("1 MB"));
    // Without a declared length, the stream is cut when it passes the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|i| Ok(noise(64 * 1024, i))).collect();
    let streamed = app
        .client
        .post(app.url("/upload?name=stream.bin"))
        .header("Origin", &app.base)
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("POST");
    assert_eq!(streamed.status(), 413);
    assert_eq!(app.upload_files(), 0, "nothing left behind");
    let small = uploaded_id(upload(&app, "ok.txt", "text/plain", b"fine".to_vec()).await).await;
    assert_eq!(app.upload_files(), 2, "data and its description");
    let removed = app
        .client
        .delete(app.url(&format!("/upload?id={small}")))
        .header("Origin", &app.base)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(removed.status(), 204);
    assert_eq!(app.upload_files(), 0);
    let traversal = app
        .client
        .delete(app.url("/upload?id=../../accounts.db"))
        .header("Origin", &app.base)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(traversal.status(), 404);
    let anonymous = app.new_browser();
    assert_eq!(
        upload(&anonymous, "x.txt", "text/plain", b"x".to_vec())
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn when_smtp_fails_the_reason_is_shown_and_the_same_send_works_later() {
    // One instance whose SMTP port is closed, one with the dev Postfix.
    let broken = spawn_with(Db::Shared, &[("ESTAFETTE_SMTP__PORT", "9")]).await;
    let (alice, bob) = (unique_email("retrier"), unique_email("later"));
    broken.create_account(&alice, Role::User).await;
    broken.create_account(&bob, Role::User).await;
    let signed_in = broken.sign_in(&alice, PASSWORD).await;
    let cookie = TestApp::session_cookie(&signed_in).expect("cookie");
    let form = [
        ("to", bob.as_str()),
        ("subject", "Après la panne"),
        ("text", "x"),
        ("send_key", "retry-after-outage-1"),
    ];
    let failed = send(&broken, Some(&cookie), &form).await;
    assert_eq!(failed.status(), 502);
    assert!(failed
        .text()
        .await
        .expect("body")
        .contains("MailUnreachable"));

    let working = spawn(Db::Shared).await;
    let sent: SendResult = send(&working, Some(&cookie), &form)
        .await
        .json()
        .await
        .expect("json");
    assert!(sent.sent_now, "the key was given back");
    let again: SendResult = send(&working, Some(&cookie), &form)
        .await
        .json()
        .await
        .expect("json");
    assert!(!again.sent_now);
    let reader = working.new_browser();
    assert_eq!(reader.sign_in(&bob, PASSWORD).await.status(), 200);
    reader.wait_for_inbox(1).await;
}

#[tokio::test]
async fn a_reply_quotes_and_threads_and_a_forward_keeps_the_attachments() {
    let app = spawn(Db::Shared).await;
    let (alice, bob, carol) = (
        unique_email("asker"),
        unique_email("replier"),
        unique_email("copied"),
    );
    for who in [&alice, &bob, &carol] {
        app.create_account(who, Role::User).await;
    }
    assert_eq!(app.sign_in(&alice, PASSWORD).await.status(), 200);
    let pdf = noise(100_000, 9);
    let id = uploaded_id(upload(&app, "plan.pdf", "application/pdf", pdf.clone()).await).await;
    let first: SendResult = send(
        &app,
        None,
        &[
            ("to", &bob),
            ("cc", &carol),
            ("subject", "Re: Re: Plan de la semaine"),
            ("text", "Voici le plan.\nÀ lundi."),
            ("attachments", &id),
            ("send_key", "original-message-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(first.sent_now);

    let bobs = app.new_browser();
    assert_eq!(bobs.sign_in(&bob, PASSWORD).await.status(), 200);
    let uid = bobs.wait_for_inbox(1).await.rows[0].uid.to_string();
    let start = |how: &'static str| {
        let (bobs, uid) = (&bobs, uid.clone());
        async move {
            let res = bobs
                .post(
                    "/api/start_from",
                    &[("folder", "INBOX"), ("uid", &uid), ("start", how)],
                )
                .await;
            assert_eq!(res.status(), 200, "{how}");
            res.json::<Prefilled>().await.expect("json")
        }
    };
    let reply = start("reply").await;
    assert_eq!(reply.to, alice);
    assert_eq!(reply.cc, "");
    assert_eq!(
        reply.subject, "Re: Plan de la semaine",
        "no piled-up prefixes"
    );
    let text = reply.text.as_str();
    assert!(
        text.contains(" wrote:\n> Voici le plan.\n> À lundi."),
        "{text}"
    );
    let all = start("all").await;
    assert_eq!(all.cc, carol, "reply-all: without bob himself");
    let forward = start("forward").await;
    assert_eq!(forward.subject, "Fwd: Plan de la semaine");
    assert_eq!(forward.attachments[0].name, "plan.pdf");
    // Forwarded as an attachment: the message itself, byte for byte.
    let as_eml = start("forward-eml").await;
    assert_eq!(as_eml.subject, "Fwd: Plan de la semaine");
    assert_eq!(as_eml.text, "");
    let eml = &as_eml.attachments[0];
    assert_eq!(eml.name, "Re Re Plan de la semaine.eml");
    let original = bobs
        .get(&format!("/source?folder=INBOX&uid={uid}"))
        .await
        .bytes()
        .await
        .expect("source");
    assert_eq!(eml.size, original.len() as u64);
    let sent_eml: SendResult = send(
        &bobs,
        None,
        &[
            ("to", &carol),
            ("subject", "Le message d’origine"),
            ("text", "Le voici en pièce jointe."),
            ("attachments", eml.id.as_str()),
            ("send_key", "forward-as-eml-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(sent_eml.sent_now);

    let references = reply.references.as_str();
    let sent: SendResult = send(
        &bobs,
        None,
        &[
            ("to", reply.to.as_str()),
            ("subject", reply.subject.as_str()),
            ("text", &format!("D'accord.{text}")),
            ("references", references),
            ("send_key", "reply-message-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(sent.sent_now);
    let forwarded: SendResult = send(
        &bobs,
        None,
        &[
            ("to", &carol),
            ("subject", forward.subject.as_str()),
            ("text", forward.text.as_str()),
            ("attachments", forward.attachments[0].id.as_str()),
            ("send_key", "forward-message-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(forwarded.sent_now);

    // Alice's INBOX: the reply, grouped under her own message's thread.
    let inbox = app.wait_for_inbox(1).await;
    assert_eq!(inbox.rows[0].subject, "Re: Plan de la semaine");
    let reply_uid = inbox.rows[0].uid.to_string();
    let source = app
        .get(&format!("/source?folder=INBOX&uid={reply_uid}"))
        .await
        .text()
        .await
        .expect("source");
    let last = references.split_whitespace().last().expect("a reference");
    assert!(source.contains(&format!("In-Reply-To: {last}")), "{source}");
    // Carol got the forward with the attachment, byte for byte.
    let carols = app.new_browser();
    assert_eq!(carols.sign_in(&carol, PASSWORD).await.status(), 200);
    let fwd_uid = carols.wait_for_subject("Fwd: Plan de la semaine").await;
    let outline: MessageOutline = carols
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &fwd_uid)])
        .await
        .json()
        .await
        .expect("json");
    let section = outline.attachments[0].section.clone();
    let got = carols
        .get(&format!(
            "/part?folder=INBOX&uid={fwd_uid}&section={section}"
        ))
        .await
        .bytes()
        .await
        .expect("bytes");
    assert!(
        got[..] == pdf[..],
        "the forwarded attachment is the original"
    );
    // And the message forwarded whole, as message/rfc822, which reads back.
    let eml_uid = carols.wait_for_subject("Le message d’origine").await;
    let outline: MessageOutline = carols
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &eml_uid)])
        .await
        .json()
        .await
        .expect("json");
    let part = &outline.attachments[0];
    assert_eq!(part.content_type, "message/rfc822", "{outline:?}");
    let section = part.section.as_str();
    let got = carols
        .get(&format!(
            "/part?folder=INBOX&uid={eml_uid}&section={section}"
        ))
        .await
        .bytes()
        .await
        .expect("bytes");
    let inner = mail_parser::MessageParser::default()
        .parse(&got[..])
        .expect("the attachment is a message");
    assert_eq!(inner.subject(), Some("Re: Re: Plan de la semaine"));
    assert_eq!(inner.attachments().count(), 1, "with its own attachment");
}

#[tokio::test]
async fn a_draft_is_kept_once_restored_whole_and_removed_when_sent() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let pdf = noise(200_000, 5);
    let id = uploaded_id(upload(&app, "annexe.pdf", "application/pdf", pdf.clone()).await).await;
    let save = |text: &'static str, to: &'static str| {
        let (app, id) = (&app, id.clone());
        async move {
            let fields: Vec<(String, String)> = [
                ("to", to),
                ("cc", "Élodie <e"),
                ("subject", "Brouillon été"),
                ("text", text),
                ("attachments", id.as_str()),
                ("send_key", "draft-key-for-test"),
            ]
            .iter()
            .map(|(k, v)| (format!("message[{k}]"), v.to_string()))
            .collect();
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let res = app.post("/api/save_draft", &fields).await;
            assert_eq!(
                res.status(),
                200,
                "{}",
                res.text().await.unwrap_or_default()
            );
        }
    };
    save("Premier jet", "bo").await;
    save("Deuxième jet,\nplus long", "bob").await;
    save("Troisième jet,\nplus long encore", "not yet an address,").await;
    let drafts = app.list(&[("folder", "Drafts")]).await;
    assert_eq!(drafts.total, 1, "one copy, not three: {drafts:?}");

    let opened = app
        .post("/api/open_draft", &[("key", "draft-key-for-test")])
        .await;
    assert_eq!(opened.status(), 200);
    let opened: Prefilled = opened.json().await.expect("json");
    assert_eq!(opened.to, "not yet an address,");
    assert_eq!(opened.cc, "Élodie <e");
    assert_eq!(opened.subject, "Brouillon été");
    assert_eq!(opened.text, "Troisième jet,\nplus long encore");
    assert_eq!(opened.attachments[0].name, "annexe.pdf");
    let restored = opened.attachments[0].id.clone();

    let sent: SendResult = send(
        &app,
        None,
        &[
            ("to", &bob),
            ("subject", "Brouillon été"),
            ("text", "Version finale"),
            ("attachments", &restored),
            ("send_key", "draft-key-for-test"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(sent.sent_now);
    assert_eq!(
        app.list(&[("folder", "Drafts")]).await.total,
        0,
        "sent: no draft left"
    );
    let (reader, uid) = received_by(&app, &bob).await;
    let outline: MessageOutline = reader
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await
        .json()
        .await
        .expect("json");
    let section = outline.attachments[0].section.clone();
    let got = reader
        .get(&format!("/part?folder=INBOX&uid={uid}&section={section}"))
        .await
        .bytes()
        .await
        .expect("bytes");
    assert!(got[..] == pdf[..], "the draft's attachment went out whole");
    assert_eq!(
        app.post("/api/open_draft", &[("key", "../../etc")])
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn addresses_written_to_are_offered_and_those_only_read_from_once_answered() {
    let app = spawn(Db::Shared).await;
    let (alice, bob, carol) = (
        unique_email("completer"),
        unique_email("bobcompleted"),
        unique_email("carolreader"),
    );
    for who in [&alice, &bob, &carol] {
        app.create_account(who, Role::User).await;
    }
    let suggest = |app: &TestApp, prefix: &'static str| {
        let app = app.clone_browser();
        async move {
            let res = app.post("/api/suggest", &[("prefix", prefix)]).await;
            assert_eq!(res.status(), 200);
            res.json::<Vec<SuggestionView>>()
                .await
                .expect("json")
                .into_iter()
                .map(|s| s.value)
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(app.sign_in(&alice, PASSWORD).await.status(), 200);
    assert!(suggest(&app, "bobcompl").await.is_empty());
    let sent: SendResult = send(
        &app,
        None,
        &[
            ("to", &format!("Bob <{bob}>")),
            ("subject", "Salut"),
            ("text", "x"),
            ("send_key", "completion-send-1"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(sent.sent_now);
    assert_eq!(suggest(&app, "bobcompl").await, vec![bob.clone()]);

    // Carol writes to alice; alice reads it: carol is not offered (a
    // stranger's message must not put its sender among them) until alice
    // answers her.
    let carols = app.new_browser();
    assert_eq!(carols.sign_in(&carol, PASSWORD).await.status(), 200);
    let hello = [
        ("to", alice.as_str()),
        ("subject", "Bonjour"),
        ("text", "y"),
        ("send_key", "completion-send-2"),
    ];
    assert_eq!(send(&carols, None, &hello).await.status(), 200);
    let uid = app.wait_for_inbox(1).await.rows[0].uid.to_string();
    let opened = app
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await;
    assert_eq!(opened.status(), 200);
    assert!(
        suggest(&app, "carolread").await.is_empty(),
        "read from only"
    );
    let answer = [
        ("to", carol.as_str()),
        ("subject", "Re: Bonjour"),
        ("text", "z"),
        ("send_key", "completion-send-3"),
    ];
    assert_eq!(send(&app, None, &answer).await.status(), 200);
    assert_eq!(suggest(&app, "carolread").await, vec![carol.clone()]);
    assert!(
        suggest(&app, "c").await.is_empty(),
        "two characters at least"
    );
}

#[tokio::test]
async fn rich_text_goes_out_cleaned_beside_the_plain_text() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let hostile = "<p>Un mot <b>important</b> et <a href=\"https://example.org/\" onclick=\"x()\">un lien</a></p>\
        <script>alert(1)</script><img src=\"https://tracker.example/p.gif\">\
        <a href=\"javascript:alert(2)\">piège</a><style>body{display:none}</style>";
    let res = send(
        &app,
        None,
        &[
            ("to", &bob),
            ("subject", "Texte enrichi"),
            ("text", "Un mot important et un lien\npiège"),
            ("html", hostile),
            ("send_key", "key-rich-text-0001"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);

    let (reader, uid) = received_by(&app, &bob).await;
    let raw = String::from_utf8(source(&reader, &uid).await).expect("utf-8");
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a message");
    assert!(raw.contains("multipart/alternative"));
    assert_eq!(
        parsed
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .as_deref()
            .map(str::trim_end),
        Some("Un mot important et un lien\npiège")
    );
    let html = parsed.body_html(0).expect("an HTML part").into_owned();
    assert!(html.contains("<b>important</b>"), "{html}");
    assert!(html.contains("href=\"https://example.org/\""), "{html}");
    for gone in [
        "script",
        "alert",
        "onclick",
        "tracker",
        "javascript",
        "<style",
        "src=",
    ] {
        assert!(!html.contains(gone), "{gone} left in {html}");
    }
}

#[tokio::test]
async fn pasted_images_go_out_as_cid_parts_and_come_back_in_a_draft() {
    let app = spawn(Db::Shared).await;
    let (_, bob) = app.alice_and_bob().await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(noise(30_000, 11));
    let id = uploaded_id(upload(&app, "capture.png", "image/png", png.clone()).await).await;
    // The editor shows it from the upload while the message is written.
    let shown = app.get(&format!("/upload?id={id}")).await;
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["content-type"], "image/png");
    assert_eq!(shown.bytes().await.expect("bytes").as_ref(), png.as_slice());
    let html = format!("<p>Voici <img src=\"/upload?id={id}\" alt=\"capture\"> la capture</p>");

    // Kept as a draft and reopened: the image is back, as a new upload the
    // text shows, and it is not one of the attachments.
    let fields: Vec<(String, &str)> = [
        ("to", bob.as_str()),
        ("subject", "Capture"),
        ("text", "Voici la capture"),
        ("html", html.as_str()),
        ("send_key", "key-inline-image-1"),
    ]
    .iter()
    .map(|(k, v)| (format!("message[{k}]"), *v))
    .collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(app.post("/api/save_draft", &fields).await.status(), 200);
    let opened: Prefilled = app
        .post("/api/open_draft", &[("key", "key-inline-image-1")])
        .await
        .json()
        .await
        .expect("json");
    assert!(opened.attachments.is_empty(), "{opened:?}");
    let reopened = opened.html.clone();
    let again = reopened
        .split("/upload?id=")
        .nth(1)
        .and_then(|rest| rest.get(..32))
        .expect("the image shown from an upload")
        .to_owned();
    assert_ne!(again, id, "a new upload");
    assert_eq!(
        app.get(&format!("/upload?id={again}"))
            .await
            .bytes()
            .await
            .expect("bytes")
            .as_ref(),
        png.as_slice()
    );

    let res = send(
        &app,
        None,
        &[
            ("to", &bob),
            ("subject", "Capture"),
            ("text", "Voici la capture"),
            ("html", &reopened),
            ("send_key", "key-inline-image-1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let (reader, uid) = received_by(&app, &bob).await;
    let raw = source(&reader, &uid).await;
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("a message");
    let body = String::from_utf8_lossy(&raw);
    assert!(body.contains("multipart/related"), "{body}");
    let html = parsed.body_html(0).expect("an HTML part").into_owned();
    assert!(
        !html.contains("/upload"),
        "no link back to Estafette: {html}"
    );
    let cid = html
        .split("src=\"cid:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the image points at a part")
        .to_owned();
    let part = parsed
        .parts
        .iter()
        .find(|p| mail_parser::MimeHeaders::content_id(*p) == Some(cid.as_str()))
        .expect("the part it points at");
    assert_eq!(part.contents(), png.as_slice(), "byte for byte");
    assert_eq!(
        parsed.attachments().count(),
        1,
        "one part: the image, not a copy as an attachment"
    );
    // Nothing of it is left on the server.
    assert_eq!(
        app.get(&format!("/upload?id={again}")).await.status(),
        404,
        "the upload is forgotten once sent"
    );
}

#[tokio::test]
async fn only_images_are_shown_and_only_uploads_of_ones_own_session() {
    let app = spawn(Db::Shared).await;
    let alice = app.signed_in("inline-other").await;
    let svg = uploaded_id(
        upload(
            &app,
            "x.svg",
            "image/svg+xml",
            b"<svg onload=\"alert(1)\"/>".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(app.get(&format!("/upload?id={svg}")).await.status(), 415);
    let png = uploaded_id(upload(&app, "a.png", "image/png", b"\x89PNG".to_vec()).await).await;
    let other = app.new_browser();
    assert_eq!(other.sign_in(&alice, PASSWORD).await.status(), 200);
    assert_ne!(
        other.get(&format!("/upload?id={png}")).await.status(),
        200,
        "another session does not see it"
    );
    let anonymous = app
        .new_browser()
        .get(&format!("/upload?id={png}"))
        .await
        .status();
    assert!(
        anonymous == 401 || anonymous == 303,
        "signed out: {anonymous}"
    );
    // A PDF cannot be slipped in as an image of the text.
    let pdf = uploaded_id(upload(&app, "a.pdf", "application/pdf", b"%PDF".to_vec()).await).await;
    let res = app
        .post(
            "/api/send",
            &[
                ("message[to]", alice.as_str()),
                ("message[subject]", "x"),
                ("message[text]", "x"),
                (
                    "message[html]",
                    format!("<img src=\"/upload?id={pdf}\">").as_str(),
                ),
                ("message[send_key]", "key-inline-pdf-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap_or_default()
        .contains("not an image"));
}
