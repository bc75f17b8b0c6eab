//! Reply templates: saved per account, filled in for the first recipient,
//! checked like any input, never another account's, and the limit holds
//! against saves that arrive all at once (SQLite and PostgreSQL).

use app::api::templates::TemplateView;

use crate::helpers::{account_on_both, spawn, two_on_postgres, Db, TestApp, PASSWORD};

async fn save(app: &TestApp, id: &str, name: &str, body: &str) -> reqwest::Response {
    app.post(
        "/api/save_template",
        &[("id", id), ("name", name), ("body", body)],
    )
    .await
}

async fn list(app: &TestApp) -> Vec<TemplateView> {
    let res = app.post("/api/templates", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

/// The template's text as inserted for `to`.
async fn filled(app: &TestApp, id: &str, to: &str) -> String {
    let res = fill(app, id, to).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("text")
}

async fn fill(app: &TestApp, id: &str, to: &str) -> reqwest::Response {
    app.post("/api/fill_template", &[("id", id), ("to", to)])
        .await
}

#[tokio::test]
async fn a_template_is_saved_filled_in_for_the_recipient_and_only_its_owners() {
    let app = spawn(Db::Shared).await;
    let (alice_email, alice) = app.user("templater").await;
    let (_, mallory) = app.user("template-thief").await;

    let res = save(
        &alice,
        "0",
        " Merci ",
        "Bonjour {first_name},\r\n\r\nMerci {name} pour votre message.\r\n",
    )
    .await;
    assert_eq!(res.status(), 200);
    let id: i64 = res.json().await.expect("id");
    let id = id.to_string();
    let mine = list(&alice).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "Merci");
    assert_eq!(
        mine[0].body,
        "Bonjour {first_name},\n\nMerci {name} pour votre message."
    );

    let to = "\"Martin, Alice\" <alice@example.test>, bob@example.test";
    assert_eq!(
        filled(&alice, &id, to).await,
        "Bonjour Alice,\n\nMerci Martin, Alice pour votre message."
    );
    assert_eq!(
        filled(&alice, &id, "Jean Dupont <jean@example.test>").await,
        "Bonjour Jean,\n\nMerci Jean Dupont pour votre message."
    );
    // Written to before under a name: the address book's name.
    let account = app
        .store
        .account_by_email(&alice_email)
        .await
        .expect("store")
        .expect("account");
    app.store
        .remember_contacts(
            account.id,
            &[estafette_store::Contact {
                address: "claire@example.test".into(),
                name: "Claire Petit".into(),
            }],
        )
        .await
        .expect("contact");
    assert_eq!(
        filled(&alice, &id, "Claire@example.test").await,
        "Bonjour Claire,\n\nMerci Claire Petit pour votre message."
    );
    // No name known: the greeting still reads.
    assert_eq!(
        filled(&alice, &id, "inconnu@example.test").await,
        "Bonjour,\n\nMerci pour votre message."
    );

    // Changed in place; a name used twice is refused, whatever its case.
    assert_eq!(
        save(&alice, &id, "Merci", "Merci beaucoup.").await.status(),
        200
    );
    assert_eq!(list(&alice).await[0].body, "Merci beaucoup.");
    let res = save(&alice, "0", "MERCI", "autre").await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .expect("text")
        .contains("already has that name"));

    // Bad input is refused with its reason, and changes nothing.
    for (name, body) in [
        ("", "texte"),
        ("Nom\r\nBcc: all@example.test", "texte"),
        ("Nom", "   "),
        (&"n".repeat(81), "texte"),
        ("Nom", &"x".repeat(20_001)),
    ] {
        let res = save(&alice, "0", name, body).await;
        assert_eq!(res.status(), 422, "{name:?}");
    }
    assert_eq!(list(&alice).await.len(), 1);

    // Another account sees none of it, and can neither fill, change nor
    // remove it.
    assert!(list(&mallory).await.is_empty());
    assert_eq!(fill(&mallory, &id, "x@example.test").await.status(), 404);
    assert_eq!(save(&mallory, &id, "Volé", "à moi").await.status(), 404);
    assert_eq!(
        mallory
            .post("/api/remove_template", &[("id", &id)])
            .await
            .status(),
        404
    );
    assert_eq!(list(&alice).await[0].body, "Merci beaucoup.");
    // Nor can a stranger.
    let stranger = app.new_browser();
    assert_eq!(stranger.post("/api/templates", &[]).await.status(), 401);
    assert_eq!(fill(&stranger, &id, "").await.status(), 401);

    assert_eq!(
        alice
            .post("/api/remove_template", &[("id", &id)])
            .await
            .status(),
        200
    );
    assert!(list(&alice).await.is_empty());
    assert_eq!(fill(&alice, &id, "").await.status(), 404);
}

/// 80 new templates at once, then 20 of one name at once: exactly the
/// limit of 50 is kept, and the name once.
async fn the_limit_holds_at_once(app: &TestApp) {
    let saves = (0..80).map(|n| async move {
        save(app, "0", &format!("Modèle {n}"), "texte")
            .await
            .status()
    });
    let statuses = futures::future::join_all(saves).await;
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 200).count(), 50);
    assert!(
        statuses.iter().all(|s| [200, 422].contains(&s.as_u16())),
        "{statuses:?}"
    );
    assert_eq!(list(app).await.len(), 50);
    let remove: Vec<TemplateView> = list(app).await;
    for t in &remove {
        let id = t.id.to_string();
        app.post("/api/remove_template", &[("id", &id)]).await;
    }
    let same = (0..20).map(|_| async move { save(app, "0", "Le même", "texte").await.status() });
    let statuses = futures::future::join_all(same).await;
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 200).count(), 1);
    assert_eq!(list(app).await.len(), 1);
}

#[tokio::test]
async fn saves_all_at_once_keep_the_limit_on_sqlite() {
    let app = spawn(Db::Shared).await;
    let (_, alice) = app.user("template-burst").await;
    the_limit_holds_at_once(&alice).await;
}

#[tokio::test]
async fn saves_all_at_once_keep_the_limit_on_postgresql_across_instances() {
    let (one, two, dovecot) = two_on_postgres(&[]).await;
    let email = account_on_both(&dovecot, &one, "pgtemplates").await;
    assert_eq!(one.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(two.sign_in(&email, PASSWORD).await.status(), 200);
    // Half of the saves through each instance.
    let saves = (0..80).map(|n| {
        let app = if n % 2 == 0 { &one } else { &two };
        async move {
            save(app, "0", &format!("Modèle {n}"), "texte")
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(saves).await;
    assert_eq!(
        statuses.iter().filter(|s| s.as_u16() == 200).count(),
        50,
        "{statuses:?}"
    );
    assert_eq!(list(&one).await.len(), 50);
    assert_eq!(list(&two).await.len(), 50);
}
