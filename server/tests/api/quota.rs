//! The mailbox's quota (RFC 9208) as the folder pane shows it, against the
//! dev Dovecot: 10 GB for every mailbox, 2 MB for those named `quota…`.

use app::api::mail::QuotaView;

use crate::helpers::{append_as, spawn, Db, TestApp};

/// The mailbox's quota (the dev Dovecot keeps one for every mailbox).
async fn quota_of(app: &TestApp) -> QuotaView {
    let res = app.post("/api/quota", &[]).await;
    assert_eq!(res.status(), 200);
    let quota: Option<QuotaView> = res.json().await.expect("json");
    quota.expect("a quota")
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
    assert_eq!(q.limit, 10u64 << 30, "{q:?}");
    assert!(!q.nearly_full, "{q:?}");

    let (small, tight) = app.user("quota").await;
    let q = quota_of(&tight).await;
    assert_eq!(q.limit, 2u64 << 20, "{q:?}");
    assert_eq!((q.used, q.nearly_full), (0, false));

    // A million bytes: half full, no warning; then nine tenths and more.
    append_as(&small, "INBOX", &message_of(1_000_000)).await;
    let q = quota_of(&tight).await;
    let used = q.used;
    assert!((990_000..1_100_000).contains(&used), "{q:?}");
    assert_eq!((q.percent, q.nearly_full), (47, false));

    append_as(&small, "INBOX", &message_of(950_000)).await;
    let q = quota_of(&tight).await;
    assert!(q.nearly_full, "{q:?}");
    assert!(q.percent >= 90, "{q:?}");

    // The quota is the account's own: the other mailbox is unchanged.
    assert_eq!(quota_of(&roomy).await.used, 0);
}
