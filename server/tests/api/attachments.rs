//! Attachments: listed from the server's BODYSTRUCTURE, downloaded byte for
//! byte as a stream, never rendered as a page of ours; inline images shown.

use app::api::mail::MessageOutline;
use estafette_store::Role;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

use crate::helpers::{send_as, spawn, unique_email, Db, PASSWORD};

/// Deterministic bytes that do not compress (a stand-in for a PDF).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn attachments_download_byte_for_byte_and_never_render_as_pages() {
    let app = spawn(Db::Shared).await;
    let (alice, bob) = (unique_email("attacher"), unique_email("downloader"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let pdf = noise(5 * 1024 * 1024 + 123);
    let notes = "Prix : 12 €\r\nligne très longue ".repeat(200);
    let message = lettre::Message::builder()
        .from(alice.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject("Rapport")
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::related()
                        .singlepart(SinglePart::html(
                            "<p>Voir le logo <img src=\"cid:logo@estafette\"></p>".to_owned(),
                        ))
                        .singlepart(
                            Attachment::new_inline("logo@estafette".into())
                                .body(PNG.to_vec(), "image/png".parse().expect("type")),
                        ),
                )
                .singlepart(
                    Attachment::new("rapport été.pdf".into())
                        .body(pdf.clone(), "application/pdf".parse().expect("type")),
                )
                .singlepart(
                    Attachment::new("notes.txt".into())
                        .body(notes.clone(), ContentType::TEXT_PLAIN),
                )
                .singlepart(Attachment::new("invoice.html".into()).body(
                    "<script>alert(document.cookie)</script>".to_owned(),
                    ContentType::TEXT_HTML,
                )),
        )
        .expect("message");
    send_as(&alice, &message).await;
    assert_eq!(app.sign_in(&bob, PASSWORD).await.status(), 200);
    let inbox = app.wait_for_inbox(1).await;
    assert!(inbox.rows[0].has_attachments);
    let uid = inbox.rows[0].uid.to_string();

    let outline: MessageOutline = app
        .post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
        .await
        .json()
        .await
        .expect("json");
    let attachments = &outline.attachments;
    let names: Vec<&str> = attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["rapport été.pdf", "notes.txt", "invoice.html"],
        "{outline:?}"
    );
    let find = |name: &str| {
        attachments
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .expect("attachment")
    };
    assert!(find("invoice.html").risky);
    assert!(!find("rapport été.pdf").risky);
    assert!(find("notes.txt").previewable);
    assert!(outline.unread, "outlining does not mark read");

    let get = |section: String, view: bool| {
        let app = &app;
        let uid = uid.clone();
        async move {
            app.get(&format!(
                "/part?folder=INBOX&uid={uid}&section={section}{}",
                if view { "&view=true" } else { "" }
            ))
            .await
        }
    };
    let section = |name: &str| find(name).section;

    let res = get(section("rapport été.pdf"), false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment;")
            && disposition.contains("filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf"),
        "{disposition}"
    );
    let bytes = res.bytes().await.expect("body");
    assert_eq!(bytes.len(), pdf.len());
    assert!(bytes[..] == pdf[..], "the PDF arrives byte for byte");

    // Compressed on the way, the stream still ends cleanly.
    let compressed = app
        .client
        .get(app.url(&format!(
            "/part?folder=INBOX&uid={uid}&section={}",
            section("rapport été.pdf")
        )))
        .header("Accept-Encoding", "gzip, br")
        .send()
        .await
        .expect("GET");
    assert_eq!(compressed.status(), 200);
    let body = compressed.bytes().await.expect("the whole compressed body");
    assert!(body.len() > pdf.len() / 2);

    let text = get(section("notes.txt"), true).await;
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(text.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("inline;"));
    assert!(text.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("sandbox"));
    assert_eq!(text.text().await.expect("text"), notes);

    let html = get(section("invoice.html"), true).await;
    assert_eq!(
        html.headers()["content-type"],
        "application/octet-stream",
        "HTML is never shown as a page of ours"
    );
    assert!(html.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));

    assert_eq!(get("9".into(), false).await.status(), 404);
    assert_eq!(get("1]<0.10>".into(), false).await.status(), 404);
    assert_eq!(
        app.new_browser()
            .get(&format!("/part?folder=INBOX&uid={uid}&section=2"))
            .await
            .status(),
        401
    );

    // The inline image is in the message view, from the message itself:
    // the frame names it by a grant, which loads it with no cookie (the
    // frame's origin is opaque), that image only, while the session lasts.
    let frame = app
        .get(&format!("/frame?folder=INBOX&uid={uid}"))
        .await
        .text()
        .await
        .expect("frame");
    let src = frame
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an image")
        .replace("&amp;", "&");
    assert!(src.starts_with("/inline?grant="), "{frame}");
    let stranger = app.new_browser();
    let image = stranger.get(&src).await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(
        image.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    assert!(image.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("sandbox"));
    assert_eq!(image.bytes().await.expect("image").as_ref(), PNG);
    let other = src.replace("&n=0", "&n=1");
    assert_eq!(stranger.get(&other).await.status(), 404, "no other part");
    let grant = src.split("grant=").nth(1).and_then(|g| g.split('&').next());
    let forged = src.replace(grant.expect("grant"), "AAAA");
    assert_eq!(stranger.get(&forged).await.status(), 404);
    for n in ["-1", "x", "99999999999999999999999"] {
        let bad = src.replace("&n=0", &format!("&n={n}"));
        assert_eq!(stranger.get(&bad).await.status(), 400, "{n}");
    }

    // The source, as stored.
    let source = app.get(&format!("/source?folder=INBOX&uid={uid}")).await;
    assert_eq!(
        source.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(source
        .text()
        .await
        .expect("source")
        .contains("Subject: Rapport"));

    // Signed out, the grant loads nothing.
    app.post("/api/sign_out", &[]).await;
    assert_eq!(stranger.get(&src).await.status(), 401);
}
