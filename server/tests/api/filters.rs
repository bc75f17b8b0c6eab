//! Filters and the automatic reply, run by the real Dovecot/Pigeonhole on
//! mail that Postfix delivers: rules made through the API, vacation, scripts
//! with errors, scripts of other clients, and the forwarding policy.

use app::api::filters::{FiltersView, LikeView};
use app::api::mail::MessagePage;
use serde_json::{json, Value};

use crate::helpers::{eventually, send_raw_as, sieve_as, spawn, unique_email, Db, TestApp};

async fn post_json(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("Origin", &app.base)
        .json(&body)
        .send()
        .await
        .expect("POST")
}

async fn filters(app: &TestApp) -> FiltersView {
    let res = app.post("/api/filters", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

/// The total of `folder`, once it is `total` (polled, with a deadline).
async fn wait_total(app: &TestApp, folder: &str, total: u32) -> MessagePage {
    eventually(20, &format!("{folder} holds {total}"), || async {
        Some(app.list(&[("folder", folder)]).await).filter(|page| page.total == total)
    })
    .await
}

fn message(from: &str, to: &str, subject: &str, extra: &str) -> String {
    format!(
        "From: {from}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{}@example.test>\n{extra}\nHello.\n",
        unique_email("id").replace('@', ".")
    )
}

fn moving(name: &str, subject: &str, folder: &str) -> Value {
    json!({
        "name": name, "enabled": true, "match_all": true,
        "conditions": [{"field": "subject", "op": "contains", "value": subject}],
        "actions": [{"kind": "move", "value": folder}, {"kind": "mark_read"}],
    })
}

#[tokio::test]
async fn a_rule_files_matching_mail_and_leaves_the_rest_in_the_inbox() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("rules").await;
    let (bob, _) = app.user("rules-sender").await;
    let created = alice_app
        .post("/api/folder_create", &[("name", "Lists")])
        .await;
    assert_eq!(created.status(), 200);
    let saved = post_json(
        &alice_app,
        "/api/save_rules",
        json!({ "rules": [moving("Weekly\r\n}\r\ndiscard;\r\n#", "[weekly]", "Lists")] }),
    )
    .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    let read = filters(&alice_app).await;
    assert!(read.editable);
    assert_eq!(read.rules[0].actions[0].value, "Lists");

    send_raw_as(&bob, &alice, &message(&bob, &alice, "[weekly] News", "")).await;
    send_raw_as(&bob, &alice, &message(&bob, &alice, "Lunch?", "")).await;
    let lists = wait_total(&alice_app, "Lists", 1).await;
    assert_eq!(lists.rows[0].subject, "[weekly] News");
    assert!(!lists.rows[0].unread, "marked read as it was filed");
    let inbox = wait_total(&alice_app, "INBOX", 1).await;
    assert_eq!(inbox.rows[0].subject, "Lunch?", "the rest stays in INBOX");

    // The rule's name stayed in its comment: nothing was discarded, and the
    // script on the server is Estafette's own, readable.
    let mut ms = sieve_as(&alice).await;
    let script = ms.get("estafette").await.expect("get").expect("a script");
    assert!(
        script.contains("# Rule 1: Weekly  }  discard;  #\n"),
        "{script}"
    );
    assert!(script.contains("fileinto \"Lists\";"), "{script}");
    ms.logout().await;
}

#[tokio::test]
async fn a_rule_can_be_applied_to_the_messages_already_there() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("apply").await;
    let (bob, _) = app.user("apply-sender").await;
    for subject in ["[team] One", "[team] Two", "Other"] {
        send_raw_as(&bob, &alice, &message(&bob, &alice, subject, "")).await;
    }
    wait_total(&alice_app, "INBOX", 3).await;
    assert_eq!(
        alice_app
            .post("/api/folder_create", &[("name", "Team")])
            .await
            .status(),
        200
    );
    let like = alice_app
        .post("/api/like_this", &[("folder", "INBOX"), ("uid", "1")])
        .await;
    assert_eq!(like.status(), 200);
    let like: LikeView = like.json().await.expect("json");
    assert_eq!(like.from, bob);
    let rule = json!({
        "name": "Team", "enabled": true, "match_all": true,
        "conditions": [
            {"field": "from", "op": "is", "value": bob.to_uppercase()},
            {"field": "subject", "op": "matches", "value": "[team]*"},
        ],
        "actions": [{"kind": "move", "value": "Team"}, {"kind": "flag"}],
    });
    let res = post_json(
        &alice_app,
        "/api/add_rule",
        json!({"rule": rule, "apply_in": "INBOX"}),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.json::<usize>().await.expect("count"), 2);
    let team = wait_total(&alice_app, "Team", 2).await;
    assert!(team.rows[0].flagged);
    wait_total(&alice_app, "INBOX", 1).await;
    assert_eq!(filters(&alice_app).await.rules[0].name, "Team");
}

#[tokio::test]
async fn vacation_answers_once_per_sender_and_never_lists_or_bulk() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("away").await;
    let (bob, bob_app) = app.user("away-bob").await;
    let (carol, carol_app) = app.user("away-list").await;
    let (dave, dave_app) = app.user("away-bulk").await;
    let (erin, erin_app) = app.user("away-erin").await;
    let vacation = json!({
        "enabled": true, "start": "", "end": "", "days": 3,
        "subject": "Absent \"until Monday\"", "message": "I am away.\nBack on Monday.",
    });
    let res = post_json(
        &alice_app,
        "/api/save_vacation",
        json!({"vacation": vacation, "browser_zone": "Europe/Paris"}),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let banner = alice_app.post("/api/vacation_banner", &[]).await;
    assert_eq!(
        banner.json::<Option<String>>().await.expect("json"),
        Some(String::new())
    );

    send_raw_as(&bob, &alice, &message(&bob, &alice, "First", "")).await;
    let reply = wait_total(&bob_app, "INBOX", 1).await;
    assert_eq!(reply.rows[0].subject, "Absent \"until Monday\"");
    send_raw_as(&bob, &alice, &message(&bob, &alice, "Second", "")).await;
    send_raw_as(
        &carol,
        &alice,
        &message(
            &carol,
            &alice,
            "Digest",
            "List-Id: Team <team.example.test>",
        ),
    )
    .await;
    send_raw_as(
        &dave,
        &alice,
        &message(&dave, &alice, "Offer", "Precedence: bulk"),
    )
    .await;
    wait_total(&alice_app, "INBOX", 4).await;
    // Erin's reply comes after any reply the three messages before could get.
    send_raw_as(&erin, &alice, &message(&erin, &alice, "Hi", "")).await;
    wait_total(&erin_app, "INBOX", 1).await;
    assert_eq!(
        bob_app.inbox().await.total,
        1,
        "one reply per sender in the interval"
    );
    assert_eq!(carol_app.inbox().await.total, 0, "never to a list");
    assert_eq!(dave_app.inbox().await.total, 0, "never to bulk mail");

    // Turned off, in one click: no banner, and the text is kept.
    assert_eq!(alice_app.post("/api/vacation_off", &[]).await.status(), 200);
    let banner = alice_app.post("/api/vacation_banner", &[]).await;
    assert_eq!(banner.json::<Option<String>>().await.expect("json"), None);
    let read = filters(&alice_app).await;
    assert!(!read.vacation.enabled);
    assert_eq!(read.vacation.message, "I am away.\nBack on Monday.");
}

#[tokio::test]
async fn a_script_with_an_error_is_refused_with_its_line() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("script").await;
    let text = "require \"fileinto\";\n\nfrobnicate \"x\";\n";
    let res = alice_app
        .post("/api/save_script", &[("name", "mine"), ("text", text)])
        .await;
    assert_eq!(res.status(), 422);
    let error = res.text().await.expect("body");
    assert!(error.contains("line 3"), "{error}");
    assert!(
        error.contains("frobnicate"),
        "the server's own words: {error}"
    );
    let mut ms = sieve_as(&alice).await;
    assert!(ms.list().await.expect("list").is_empty(), "nothing stored");
    ms.logout().await;
}

#[tokio::test]
async fn another_clients_script_survives_and_keeps_running() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("other").await;
    let (bob, _) = app.user("other-sender").await;
    assert_eq!(
        alice_app
            .post("/api/folder_create", &[("name", "Other")])
            .await
            .status(),
        200
    );
    let theirs = "require [\"fileinto\"];\n# written by another client\nif header :contains \"subject\" \"[other]\" {\n  fileinto \"Other\";\n}\n";
    let mut ms = sieve_as(&alice).await;
    ms.put("roundcube", theirs).await.expect("put");
    ms.set_active(Some("roundcube")).await.expect("activate");

    let read = filters(&alice_app).await;
    let other = read.other.as_ref();
    assert_eq!(other.map(|o| o.name.as_str()), Some("roundcube"));
    assert_eq!(other.map(|o| o.text.as_str()), Some(theirs));
    assert!(read.editable);
    let vacation = json!({"enabled": true, "start": "", "end": "2099-12-31", "days": 1,
        "subject": "Away", "message": "Away."});
    let res = post_json(
        &alice_app,
        "/api/save_vacation",
        json!({"vacation": vacation, "browser_zone": ""}),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);

    let list = ms.list().await.expect("list");
    assert!(
        list.iter().any(|s| s.name == "estafette" && s.active),
        "{list:?}"
    );
    assert_eq!(
        ms.get("roundcube").await.expect("get").as_deref(),
        Some(theirs),
        "kept as written"
    );
    // It still runs, after Estafette's.
    send_raw_as(&bob, &alice, &message(&bob, &alice, "[other] Kept", "")).await;
    wait_total(&alice_app, "Other", 1).await;
    let read = filters(&alice_app).await;
    let other = read.other.as_ref();
    assert_eq!(other.map(|o| o.name.as_str()), Some("roundcube"));
    assert_eq!(other.map(|o| o.runs), Some(true));
    assert_eq!(read.vacation.end, "2099-12-31");

    // Estafette's own script, changed elsewhere, is shown as text and not overwritten.
    let ours = ms.get("estafette").await.expect("get").expect("ours");
    let changed = format!("{ours}# a line added elsewhere\n");
    ms.put("estafette", &changed).await.expect("put");
    let read = filters(&alice_app).await;
    assert!(!read.editable);
    assert_eq!(
        read.other.as_ref().map(|o| o.text.as_str()),
        Some(changed.as_str())
    );
    let res = post_json(
        &alice_app,
        "/api/save_rules",
        json!({"rules": [moving("x", "y", "Other")]}),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        ms.get("estafette").await.expect("get").as_deref(),
        Some(changed.as_str())
    );
    // Starting over keeps it, running, beside a new script of Estafette's.
    let kept: String = alice_app
        .post("/api/filters_start_over", &[])
        .await
        .json()
        .await
        .expect("name");
    assert_eq!(
        ms.get(&kept).await.expect("get").as_deref(),
        Some(changed.as_str())
    );
    let read = filters(&alice_app).await;
    assert!(read.editable);
    assert_eq!(
        read.other.as_ref().map(|o| o.name.as_str()),
        Some(kept.as_str())
    );
    ms.logout().await;
}

#[tokio::test]
async fn forwarding_outside_is_refused_unless_the_admin_allows_it_and_audited() {
    let app = spawn(Db::Shared).await;
    let (alice, alice_app) = app.user("forward").await;
    let (bob, _) = app.user("forward-to").await;
    let forward = |to: &str| {
        json!({"rules": [{"name": "Copy", "enabled": true, "match_all": true, "conditions": [],
            "actions": [{"kind": "forward", "value": to}]}]})
    };
    let res = post_json(
        &alice_app,
        "/api/save_rules",
        forward("thief@elsewhere.example"),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("does not allow forwarding outside"));
    let script = "require \"copy\";\nredirect :copy \"thief@elsewhere.example\";\n";
    let res = alice_app
        .post("/api/save_script", &[("name", "mine"), ("text", script)])
        .await;
    assert_eq!(res.status(), 422, "the advanced editor too");

    let res = post_json(&alice_app, "/api/save_rules", forward(&bob)).await;
    assert_eq!(res.status(), 200, "inside the organisation");
    let audit = app.audit_of(&alice).await;
    let entry = audit
        .iter()
        .find(|e| e.action == "filter_forward")
        .expect("audited");
    assert!(
        entry.detail.as_deref().unwrap_or_default().contains(&bob),
        "{entry:?}"
    );

    let admin = estafette_core::accounts::Actor::command_line();
    app.services
        .set_forwarding_outside(admin, true)
        .await
        .expect("policy");
    let res = post_json(
        &alice_app,
        "/api/save_rules",
        forward("friend@elsewhere.example"),
    )
    .await;
    assert_eq!(res.status(), 200, "allowed by the admin");
    let audit = app.audit_of(&alice).await;
    assert!(audit.iter().any(|e| e
        .detail
        .as_deref()
        .unwrap_or_default()
        .contains("friend@elsewhere.example")));
    app.services
        .set_forwarding_outside(admin, false)
        .await
        .expect("policy");
}
