//! The mailbox's quota (RFC 9208) as the folder pane shows it, against the
//! dev Dovecot: 10 GB for every mailbox, 2 MB for those named `quota…`.

use serde_json::Value;

use crate::helpers::{append_as, spawn, Db, TestApp};

async fn quota_of(app: &TestApp) -> Value {
    let res = app.post("/api/quota", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

fn message_of(bytes: usize) -> Vec<u8> {
    let mut raw = b"From: filler@example.test\r\nTo: quota@example.test\r\n\
        Subject: Filler\r\nMessage-ID: <filler@example.test>\r\n\r\n"
        .to_vec();
    for _ in 0..bytes / 76 {
        raw.extend_from_slice(&[b'x'; 74]);
        raw.extend_from_slice(b"\r\n");
    }
    raw
}

#[tokio::test]
async fn the_quota_is_read_from_the_mail_server_and_warns_from_nine_tenths() {
    let app = spawn(Db::Shared).await;
    let (_, roomy) = app.user("roomy").await;
    let q = quota_of(&roomy).await;
    assert_eq!(q["limit"], 10u64 << 30, "{q}");
    assert_eq!(q["nearly_full"], false, "{q}");

    let (small, tight) = app.user("quota").await;
    let q = quota_of(&tight).await;
    assert_eq!(q["limit"], 2u64 << 20, "{q}");
    assert_eq!(
        (q["used"].as_u64(), q["nearly_full"].as_bool()),
        (Some(0), Some(false))
    );

    // A million bytes: half full, no warning; then nine tenths and more.
    append_as(&small, "INBOX", &message_of(1_000_000)).await;
    let q = quota_of(&tight).await;
    let used = q["used"].as_u64().expect("used");
    assert!((990_000..1_100_000).contains(&used), "{q}");
    assert_eq!(
        (q["percent"].as_u64(), q["nearly_full"].as_bool()),
        (Some(47), Some(false))
    );

    append_as(&small, "INBOX", &message_of(950_000)).await;
    let q = quota_of(&tight).await;
    assert_eq!(q["nearly_full"], true, "{q}");
    assert!(q["percent"].as_u64() >= Some(90), "{q}");

    // The quota is the account's own: the other mailbox is unchanged.
    assert_eq!(quota_of(&roomy).await["used"].as_u64(), Some(0));
}
