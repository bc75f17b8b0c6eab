//! Whole messages through `from_raw` and `analyse`, as the message view
//! and `estafette inspect-eml` see them: every kind of warning raised
//! where it should be, and none on ordinary mail.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::io::Write;

use estafette_threats::{analyse, from_raw, Context, Kind, Report, Verdict};

fn ctx() -> Context {
    Context {
        authserv_ids: vec!["mx.example.org".into()],
        known_domains: vec!["partner-firm.fr".into()],
        ..Context::default()
    }
    .with_reader("alice@example.org")
}

fn report(raw: &str) -> Report {
    analyse(&from_raw(raw.as_bytes()).expect("a message"), &ctx())
}

fn kinds(r: &Report) -> Vec<Kind> {
    r.warnings.iter().map(|w| w.kind).collect()
}

fn html_message(headers: &str, html: &str) -> String {
    format!(
        "{headers}\r\nTo: alice@example.org\r\nSubject: Hello\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    )
}

fn with_attachments(from: &str, parts: &[(&str, &str, &[u8])]) -> String {
    use std::fmt::Write as _;
    let mut raw = format!(
        "From: {from}\r\nTo: alice@example.org\r\nSubject: Files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
    );
    for (name, ct, bytes) in parts {
        let _ = write!(
            raw,
            "--b\r\nContent-Type: {ct}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(bytes)
        );
    }
    raw.push_str("--b--\r\n");
    raw
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn ordinary_mail_raises_nothing() {
    let newsletter = html_message(
        "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bounce.shop-mail.test; \
         dkim=pass header.d=shop.example.com; dmarc=pass header.from=shop.example.com\r\n\
         From: Shop News <news@news.shop.example.com>\r\nReply-To: help@shop.example.com",
        "<p><a href=\"https://click.shop.example.com/r?u=1\">https://www.shop.example.com/sale</a>\
         <a href=\"https://tracker.mailer.test/r/abc\">Read more</a>\
         <a href=\"https://shop.example.com/\">http://shop.example.com</a>\
         <a href=\"https://tracker.mailer.test/u\">Unsubscribe</a></p>",
    );
    let colleague = "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass\r\n\
                     From: Bob <bob@example.org>\r\nSubject: Lunch\r\n\r\nAt noon? https://intranet.example.org/menu\r\n";
    let idn = html_message(
        "From: Stadt <info@münchen.de>",
        "<a href=\"https://xn--mnchen-3ya.de/\">münchen.de</a> \
         <a href=\"https://яндекс.рф/\">https://xn--d1acpjx3f.xn--p1ai/</a>",
    );
    let own_address = "From: \"carol@partner-firm.fr\" <carol@partner-firm.fr>\r\n\r\nHi\r\n";
    let same_domain_name =
        "From: \"Partner-Firm.fr Billing\" <billing@mail.partner-firm.fr>\r\n\r\nHi\r\n";
    let documents = with_attachments(
        "Bob <bob@example.org>",
        &[
            ("report.pdf", "application/pdf", b"%PDF-1.4"),
            ("photo.jpg", "image/jpeg", b"\xff\xd8"),
            (
                "scans.zip",
                "application/zip",
                &zip_of(&[("a.pdf", b"%PDF"), ("b.pdf", b"%PDF")]),
            ),
        ],
    );
    for (what, raw) in [
        ("newsletter", newsletter.as_str()),
        ("colleague", colleague),
        ("idn", idn.as_str()),
        ("own address as name", own_address),
        ("own domain as name", same_domain_name),
    ] {
        let r = report(raw);
        assert_eq!(kinds(&r), vec![], "{what}: {:?}", r.warnings);
    }
    // Bob's message carries no result: unverified, so the own-domain
    // warning is expected and nothing else.
    assert_eq!(kinds(&report(&documents)), vec![Kind::AuthUnverified]);
    let r = report(&newsletter);
    assert_eq!(r.authentication.verdict, Verdict::Pass);
    assert_eq!(r.authentication.summary, "Verified: sent by example.com");
}

#[test]
fn authentication_is_read_from_our_server_only() {
    let forged = "Authentication-Results: mx.evil.test; dmarc=pass header.from=paypal.com\r\n\
                  Authentication-Results: mx.example.org.evil.test; spf=pass smtp.mailfrom=paypal.com\r\n\
                  From: PayPal <service@paypal.com>\r\n\r\nPay now\r\n";
    let r = report(forged);
    assert_eq!(r.authentication.verdict, Verdict::None);
    assert_eq!(r.authentication.authserv_id, None);
    assert_eq!(r.authentication.summary, "Could not be verified");
    assert_eq!(kinds(&r), vec![]);

    let failed = format!(
        "Authentication-Results: mx.example.org (Postfix); spf=fail (not permitted) smtp.mailfrom=paypal.com;\r\n\
         \tdkim=none; dmarc=fail (p=reject) header.from=paypal.com\r\n{}",
        forged
    );
    let r = report(&failed);
    assert_eq!(r.authentication.verdict, Verdict::Fail);
    assert_eq!(r.authentication.dmarc.as_deref(), Some("fail"));
    assert_eq!(r.authentication.spf.as_deref(), Some("fail"));
    assert_eq!(
        r.authentication.authserv_id.as_deref(),
        Some("mx.example.org")
    );
    assert_eq!(
        r.authentication.summary,
        "Failed: this message claims to be from paypal.com but was not sent by it"
    );
    assert_eq!(kinds(&r), vec![Kind::AuthFail]);

    let softfail = "Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=bank.test; dkim=pass header.d=mailer.test\r\n\
                    From: <alerts@bank.test>\r\n\r\nx\r\n";
    assert_eq!(kinds(&report(softfail)), vec![Kind::AuthFail]);
}

#[test]
fn the_readers_own_domain_must_be_verified() {
    let spoof = "From: CEO <ceo@example.org>\r\nSubject: Urgent wire\r\n\r\nPlease pay\r\n";
    let r = report(spoof);
    assert_eq!(kinds(&r), vec![Kind::AuthUnverified]);
    assert_eq!(r.warnings[0].facts.claimed.as_deref(), Some("example.org"));
    let sub = "Authentication-Results: mx.example.org; spf=neutral\r\nFrom: <it@helpdesk.example.org>\r\n\r\nx\r\n";
    assert_eq!(kinds(&report(sub)), vec![Kind::AuthUnverified]);
    let failed = "Authentication-Results: mx.example.org; dmarc=fail\r\nFrom: <ceo@example.org>\r\n\r\nx\r\n";
    assert_eq!(
        kinds(&report(failed)),
        vec![Kind::AuthFail, Kind::AuthUnverified]
    );
    let org = Context {
        reader_domains: vec!["example.org".into(), "example-group.com".into()],
        ..Context::default()
    };
    let raw = "From: <boss@example-group.com>\r\n\r\nx\r\n";
    let r = analyse(&from_raw(raw.as_bytes()).expect("message"), &org);
    assert!(r.has(Kind::AuthUnverified));
}

#[test]
fn display_names_that_name_someone_else() {
    let r = report("From: \"support@apple.com\" <x@evil.test>\r\n\r\nx\r\n");
    assert_eq!(kinds(&r), vec![Kind::DisplayNameSpoof]);
    let f = &r.warnings[0].facts;
    assert_eq!(f.claimed.as_deref(), Some("support@apple.com"));
    assert_eq!(f.actual.as_deref(), Some("x@evil.test"));
    assert_eq!(f.reason, Some("address"));
    let r =
        report("From: =?UTF-8?Q?PayPal.com_S=C3=A9curit=C3=A9?= <noreply@evil.test>\r\n\r\nx\r\n");
    assert_eq!(kinds(&r), vec![Kind::DisplayNameSpoof]);
    assert_eq!(r.warnings[0].facts.reason, Some("domain"));
    let r = report("From: Alice Martin <alice@partner-firm.fr>\r\n\r\nx\r\n");
    assert_eq!(kinds(&r), vec![]);
}

#[test]
fn links_that_lie() {
    let raw = html_message(
        "From: Bank <news@bank.test>",
        "<a href=\"https://evil.test/login\">https://www.mybank.com/login</a>\
         <a href=\"http://192.0.2.9/\">mybank.com</a>\
         <a href=\"https://mybank.com@evil.test/\">Sign in</a>",
    );
    let r = report(&raw);
    assert_eq!(kinds(&r), vec![Kind::LinkMismatch; 3]);
    let reasons: Vec<_> = r.warnings.iter().map(|w| w.facts.reason).collect();
    assert_eq!(
        reasons,
        vec![Some("mismatch"), Some("ip-address"), Some("userinfo")]
    );
    assert_eq!(
        r.warnings[0].facts.claimed.as_deref(),
        Some("www.mybank.com")
    );
    assert_eq!(r.warnings[0].facts.actual.as_deref(), Some("evil.test"));
    assert_eq!(
        r.warnings[0].detail,
        "A link shows www.mybank.com but leads to evil.test"
    );
}

#[test]
fn lookalike_senders_and_links() {
    for (from, imitates) in [
        ("service@paypa1.com", "paypal.com"),
        ("it@exarnple.org", "example.org"),
        ("billing@partner-flrm.fr", "partner-firm.fr"),
        ("id@xn--pple-43d.com", "apple.com"),
    ] {
        let r = report(&format!("From: <{from}>\r\n\r\nx\r\n"));
        assert_eq!(kinds(&r), vec![Kind::LookalikeDomain], "{from}");
        assert_eq!(r.warnings[0].facts.imitates.as_deref(), Some(imitates));
        assert_eq!(r.warnings[0].facts.place, Some("sender"));
    }
    let r = report("From: <id@xn--pple-43d.com>\r\n\r\nx\r\n");
    let f = &r.warnings[0].facts;
    assert_eq!(f.domain.as_deref(), Some("\u{430}pple.com"));
    assert_eq!(f.ascii.as_deref(), Some("xn--pple-43d.com"));
    assert!(
        r.warnings[0].detail.contains("mixes alphabets"),
        "{}",
        r.warnings[0].detail
    );
    let link = html_message(
        "From: <news@shop.test>",
        "<a href=\"https://rnicrosoft.com/reset\">Reset your password</a>",
    );
    let r = report(&link);
    assert_eq!(kinds(&r), vec![Kind::LookalikeDomain]);
    assert_eq!(r.warnings[0].facts.place, Some("link"));
    let text = "From: <news@shop.test>\r\n\r\nGo to https://g00gle.com/login now\r\n";
    assert_eq!(kinds(&report(text)), vec![Kind::LookalikeDomain]);
}

#[test]
fn replies_to_another_domain() {
    let r =
        report("From: <ceo@bigcorp.test>\r\nReply-To: <ceo.private@freemail.test>\r\n\r\nx\r\n");
    assert_eq!(kinds(&r), vec![Kind::ReplyToDiffers]);
    assert_eq!(
        r.warnings[0].facts.actual.as_deref(),
        Some("ceo.private@freemail.test")
    );
    for fine in [
        "From: <a@bigcorp.test>\r\nReply-To: <support@help.bigcorp.test>\r\n\r\nx\r\n",
        "From: <list@lists.partner-firm.fr>\r\nReply-To: <team@example.org>\r\n\r\nx\r\n",
        // A mailing list answers to itself.
        "From: Ann <ann@freemail.test>\r\nReply-To: Dev <dev@lists.project.test>\r\n\
         List-Post: <mailto:Dev@lists.project.test>\r\n\r\nx\r\n",
    ] {
        let r = report(fine);
        assert_eq!(kinds(&r), vec![], "{fine}: {:?}", r.warnings);
    }
}

#[test]
fn risky_attachments_and_what_archives_hold() {
    let exe = zip_of(&[("invoice.pdf", b"%PDF"), ("invoice.pdf.exe", b"MZ")]);
    let inner = zip_of(&[("macro.docm", b"x")]);
    let nested = zip_of(&[("more.zip", &inner)]);
    let raw = with_attachments(
        "<x@partner-firm.fr>",
        &[
            ("setup.exe", "application/octet-stream", b"MZ"),
            ("scan.html", "text/html", b"<form>"),
            ("invoice\u{202e}fdp.exe", "application/octet-stream", b"MZ"),
            ("bundle.zip", "application/zip", &exe),
            ("nested.zip", "application/zip", &nested),
            ("broken.zip", "application/zip", b"PK\x03\x04junk"),
            ("fine.pdf", "application/pdf", b"%PDF"),
        ],
    );
    let r = report(&raw);
    let found: Vec<_> = r
        .warnings
        .iter()
        .map(|w| (w.kind, w.facts.reason.unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        vec![
            (Kind::RiskyAttachment, "executable"),
            (Kind::RiskyAttachment, "html"),
            (Kind::RiskyAttachment, "bidi-control"),
            (Kind::RiskyAttachment, "archive-content"),
            (Kind::RiskyAttachment, "archive-content"),
            (Kind::RiskyAttachment, "unreadable-archive"),
        ]
    );
    assert_eq!(
        r.warnings[4].facts.entry.as_deref(),
        Some("more.zip/macro.docm")
    );
    assert!(!r.warnings[2].detail.contains('\u{202e}'));
}

#[test]
fn the_json_has_the_documented_shape() {
    let r = report("Authentication-Results: mx.example.org; dmarc=fail\r\nFrom: \"a@paypal.com\" <x@evil.test>\r\n\r\nx\r\n");
    let json = serde_json::to_value(&r).expect("json");
    let auth = &json["authentication"];
    for key in ["verdict", "spf", "dkim", "dmarc", "authserv_id"] {
        assert!(auth.get(key).is_some(), "{key} missing from {auth}");
    }
    assert_eq!(auth["verdict"], "fail");
    assert!(auth["spf"].is_null());
    let kinds: Vec<_> = json["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap_or_default(),
                w["detail"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("auth-fail", true), ("display-name-spoof", true)]
    );
}

#[test]
fn hostile_messages_stay_bounded() {
    // A megabyte of headers, most of them forged results.
    let mut raw = String::from("From: <a@shop.test>\r\n");
    while raw.len() < 1 << 20 {
        raw.push_str("Authentication-Results: mx.evil.test; dmarc=pass (a comment (nested)) reason=\"x\"\r\n");
    }
    raw.push_str(&format!("Subject: {}\r\n\r\nbody\r\n", "s".repeat(1 << 20)));
    let r = report(&raw);
    assert_eq!(r.authentication.verdict, Verdict::None);

    // Ten thousand deceptive links: warnings capped per kind and in all.
    let links: String = (0..10_000)
        .map(|i| format!("<a href=\"https://evil{i}.test/\">https://bank{i}.com/</a>"))
        .collect();
    let r = report(&html_message("From: <a@shop.test>", &links));
    assert_eq!(r.warnings.len(), 10, "one kind, capped");
    assert!(r.warnings.iter().all(|w| w.kind == Kind::LinkMismatch));

    // Many attachments and a crowd of archive entries.
    let names: Vec<String> = (0..20_000).map(|i| format!("{i}.txt")).collect();
    let crowd = zip_of(
        &names
            .iter()
            .map(|n| (n.as_str(), &b""[..]))
            .collect::<Vec<_>>(),
    );
    let parts: Vec<(String, &str, &[u8])> = (0..300)
        .map(|i| (format!("f{i}.exe"), "application/octet-stream", &b"MZ"[..]))
        .chain([("crowd.zip".to_owned(), "application/zip", crowd.as_slice())])
        .collect();
    let refs: Vec<(&str, &str, &[u8])> =
        parts.iter().map(|(n, c, b)| (n.as_str(), *c, *b)).collect();
    let r = report(&with_attachments("<a@shop.test>", &refs));
    assert!(r.warnings.len() <= estafette_threats::MAX_WARNINGS);
}

#[test]
fn every_corpus_message_is_analysed_without_a_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/mime/mail-parser");
    let mut count = 0;
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("the corpus {} cannot be read: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "eml") {
                let raw = std::fs::read(&path).expect("read");
                if let Some(input) = from_raw(&raw) {
                    let r = analyse(&input, &ctx());
                    serde_json::to_string(&r).expect("serialised");
                }
                count += 1;
            }
        }
    }
    assert!(count > 50, "only {count} messages in {}", root.display());
}

#[test]
fn dkim_is_checked_locally_with_dns_answers_given_in_advance() {
    use estafette_threats::dkim::Verifier;
    use mail_auth::common::crypto::Ed25519Key;
    use mail_auth::common::headers::HeaderWriter;
    use mail_auth::dkim::DkimSigner;

    let pkcs8 = Ed25519Key::generate_pkcs8().expect("key");
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).expect("key");
    let public = base64(&key.public_key());
    let message = "From: Billing <billing@shop.example>\r\nTo: alice@example.org\r\n\
                   Subject: Invoice\r\n\r\nYour invoice is attached.\r\n";
    let signature = DkimSigner::from_key(key)
        .domain("shop.example")
        .selector("s1")
        .headers(["From", "To", "Subject"])
        .sign(message.as_bytes())
        .expect("signed");
    let signed = format!("{}{message}", signature.to_header());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let verifier = Verifier::offline().expect("verifier");
        verifier
            .preload(
                "s1._domainkey.shop.example",
                &format!("v=DKIM1; k=ed25519; p={public}"),
            )
            .expect("key record");
        verifier
            .preload("_dmarc.shop.example", "v=DMARC1; p=reject")
            .expect("dmarc record");
        assert!(verifier.preload("shop.example", "v=spf1 -all").is_err());

        let ctx = Context {
            verify_dkim: true,
            ..ctx()
        };
        let mut input = from_raw(signed.as_bytes()).expect("message");
        assert!(estafette_threats::needs_verification(&input.headers, &ctx));
        let auth = verifier.verify(signed.as_bytes()).await;
        assert_eq!(auth.verdict, Verdict::Pass, "{auth:?}");
        assert_eq!(auth.dkim.as_deref(), Some("pass"));
        assert_eq!(auth.dmarc.as_deref(), Some("pass"));
        assert_eq!(auth.authserv_id, None);
        assert_eq!(auth.summary, "Verified: sent by shop.example");
        input.verified = Some(auth.clone());
        assert_eq!(analyse(&input, &ctx).authentication, auth);
        // The second time comes from the cache (same bytes, same answer).
        assert_eq!(verifier.verify(signed.as_bytes()).await, auth);

        // A changed body breaks the signature: unverified, never "failed"
        // (SPF, which Estafette cannot check, might have passed).
        let tampered = signed.replace("attached", "at evil.test");
        let auth = verifier.verify(tampered.as_bytes()).await;
        assert_eq!(auth.verdict, Verdict::None, "{auth:?}");
        // A key nobody gave: no network is asked, the check ends unverified.
        let other = signed.replace("s=s1", "s=s2");
        assert_eq!(
            verifier.verify(other.as_bytes()).await.verdict,
            Verdict::None
        );
        // A trusted header present: no local check needed.
        let with_header = format!("Authentication-Results: mx.example.org; dmarc=pass\r\n{signed}");
        assert!(!estafette_threats::needs_verification(
            with_header.as_bytes(),
            &ctx
        ));
    });
}
