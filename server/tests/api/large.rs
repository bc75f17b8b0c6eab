//! A message too large to show whole, opened as the message view opens it:
//! the body is cut where the view cuts it and says so, with the way to the
//! original; the attachment stays on the server until asked for; opening it
//! marks it read all the same. (What it costs in memory: scripts/bench.sh.)

use crate::helpers::{append_as, spawn, Db};

#[tokio::test]
async fn a_huge_message_opens_cut_and_says_so() {
    let app = spawn(Db::Shared).await;
    let alice = app.signed_in("large").await;

    let mut html = String::from("<html><body><p>FIRST-PARAGRAPH</p>");
    while html.len() < 3 * 1024 * 1024 {
        html.push_str("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\r\n");
    }
    html.push_str("<p>LAST-PARAGRAPH</p></body></html>\r\n");
    let attachment = "QUJD".repeat(2 * 1024 * 1024 / 4 * 3);
    let raw = format!(
        "From: news@example.org\r\nTo: {alice}\r\nSubject: Huge\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
         Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThe plain version.\r\n--a\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html}--a--\r\n--m\r\n\
         Content-Type: application/octet-stream; name=big.bin\r\n\
         Content-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {attachment}\r\n--m--\r\n"
    );
    append_as(&alice, "INBOX", raw.as_bytes()).await;
    let page = app.inbox().await;
    assert_eq!(page.rows[0].subject, "Huge");
    assert!(page.rows[0].unread);
    let uid = page.rows[0].uid.to_string();

    let outline = app.outline(&uid).await;
    assert_eq!(outline.attachments[0].name, "big.bin");
    assert!(outline.attachments[0].size > 4_000_000);

    let frame = app.frame(&uid).await;
    assert!(frame.contains("FIRST-PARAGRAPH"), "the start is shown");
    assert!(!frame.contains("LAST-PARAGRAPH"), "the rest is not read");
    assert!(
        app.outline(&uid).await.truncated,
        "and the page says so (with the way to the original)"
    );
    assert!(frame.len() < 3 * 1024 * 1024, "{} bytes", frame.len());
    assert!(
        !frame.contains("The plain version"),
        "the HTML is shown, not both"
    );

    let page = app.inbox().await;
    assert!(!page.rows[0].unread, "opened, so read");
}
