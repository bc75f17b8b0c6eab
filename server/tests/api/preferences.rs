//! Preferences: the browser's language recorded on the first page, every
//! choice checked on the server, pages rendered with the account's choices
//! (any browser), and the list's page size taken from them.

use crate::helpers::{spawn, Db, TestApp, PASSWORD};

fn choices<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(String, &'a str)> {
    let mut form = vec![
        ("language", "en"),
        ("time_zone", ""),
        ("date_format", "locale"),
        ("theme", "system"),
        ("density", "comfortable"),
        ("page_size", "50"),
        ("reading_pane", "true"),
        ("conversations", "false"),
        ("remote_content", "ask"),
        ("shortcuts", "true"),
        ("compose_format", "plain"),
        ("undo_send_seconds", "10"),
    ];
    for (k, v) in overrides {
        if let Some(field) = form.iter_mut().find(|(f, _)| f == k) {
            field.1 = v;
        }
    }
    form.into_iter()
        .map(|(k, v)| (format!("prefs[{k}]"), v))
        .collect()
}

async fn save(app: &TestApp, overrides: &[(&str, &str)]) -> reqwest::Response {
    let form = choices(overrides);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.post("/api/save_preferences", &form).await
}

/// The `<html>` element's attributes of a page.
fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("<html");
    let end = start + page[start..].find('>').expect(">");
    &page[start..end]
}

#[tokio::test]
async fn pages_follow_the_accounts_preferences_in_every_browser() {
    let app = spawn(Db::Shared).await;
    let email = app.signed_in("prefs").await;

    // The first page after sign-in records the browser's language…
    let first = app.page("/settings", "fr-FR,fr;q=0.9,en;q=0.5").await;
    assert!(
        html_tag(&first).contains(r#"lang="fr""#),
        "{}",
        html_tag(&first)
    );
    assert!(first.contains("Paramètres"));
    // …which stays the account's whatever a later browser says.
    let again = app.page("/settings", "en-GB").await;
    assert!(html_tag(&again).contains(r#"lang="fr""#));

    // Values the interface does not offer are refused, and change nothing:
    // one outside a choice's names is a malformed call (400), one the
    // server checks is refused by name (422).
    for (bad, status) in [
        (("theme", "neon"), 400),
        (("density", "spacious"), 400),
        (("date_format", "us"), 400),
        (("remote_content", "sometimes"), 400),
        (("compose_format", "markdown"), 400),
        (("page_size", "7"), 422),
        (("language", "x\"><script>"), 422),
        (("time_zone", "Europe/Paris\"><b"), 422),
        (("undo_send_seconds", "99"), 422),
    ] {
        assert_eq!(save(&app, &[bad]).await.status(), status, "{bad:?}");
    }
    assert!(html_tag(&app.page("/", "en").await).contains(r#"data-theme="system""#));

    let res = save(
        &app,
        &[
            ("language", "en"),
            ("theme", "dark"),
            ("density", "compact"),
            ("page_size", "25"),
            ("time_zone", "Europe/Paris"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let saved: estafette_wire::Choices = res.json().await.expect("the choices");
    assert_eq!(saved.theme, estafette_wire::Theme::Dark);
    assert_eq!(saved.page_size, 25);

    // Another browser signing in as the same account gets the same choices.
    let other = app.new_browser();
    assert_eq!(other.sign_in(&email, PASSWORD).await.status(), 200);
    let page = other.page("/", "fr").await;
    let tag = html_tag(&page);
    for expected in [
        r#"lang="en""#,
        r#"data-theme="dark""#,
        r#"data-density="compact""#,
    ] {
        assert!(tag.contains(expected), "{expected} in {tag}");
    }
    assert!(
        tag.contains("Europe/Paris"),
        "the time zone travels with the page"
    );
    assert_eq!(
        other.inbox().await.page_size,
        25,
        "the list pages by the preference"
    );

    // Without a session there is nothing to save.
    let anonymous = app.new_browser();
    assert_eq!(save(&anonymous, &[("theme", "dark")]).await.status(), 401);
}
