//! Estafette's ManageSieve client against the dev Dovecot/Pigeonhole: every
//! command, literals both ways, and names and scripts that try to inject.

use estafette_store::Role;
use serde_json::json;

use crate::helpers::{sieve_as, spawn, unique_email, Db, PASSWORD};

#[tokio::test]
async fn the_client_speaks_managesieve_with_the_real_server() {
    let app = spawn(Db::Shared).await;
    let alice = unique_email("managesieve");
    app.create_account(&alice, Role::User).await;
    let mut ms = sieve_as(&alice).await;
    let extensions = ms.capabilities().extensions.clone();
    for needed in [
        "fileinto",
        "vacation",
        "date",
        "relational",
        "imap4flags",
        "copy",
        "body",
        "variables",
        "include",
    ] {
        assert!(
            extensions.iter().any(|e| e == needed),
            "{needed} in {extensions:?}"
        );
    }
    assert!(ms
        .refresh_capabilities()
        .await
        .expect("CAPABILITY")
        .implementation
        .contains("Pigeonhole"));

    // A script that looks like commands is one literal; it comes back as a
    // literal, byte for byte.
    let script = "# \"quotes\" and \\ backslashes\r\nkeep;\r\n# DELETESCRIPT \"x\"\r\n";
    let name = "with \"quotes\" and \\";
    ms.check(script).await.expect("CHECKSCRIPT");
    ms.put(name, script).await.expect("PUTSCRIPT");
    assert_eq!(
        ms.get(name).await.expect("GETSCRIPT").as_deref(),
        Some(script)
    );
    ms.set_active(Some(name)).await.expect("SETACTIVE");
    let list = ms.list().await.expect("LISTSCRIPTS");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, name);
    assert!(list[0].active);

    // A name with a line break is refused before anything is sent, and the
    // connection goes on.
    for hostile in ["x\r\nDELETESCRIPT \"with\"", "x\nLOGOUT", "x\0"] {
        assert!(ms.put(hostile, "keep;").await.is_err(), "{hostile:?}");
    }
    assert_eq!(ms.list().await.expect("still talking").len(), 1);

    // The server's errors, verbatim, with their line.
    let error = ms
        .check("keep;\nfrobnicate;\n")
        .await
        .err()
        .map(|e| e.to_string());
    let error = error.unwrap_or_default();
    assert!(
        error.contains("line 2") && error.contains("frobnicate"),
        "{error}"
    );
    assert_eq!(ms.get("missing").await.expect("GETSCRIPT"), None);
    assert!(
        ms.delete(name).await.is_err(),
        "an active script cannot be deleted"
    );
    ms.set_active(None).await.expect("SETACTIVE \"\"");
    ms.delete(name).await.expect("DELETESCRIPT");
    assert!(ms.list().await.expect("LISTSCRIPTS").is_empty());
    ms.logout().await;

    let wrong = estafette_mail::managesieve::login(
        &estafette_mail::MailServer {
            host: "127.0.0.1".into(),
            port: crate::helpers::mail_env().sieve_port,
            security: estafette_mail::Security::Plain,
        },
        &alice,
        &secrecy::SecretString::from(format!("{PASSWORD}!")),
    )
    .await;
    assert!(matches!(wrong, Err(estafette_mail::MailError::Rejected)));
}

#[tokio::test]
async fn a_hostile_folder_name_stays_a_folder_name() {
    let app = spawn(Db::Shared).await;
    let alice = app.signed_in("hostile-folder").await;
    let rule = json!({"rules": [{"name": "x", "enabled": true, "match_all": true, "conditions": [],
        "actions": [{"kind": "move", "value": "INBOX\"; discard; \""}]}]});
    let res = app
        .client
        .post(app.url("/api/save_rules"))
        .header("Origin", &app.base)
        .json(&rule)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let mut ms = sieve_as(&alice).await;
    let script = ms.get("estafette").await.expect("get").expect("script");
    assert!(
        script.contains("    fileinto \"INBOX\\\"; discard; \\\"\";\n"),
        "{script}"
    );
    assert!(!script.contains("\n    discard;"), "{script}");
    let line_break = json!({"rules": [{"name": "x", "enabled": true, "match_all": true, "conditions": [],
        "actions": [{"kind": "move", "value": "INBOX\r\ndiscard;"}]}]});
    let res = app
        .client
        .post(app.url("/api/save_rules"))
        .header("Origin", &app.base)
        .json(&line_break)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 422);
    ms.logout().await;
}
