//! The original message, downloaded as a `.eml` file: byte for byte as
//! stored, under a name that cannot break the header or a path, without
//! marking it read, and only by its owner.

use crate::helpers::{append_as, spawn, Db};

#[tokio::test]
async fn the_original_downloads_byte_for_byte_under_a_safe_name() {
    let app = spawn(Db::Shared).await;
    let (bob, browser) = app.user("keeper").await;
    // The subject decodes to a path and a header of its own.
    let raw = "From: Alice <alice@example.test>\r\n\
        To: bob@example.test\r\n\
        Subject: =?UTF-8?B?Li4vLi4vw6l0w6kNClNldC1Db29raWU6IHg9MQ==?=\r\n\
        Message-ID: <original-1@example.test>\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: 8bit\r\n\r\n\
        Prix : 12 €\r\n\r\n-- \r\nAlice\r\n"
        .as_bytes()
        .to_vec();
    append_as(&bob, "INBOX", &raw).await;
    let uid = browser.wait_for_inbox(1).await.rows[0].uid;

    let res = browser
        .get(&format!("/source?folder=INBOX&uid={uid}&download=true"))
        .await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "message/rfc822");
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    assert!(
        disposition.starts_with("attachment; filename=\"_t_ Set-Cookie x=1.eml\"; filename*=UTF-8''%C3%A9t%C3%A9%20Set-Cookie%20x%3D1.eml"),
        "{disposition}"
    );
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(headers.get("set-cookie").is_none());
    assert_eq!(res.bytes().await.expect("body")[..], raw[..]);

    // Downloading it did not mark it read.
    assert!(browser.inbox().await.rows[0].unread);

    // A message of several megabytes comes whole, a chunk at a time.
    let mut large = b"From: Alice <alice@example.test>\r\nSubject: Large\r\n\r\n".to_vec();
    for i in 0..60_000u32 {
        large.extend_from_slice(
            format!(
                "line {i:>6} of a long message, not compressible {}\r\n",
                i * 7919 % 10_007
            )
            .as_bytes(),
        );
    }
    append_as(&bob, "INBOX", &large).await;
    let inbox = browser.wait_for_inbox(2).await;
    let uid = inbox
        .rows
        .iter()
        .find(|r| r.subject == "Large")
        .map(|r| r.uid)
        .expect("uid");
    let res = browser
        .get(&format!("/source?folder=INBOX&uid={uid}&download=true"))
        .await;
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.expect("body");
    assert!(large.len() > 3 << 20);
    assert!(
        body[..] == large[..],
        "{} bytes of {}",
        body.len(),
        large.len()
    );

    // Another account asking for the same uid gets its own mailbox's answer.
    let (_, other) = app.user("stranger").await;
    let res = other
        .get(&format!("/source?folder=INBOX&uid={uid}&download=true"))
        .await;
    assert_eq!(res.status(), 404);
}
