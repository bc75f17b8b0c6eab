//! Hostile mail, delivered through the dev Postfix into Dovecot and opened
//! as the reader opens it: the list's mark, the message view's warnings and
//! sender check, the frame's links through the warning page, and the
//! warning page's verdict. Ordinary mail raises none of them.

use app::api::defence::LinkCheck;
use app::api::mail::{MessageOutline, MessageRow};

use crate::helpers::{send_raw_as, spawn_with, unique_email, Db, TestApp};

/// The receiving server's name, as `mail.authserv_id` trusts it.
const MX: &str = "mx.example.test";

/// A message as it left the receiving server: `auth` is its
/// `Authentication-Results` line (or none), `extra` more header lines.
fn message(from: &str, to: &str, subject: &str, auth: &str, extra: &str, body: &str) -> String {
    let auth = if auth.is_empty() {
        String::new()
    } else {
        format!("Authentication-Results: {auth}\n")
    };
    format!(
        "{auth}From: {from}\nTo: {to}\nSubject: {subject}\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n\
         Message-ID: <{}@example.test>\nMIME-Version: 1.0\n{extra}{body}",
        unique_email("id").replace('@', ".")
    )
}

fn html(body: &str) -> String {
    format!("Content-Type: text/html; charset=utf-8\n\n<html><body>{body}</body></html>\n")
}

async fn wait_for(app: &TestApp, total: u32) -> Vec<MessageRow> {
    let page = app.wait_for_inbox(total).await;
    page.rows
}

fn row<'a>(rows: &'a [MessageRow], subject: &str) -> &'a MessageRow {
    rows.iter()
        .find(|r| r.subject == subject)
        .unwrap_or_else(|| panic!("no {subject} in {rows:?}"))
}

async fn outline(app: &TestApp, row: &MessageRow) -> MessageOutline {
    app.outline(&row.uid.to_string()).await
}

/// The kinds of warning (a row's, or the message view's), sorted, once each.
fn kinds<'a>(list: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut kinds: Vec<String> = list.into_iter().cloned().collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

#[tokio::test]
async fn hostile_mail_is_flagged_where_the_reader_looks_and_ordinary_mail_is_not() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_MAIL__AUTHSERV_ID", MX)]).await;
    let (alice, alice_app) = app.user("threats").await;
    let (bob, _) = app.user("threats-sender").await;
    let bob_domain = "example.test";

    // A phisher's message, with the receiving server's verdict on it, and a
    // verdict of its own that no trusted server wrote.
    let phish = message(
        "\"PayPal Service\" <service@paypal.com>",
        &alice,
        "Your account is locked",
        &format!(
            "{MX}; spf=fail smtp.mailfrom=paypal.com; dkim=none; dmarc=fail header.from=paypal.com"
        ),
        "Authentication-Results: attacker.test; dmarc=pass header.from=paypal.com\n",
        &html(
            "<p>Confirm at <a href=\"https://evil.test/login\">https://www.paypal.com/signin</a> \
               or <a href=\"https://paypal.com@evil.test/x\">here</a>.</p>",
        ),
    );
    let ceo = message(
        "\"support@apple.com\" <x@evil.test>",
        &alice,
        "Urgent transfer",
        "",
        "Reply-To: pay@other.test\n",
        "Content-Type: text/plain\n\nPlease wire the money today.\n",
    );
    let internal = message(
        &format!("\"The CEO\" <ceo@{bob_domain}>"),
        &alice,
        "Gift cards",
        "",
        "",
        "Content-Type: text/plain\n\nBuy gift cards and send me the codes.\n",
    );
    let lookalike = message(
        "security@paypa1.com",
        &alice,
        "Security alert",
        "",
        "",
        "Content-Type: text/plain\n\nSign in at https://paypa1.com/login now.\n",
    );
    let attachment = message(
        &bob,
        &alice,
        "The invoice",
        &format!("{MX}; spf=pass smtp.mailfrom={bob_domain}; dkim=pass header.d={bob_domain}; dmarc=pass header.from={bob_domain}"),
        "",
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee attached.\n\
         --b\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\n\
         Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\nContent-Transfer-Encoding: base64\n\n\
         TVqQAAMAAAAEAAAA\n--b--\n",
    );
    let ordinary = message(
        &format!("\"Bob\" <{bob}>"),
        &alice,
        "Lunch on Friday",
        &format!("{MX}; spf=pass smtp.mailfrom={bob_domain}; dkim=pass header.d={bob_domain}; dmarc=pass header.from={bob_domain}"),
        "",
        &html("<p>The menu is at <a href=\"https://news.example.org/menu\">news.example.org</a>, \
               and <a href=\"https://tracker.example.net/r?u=1\">read more</a>.</p>"),
    );
    for raw in [&phish, &ceo, &internal, &lookalike, &attachment, &ordinary] {
        send_raw_as(&bob, &alice, raw).await;
    }
    let rows = wait_for(&alice_app, 6).await;

    // The list marks each hostile message from its header alone.
    let mark = |subject: &str| kinds(&row(&rows, subject).warnings);
    assert_eq!(mark("Your account is locked"), ["auth-fail"]);
    assert_eq!(
        mark("Urgent transfer"),
        ["display-name-spoof", "reply-to-differs"]
    );
    assert_eq!(mark("Gift cards"), ["auth-unverified"]);
    assert_eq!(mark("Security alert"), ["lookalike-domain"]);
    assert!(mark("Lunch on Friday").is_empty(), "ordinary mail: no mark");

    // The message view says what, and who vouches for the sender.
    let view = outline(&alice_app, row(&rows, "Your account is locked")).await;
    assert_eq!(
        view.sender.verdict, "fail",
        "the attacker's own header is not read"
    );
    assert_eq!(view.sender.domain.as_deref(), Some("paypal.com"));
    assert_eq!(
        kinds(view.warnings.iter().map(|w| &w.kind)),
        ["auth-fail", "link-mismatch"],
        "{view:?}"
    );
    let mismatch = view
        .warnings
        .iter()
        .find(|w| w.kind == "link-mismatch" && w.reason.as_deref() == Some("mismatch"))
        .expect("the mismatched link");
    assert_eq!(mismatch.claimed.as_deref(), Some("www.paypal.com"));
    assert_eq!(mismatch.actual.as_deref(), Some("evil.test"));

    let view = outline(&alice_app, row(&rows, "The invoice")).await;
    assert_eq!(
        kinds(view.warnings.iter().map(|w| &w.kind)),
        ["risky-attachment"]
    );
    assert_eq!(view.sender.verdict, "pass");
    assert!(view.attachments[0].risky);

    let view = outline(&alice_app, row(&rows, "Lunch on Friday")).await;
    assert!(view.warnings.is_empty(), "{view:?}");
    assert_eq!(view.sender.verdict, "pass");
    assert_eq!(view.sender.domain.as_deref(), Some(bob_domain));

    // In the frame, the lying links lead to the warning page; the honest
    // ones are left alone.
    let uid = row(&rows, "Your account is locked").uid.to_string();
    let frame = alice_app.frame(&uid).await;
    assert!(
        frame
            .contains("href=\"/link?to=https%3A%2F%2Fevil.test%2Flogin&amp;shown=www.paypal.com\""),
        "{frame}"
    );
    assert!(
        !frame.contains("href=\"https://evil.test/login\""),
        "{frame}"
    );
    assert!(
        frame.contains("/link?to=https%3A%2F%2Fpaypal.com%40evil.test%2Fx"),
        "{frame}"
    );
    let uid = row(&rows, "Security alert").uid.to_string();
    let frame = alice_app.frame(&uid).await;
    assert!(
        !frame.contains("href=\"https://paypa1.com"),
        "a plain text's lookalike is never a link straight there: {frame}"
    );
    let uid = row(&rows, "Lunch on Friday").uid.to_string();
    let frame = alice_app.frame(&uid).await;
    assert!(
        frame.contains("href=\"https://news.example.org/menu\""),
        "{frame}"
    );
    assert!(!frame.contains("/link?"), "{frame}");

    // The warning page decides again, whatever its address says.
    let check = |to: &'static str, shown: &'static str| {
        let alice_app = &alice_app;
        async move {
            alice_app
                .post("/api/check_link", &[("to", to), ("shown", shown)])
                .await
        }
    };
    let res = check("https://evil.test/login", "www.paypal.com").await;
    assert_eq!(res.status(), 200);
    let verdict: LinkCheck = res.json().await.expect("json");
    assert_eq!(verdict.host, "evil.test");
    assert_eq!(verdict.reason.as_deref(), Some("mismatch"));
    let verdict: LinkCheck = check("https://xn--pypal-4ve.com/", "")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(verdict.host, "pаypal.com", "shown decoded");
    assert_eq!(verdict.host_ascii.as_deref(), Some("xn--pypal-4ve.com"));
    assert!(verdict.reason.is_some(), "a lookalike: {verdict:?}");
    let verdict: LinkCheck = check("https://news.example.org/", "news.example.org")
        .await
        .json()
        .await
        .expect("json");
    assert!(verdict.reason.is_none(), "{verdict:?}");
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "not a url",
        "file:///etc/passwd",
    ] {
        let res = alice_app
            .post("/api/check_link", &[("to", bad), ("shown", "")])
            .await;
        assert_eq!(res.status(), 422, "{bad} is refused");
    }
    let stranger = app.new_browser();
    let res = stranger
        .post(
            "/api/check_link",
            &[("to", "https://evil.test/"), ("shown", "")],
        )
        .await;
    assert_eq!(
        res.status(),
        401,
        "the warning page is for signed-in readers"
    );
}
