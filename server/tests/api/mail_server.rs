//! The development mail server reads Estafette's accounts: an account that
//! Estafette writes can log into Dovecot, and Postfix delivers into Dovecot.

use std::time::Duration;

use estafette_core::accounts::Actor;
use estafette_mail::{imap, smtp, MailError, MailServer, Security};
use estafette_store::Role;
use futures::TryStreamExt;
use secrecy::SecretString;

use crate::helpers::{mail_env, spawn, unique_email, Db, PASSWORD};

fn server(port: u16) -> MailServer {
    MailServer {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
    }
}

#[tokio::test]
async fn dovecot_accepts_the_password_of_an_account_estafette_wrote() {
    let app = spawn(Db::Shared).await;
    let imap_server = server(mail_env().imap_port);
    let email = unique_email("dove");
    app.create_account(&email, Role::User).await;

    let mut session = imap::login(&imap_server, &email, &SecretString::from(PASSWORD))
        .await
        .expect("Dovecot accepts the password Estafette hashed");
    let inbox = session.select("INBOX").await.expect("select");
    assert_eq!(inbox.exists, 0);
    session.logout().await.expect("logout");

    let wrong = imap::login(
        &imap_server,
        &email,
        &SecretString::from("not the password"),
    )
    .await;
    assert!(
        matches!(wrong, Err(MailError::Rejected)),
        "{:?}",
        wrong.map(|_| ())
    );

    // A password changed in Estafette is the new mail password.
    let new = "a brand new passphrase for dovecot";
    app.services
        .set_password(Actor::command_line(), &email, &SecretString::from(new))
        .await
        .expect("change password");
    assert!(matches!(
        imap::login(&imap_server, &email, &SecretString::from(PASSWORD)).await,
        Err(MailError::Rejected)
    ));
    imap::login(&imap_server, &email, &SecretString::from(new))
        .await
        .expect("new password works");

    // A disabled account cannot log into IMAP either.
    app.services
        .set_state(
            Actor::command_line(),
            &email,
            estafette_store::AccountState::Disabled,
        )
        .await
        .expect("disable");
    assert!(imap::login(&imap_server, &email, &SecretString::from(new))
        .await
        .is_err());
}

#[tokio::test]
async fn mail_sent_by_alice_arrives_in_bobs_inbox_with_special_folders() {
    let app = spawn(Db::Shared).await;
    let env = mail_env();
    let (alice, bob) = (unique_email("alice"), unique_email("bob"));
    app.create_account(&alice, Role::User).await;
    app.create_account(&bob, Role::User).await;
    let password = SecretString::from(PASSWORD);

    let subject = format!("Déjeuner ? {}", unique_email("subject"));
    let message = lettre::Message::builder()
        .from(alice.parse().expect("from"))
        .to(bob.parse().expect("to"))
        .subject(subject.clone())
        .body("À vendredi !".to_owned())
        .expect("message");
    smtp::send(&server(env.smtp_port), &alice, &password, &message)
        .await
        .expect("submission");

    let mut session = imap::login(&server(env.imap_port), &bob, &password)
        .await
        .expect("bob logs in");
    let mut found = false;
    for _ in 0..100 {
        let inbox = session.select("INBOX").await.expect("select");
        if inbox.exists > 0 {
            let fetched: Vec<_> = session
                .fetch("1", "ENVELOPE")
                .await
                .expect("fetch")
                .try_collect()
                .await
                .expect("collect");
            let envelope = fetched[0].envelope().expect("envelope");
            let got = envelope
                .subject
                .as_ref()
                .map(|s| String::from_utf8_lossy(s).into_owned());
            assert!(
                got.unwrap_or_default().contains("=?utf-8?"),
                "the subject is encoded on the wire"
            );
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "the message reached bob's INBOX");

    let names: Vec<String> = session
        .list(Some(""), Some("*"))
        .await
        .expect("list")
        .map_ok(|n| n.name().to_owned())
        .try_collect()
        .await
        .expect("collect");
    for folder in ["INBOX", "Drafts", "Sent", "Junk", "Trash", "Archive"] {
        assert!(
            names.iter().any(|n| n == folder),
            "{folder} missing from {names:?}"
        );
    }

    // Submission refuses a wrong password.
    let refused = smtp::send(
        &server(env.smtp_port),
        &alice,
        &SecretString::from("wrong"),
        &message,
    )
    .await;
    assert!(refused.is_err());
}
