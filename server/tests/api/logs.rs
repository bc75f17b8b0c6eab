//! The log an admin reads: a real `estafette serve` of the test's own
//! writes JSON; each answer's line names its request, route, status,
//! latency and account (by id), and nothing in the whole log is a
//! password, a cookie, a code, a TOTP key, a message's words or, with
//! `log.redact_addresses` (the default), an address in clear.

use app::api::mail::MessagePage;
use app::api::security::EnrolmentView;
use estafette_store::{Role, Store};
use serde_json::Value;

use crate::helpers::{eventually, spawn, unique_email, Db, PASSWORD};
use crate::process::Served;

#[tokio::test]
async fn the_json_log_names_each_request_and_holds_no_secret_and_no_address() {
    let setup = spawn(Db::Shared).await;
    // The account is the mail server's (Dovecot reads the shared database);
    // the instance below has a database of its own where, with passwords
    // checked by IMAP, it is made on first sign-in: a line that names it.
    let email = unique_email("logged");
    setup.create_account(&email, Role::User).await;
    let (local, domain) = email.split_once('@').expect("address");
    let dir = tempfile::tempdir().expect("dir");
    let own_db = format!("sqlite://{}", dir.path().join("own.db").display());
    let log = dir.path().join("estafette.log");
    let mut served = Served::start(
        dir.path(),
        &[
            ("ESTAFETTE_SERVER__LOG_FORMAT", "json".into()),
            ("ESTAFETTE_DATABASE__URL", own_db.clone()),
            ("ESTAFETTE_AUTH__PASSWORD_SOURCE", "imap".into()),
            ("ESTAFETTE_AUTH__PROVISION_DOMAINS", domain.into()),
        ],
        Some(&log),
    )
    .await;
    let store = Store::connect(&own_db, 1).await.expect("own database");
    store
        .set_setting("provision_unknown_imap_users", "true")
        .await
        .expect("allow provisioning");

    let refused = served
        .post(
            "/api/sign_in",
            &[("email", &email), ("password", "not the password at all")],
        )
        .await;
    assert_eq!(refused.status(), 401);
    let signed_in = served
        .post("/api/sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("estafette="))
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.to_owned())
        .expect("a session cookie");
    let account = store
        .account_by_email(&email)
        .await
        .expect("query")
        .expect("provisioned");

    // Two-factor sign-in turned on: its key and codes pass through.
    let started = served
        .post("/api/start_enrolment", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status(), 200);
    let key = started.json::<EnrolmentView>().await.expect("json").key;
    let secret = estafette_auth::TotpSecret::from_base32(&key).expect("key");
    let code = secret.code_at(estafette_store::now() as u64);
    let confirmed = served
        .post("/api/confirm_enrolment", &[("code", &code)])
        .await;
    assert_eq!(confirmed.status(), 200);
    let recovery: Vec<String> = confirmed.json().await.expect("recovery codes");

    // A message to oneself, read back.
    let words = format!("words-of-the-message-{}", rand_suffix());
    let subject = format!("subject-line-{}", rand_suffix());
    let set = served
        .post("/api/set_undo_delay", &[("seconds", "0")])
        .await;
    assert_eq!(set.status(), 200);
    let sent = served
        .post(
            "/api/send",
            &[
                ("message[to]", &email),
                ("message[subject]", &subject),
                ("message[text]", &words),
                ("message[send_key]", &format!("logs-{}", rand_suffix())),
            ],
        )
        .await;
    assert_eq!(
        sent.status(),
        200,
        "{}",
        sent.text().await.unwrap_or_default()
    );
    let uid = eventually(30, "the message arrives", || async {
        let page: MessagePage = served
            .post("/api/messages", &[("folder", "INBOX"), ("page", "0")])
            .await
            .json()
            .await
            .ok()?;
        page.rows.first().map(|r| r.uid)
    })
    .await;
    let frame = served
        .get(&format!("/frame?folder=INBOX&uid={uid}"))
        .await
        .text()
        .await
        .expect("frame");
    assert!(frame.contains(&words), "the message was read");
    served.stop();

    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let answers: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "finished processing request")
        .collect();
    assert!(answers.len() >= 8, "one line per answer: {}", answers.len());
    for line in &answers {
        let span = &line["span"];
        assert!(
            span["id"].as_str().is_some_and(|id| id.len() >= 32),
            "{line}"
        );
        assert!(span["route"].as_str().is_some(), "{line}");
        assert!(line["fields"]["status"].as_u64().is_some(), "{line}");
        assert!(line["fields"]["latency"].as_str().is_some(), "{line}");
    }
    let of_account = |route: &str| {
        answers.iter().any(|l| {
            l["span"]["route"] == route && l["span"]["account"].as_i64() == Some(account.id)
        })
    };
    assert!(
        of_account("/api/messages"),
        "the account is named by its id"
    );
    assert!(of_account("/frame"));
    // The line that would name the address names its hash.
    let provisioned = lines
        .iter()
        .find(|l| l["fields"]["message"] == "provisioned an account on first sign-in")
        .expect("the provisioning line");
    let hidden = provisioned["fields"]["email"]
        .as_str()
        .expect("email field");
    assert!(
        hidden.starts_with('#') && hidden.ends_with(&format!("@{domain}")),
        "{hidden}"
    );

    for (what, secret) in [
        ("the address", local.to_owned()),
        ("the password", PASSWORD.to_owned()),
        ("the wrong password", "not the password at all".to_owned()),
        ("the session cookie", cookie),
        ("the TOTP key", key),
        ("the message's words", words),
        ("the subject", subject),
        ("a recovery code", recovery[0].clone()),
    ] {
        assert!(!text.contains(&secret), "{what} is in the log");
    }
    assert!(
        !text.contains(&format!("\"{code}\"")) && !text.contains(&format!("={code}")),
        "the code is in the log"
    );
}

/// A text no other line of the log could hold by chance.
fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:x}{}", std::process::id())
}
