//! The address book: contacts kept, checked like any input and never
//! another account's; a sender added in one click; groups written to;
//! `.vcf` files in and out; completion drawing from it first; the limit
//! holding against imports that arrive at once; and CardDAV sync with the
//! Radicale scripts/test.sh started (each user signed in as on IMAP):
//! created here → there, changed there → here, changed on both sides →
//! both kept, removed on either side → removed on the other.

use app::api::contacts::{AddedView, AddressBookView, SyncView};
use app::api::mail::SuggestionView;
use serde_json::Value;

use crate::helpers::{account_on_both, spawn, spawn_with, two_on_postgres, Db, TestApp, PASSWORD};

fn form<'a>(
    id: &'a str,
    name: &'a str,
    emails: &'a str,
    groups: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("name", name),
        ("emails", emails),
        ("phones", ""),
        ("organisation", ""),
        ("notes", ""),
        ("groups", groups),
    ]
}

async fn save(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post("/api/save_contact", fields).await
}

async fn saved(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let res = save(app, fields).await;
    assert_eq!(res.status(), 200);
    res.json::<i64>().await.expect("id").to_string()
}

async fn book(app: &TestApp) -> AddressBookView {
    let res = app.post("/api/contacts", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = book(app)
        .await
        .contacts
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

/// Imports a `.vcf` file as the browser sends it.
async fn import(app: &TestApp, file: &str) -> reqwest::Response {
    app.client
        .post(app.url("/contacts.vcf"))
        .header("Origin", &app.base)
        .header("Content-Type", "text/vcard")
        .body(file.to_owned())
        .send()
        .await
        .expect("import")
}

async fn suggest(app: &TestApp, prefix: &str) -> Vec<SuggestionView> {
    let res = app.post("/api/suggest", &[("prefix", prefix)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn contacts_are_kept_checked_offered_first_and_only_their_owners() {
    let app = spawn(Db::Shared).await;
    let (_, alice) = app.user("addressbook").await;
    let (_, mallory) = app.user("addressthief").await;

    let martin = saved(
        &alice,
        &[
            ("id", "0"),
            ("name", " Zoé\r\nMartin "),
            (
                "emails",
                "Zoe.Martin@Example.org\nzm@work.example\nzoe.martin@example.org",
            ),
            ("phones", "+33 1 23 45 67 89"),
            ("organisation", "Acme"),
            ("notes", "Met at the fair.\r\nLikes tea."),
            ("groups", "Team, Friends"),
        ],
    )
    .await;
    saved(
        &alice,
        &form("0", "Yann Bernard", "yann@example.org", "team"),
    )
    .await;
    let b = book(&alice).await;
    let zoe = b
        .contacts
        .iter()
        .find(|c| c.id.to_string() == martin)
        .expect("saved")
        .clone();
    assert_eq!(zoe.name, "Zoé Martin", "one line");
    assert_eq!(zoe.emails, ["zoe.martin@example.org", "zm@work.example"]);
    assert_eq!(zoe.notes, "Met at the fair.\nLikes tea.");
    assert_eq!(b.groups[0].name, "Friends");
    assert_eq!(
        b.groups[1].members, 2,
        "groups are one, case aside: {:?}",
        b.groups
    );

    for (bad, why) in [
        (form("0", "", "", ""), "nothing"),
        (form("0", "Eve", "not an address", ""), "no address"),
        (
            form("0", "Eve", "eve@example.org>, boss@example.org", ""),
            "two in one",
        ),
        (
            form("0", "Eve", "eve@example.org\r\nBcc: x@example.org", ""),
            "header",
        ),
    ] {
        let res = save(&alice, &bad).await;
        assert_eq!(res.status(), 422, "{why}");
    }
    let long = "x".repeat(201);
    assert_eq!(save(&alice, &form("0", &long, "", "")).await.status(), 422);

    // Another account can neither change nor remove it, nor see it.
    let res = save(&mallory, &form(&martin, "Owned", "m@evil.example", "")).await;
    assert_eq!(res.status(), 404);
    let res = mallory
        .post("/api/remove_contact", &[("id", &martin)])
        .await;
    assert_eq!(res.status(), 404);
    assert!(names(&mallory).await.is_empty());
    assert!(suggest(&mallory, "zoe").await.is_empty());

    // Completion draws from the address book first; a group is all its members.
    let offered = suggest(&alice, "zoe").await;
    assert_eq!(
        offered[0].value, "\"Zoé Martin\" <zoe.martin@example.org>",
        "{offered:?}"
    );
    let offered = suggest(&alice, "mart").await;
    assert_eq!(offered.len(), 2, "each address of the contact: {offered:?}");
    let offered = suggest(&alice, "tea").await;
    let group = offered
        .iter()
        .find(|s| !s.label.is_empty())
        .expect("the group");
    assert_eq!(group.label.to_lowercase(), "team (2)");
    assert_eq!(
        group.value,
        "\"Yann Bernard\" <yann@example.org>, \"Zoé Martin\" <zoe.martin@example.org>"
    );
    let res = alice
        .post("/api/group_recipients", &[("group", "TEAM")])
        .await;
    assert_eq!(res.status(), 200);
    let to: String = res.json().await.expect("to");
    assert!(
        to.contains("yann@example.org") && to.contains("zoe.martin@example.org"),
        "{to}"
    );
    let res = mallory
        .post("/api/group_recipients", &[("group", "Team")])
        .await;
    assert_eq!(res.status(), 404);

    // A sender is added in one click, once.
    let res = alice
        .post(
            "/api/add_sender",
            &[("name", "Dana Scully"), ("address", "dana@fbi.example")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let added: AddedView = res.json().await.expect("json");
    assert!(added.new);
    let res = alice
        .post(
            "/api/add_sender",
            &[("name", ""), ("address", "DANA@fbi.example")],
        )
        .await;
    let again: AddedView = res.json().await.expect("json");
    assert_eq!((again.new, again.id), (false, added.id));
    for bad in [
        "",
        "dana@fbi.example\r\nBcc: x@y.example",
        "Nobody <n@x.example>",
    ] {
        let res = alice
            .post("/api/add_sender", &[("name", "N"), ("address", bad)])
            .await;
        assert_eq!(res.status(), 422, "{bad:?}");
    }
    assert!(names(&alice).await.contains(&"Dana Scully".to_owned()));

    // Removed, it is gone (and its addresses are no longer offered).
    let res = alice.post("/api/remove_contact", &[("id", &martin)]).await;
    assert_eq!(res.status(), 200);
    assert!(suggest(&alice, "zoe").await.is_empty());
    let res = alice.post("/api/remove_contact", &[("id", &martin)]).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn vcards_come_in_and_go_out_with_what_estafette_does_not_show() {
    let app = spawn(Db::Shared).await;
    let (_, alice) = app.user("vcards").await;
    let file =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:imported-1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
                EMAIL;TYPE=work:ada@engine.example\r\nTEL;TYPE=cell:+44 20 7946 0000\r\n\
                ADR;TYPE=home:;;12 St James's Square;London;;SW1Y 4JH;UK\r\nCATEGORIES:Pioneers\r\n\
                NOTE:Wrote the first program\\, they say.\r\nEND:VCARD\r\n\
                BEGIN:VCARD\nVERSION:4.0\nFN:Grace Hopper\nEMAIL:grace@navy.example\nEND:VCARD\n\
                BEGIN:VCARD\nVERSION:4.0\nNOTE:no name, no address\nEND:VCARD\n\
                BEGIN:VEVENT\nSUMMARY:not a card\nEND:VEVENT\n";
    let res = import(&alice, file).await;
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.expect("json");
    assert_eq!(
        (done["added"].as_u64(), done["skipped"].as_u64()),
        (Some(2), Some(2)),
        "{done}"
    );
    assert_eq!(names(&alice).await, ["Ada Lovelace", "Grace Hopper"]);

    // The same file again updates rather than doubles the one with a UID.
    let res = import(&alice, file).await;
    let again: Value = res.json().await.expect("json");
    assert_eq!(again["updated"], 1, "{again}");

    let res = alice.get("/contacts.vcf").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/vcard"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("disposition")
        .contains("attachment"));
    let out = res.text().await.expect("text");
    assert!(
        out.contains("12 St James's Square"),
        "the address Estafette does not show: {out}"
    );
    assert!(out.contains("UID:imported-1"), "{out}");
    assert!(
        out.contains("Wrote the first program\\, they say."),
        "{out}"
    );
    assert_eq!(out.matches("BEGIN:VCARD").count(), 3, "{out}");

    for (bad, status) in [("hello", 422), ("", 422)] {
        let res = import(&alice, bad).await;
        assert_eq!(res.status(), status, "{bad:?}");
    }
    let huge = format!(
        "BEGIN:VCARD\nFN:x\nNOTE:{}\nEND:VCARD\n",
        "y".repeat(6 * 1024 * 1024)
    );
    let res = import(&alice, &huge).await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.text().await.expect("body"),
        r#"{"TooLarge":"A contacts file has at most 5 MB."}"#
    );
    assert_eq!(names(&alice).await.len(), 3, "nothing lost, nothing added");
}

#[tokio::test]
async fn the_contact_limit_holds_against_imports_that_arrive_at_once() {
    let app = spawn(Db::Shared).await;
    let (_, alice) = app.user("bookfiller").await;
    let card = |i: usize| {
        format!("BEGIN:VCARD\nVERSION:4.0\nFN:P{i}\nEMAIL:p{i}@example.org\nEND:VCARD\n")
    };
    let half = |from: usize| (from..from + 2_600).map(card).collect::<String>();
    let (a, b) = (half(0), half(10_000));
    let imports = [a, b].map(|text| {
        let alice = alice.clone_browser();
        tokio::spawn(async move {
            let res = import(&alice, &text).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.expect("json")
        })
    });
    let mut added = 0;
    for i in imports {
        added += i.await.expect("import")["added"].as_u64().expect("added");
    }
    assert_eq!(added, estafette_core::address_book::MAX_CARDS as u64);
    assert_eq!(
        book(&alice).await.contacts.len() as i64,
        estafette_core::address_book::MAX_CARDS
    );
    let res = save(&alice, &form("0", "One more", "", "")).await;
    assert_eq!(res.status(), 422);
}

// --- CardDAV, against Radicale ---

fn radicale() -> String {
    std::env::var("ESTAFETTE_TEST_CARDDAV_URL")
        .expect("ESTAFETTE_TEST_CARDDAV_URL is not set: run the tests with scripts/test.sh")
}

/// The user as another CardDAV client (a phone) sees their books.
struct Phone {
    http: reqwest::Client,
    base: String,
    user: String,
}

impl Phone {
    fn of(user: &str) -> Phone {
        Phone {
            http: reqwest::Client::new(),
            base: radicale().trim_end_matches('/').to_owned(),
            user: user.to_owned(),
        }
    }

    async fn dav(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                format!("{}{path}", self.base),
            )
            .basic_auth(&self.user, Some(PASSWORD))
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("radicale")
    }

    fn book(&self) -> String {
        format!("/{}/contacts/", self.user)
    }

    /// Each card of the book: its path, ETag and text.
    async fn cards(&self) -> Vec<(String, String, String)> {
        let body = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>"#;
        let res = self
            .dav("PROPFIND", &self.book(), &[("Depth", "1")], body)
            .await;
        assert_eq!(res.status(), 207, "the book Estafette made");
        let listing = res.text().await.expect("listing");
        let mut out = Vec::new();
        for part in listing
            .split("<response>")
            .chain(listing.split("<D:response>"))
            .skip(1)
        {
            let href = part
                .split("href>")
                .nth(1)
                .and_then(|h| h.split('<').next())
                .unwrap_or_default()
                .to_owned();
            if !href.ends_with(".vcf") {
                continue;
            }
            let path = href.replace("%40", "@");
            let got = self.dav("GET", &path, &[], "").await;
            let etag = got.headers()["etag"].to_str().expect("etag").to_owned();
            out.push((path, etag, got.text().await.expect("card")));
        }
        out
    }

    async fn card_named(&self, name: &str) -> Option<(String, String, String)> {
        self.cards()
            .await
            .into_iter()
            .find(|(_, _, text)| text.contains(&format!("FN:{name}")))
    }
}

/// A sync's outcome (`None` where there is no CardDAV server).
async fn sync(app: &TestApp) -> Option<SyncView> {
    let res = app.post("/api/sync_contacts", &[]).await;
    assert_eq!(res.status(), 200);
    let outcome: Option<SyncView> = res.json().await.expect("json");
    assert_eq!(
        outcome.as_ref().and_then(|o| o.error.as_deref()),
        None,
        "{outcome:?}"
    );
    outcome
}

#[tokio::test]
async fn contacts_are_kept_in_step_with_the_carddav_server_and_nothing_is_lost() {
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_CARDDAV__URL", &radicale())]).await;
    let (email, alice) = app.user("davsync").await;
    let phone = Phone::of(&email);

    // Created here → there (the book is made for a user who has none).
    let here = saved(&alice, &form("0", "Ana Here", "ana@example.org", "Team")).await;
    let first = sync(&alice).await;
    assert!(first.as_ref().map(|o| o.sent) <= Some(1), "{first:?}");
    let (path, etag, text) = phone.card_named("Ana Here").await.expect("on the server");
    assert!(
        text.contains("ana@example.org") && text.contains("CATEGORIES:Team"),
        "{text}"
    );

    // Changed there → here (what Estafette does not show stays there).
    let changed = text.replace("FN:Ana Here", "FN:Ana There").replace(
        "END:VCARD",
        "ADR;TYPE=home:;;1 Quai;Lyon;;69001;France\r\nEND:VCARD",
    );
    let res = phone
        .dav(
            "PUT",
            &path,
            &[("If-Match", &etag), ("Content-Type", "text/vcard")],
            &changed,
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let pulled = sync(&alice).await;
    assert_eq!(pulled.as_ref().map(|o| o.received), Some(1), "{pulled:?}");
    assert_eq!(names(&alice).await, ["Ana There"]);

    // Changed here: the address Estafette does not show is still there.
    saved(
        &alice,
        &form(
            &here,
            "Ana There",
            "ana@example.org\nana@work.example",
            "Team",
        ),
    )
    .await;
    sync(&alice).await;
    let (path, etag, text) = phone.card_named("Ana There").await.expect("still there");
    assert!(
        text.contains("ana@work.example") && text.contains("1 Quai"),
        "{text}"
    );

    // Changed on both sides → both kept, here and there.
    let theirs = text.replace("FN:Ana There", "FN:Ana Phone");
    let res = phone
        .dav(
            "PUT",
            &path,
            &[("If-Match", &etag), ("Content-Type", "text/vcard")],
            &theirs,
        )
        .await;
    assert!(res.status().is_success());
    let res = save(&alice, &form(&here, "Ana Web", "ana@example.org", "Team")).await;
    assert_eq!(res.status(), 200);
    sync(&alice).await;
    sync(&alice).await;
    assert_eq!(names(&alice).await, ["Ana Phone", "Ana Web"]);
    assert!(
        phone.card_named("Ana Phone").await.is_some(),
        "theirs kept there"
    );
    assert!(
        phone.card_named("Ana Web").await.is_some(),
        "ours sent there too"
    );

    // Removed there → removed here; removed here → removed there.
    let (path, _, _) = phone.card_named("Ana Phone").await.expect("theirs");
    let res = phone.dav("DELETE", &path, &[], "").await;
    assert!(res.status().is_success());
    let removed = sync(&alice).await;
    assert_eq!(removed.as_ref().map(|o| o.removed), Some(1), "{removed:?}");
    assert_eq!(names(&alice).await, ["Ana Web"]);
    let web_id = book(&alice).await.contacts[0].id.to_string();
    let res = alice.post("/api/remove_contact", &[("id", &web_id)]).await;
    assert_eq!(res.status(), 200);
    sync(&alice).await;
    assert!(phone.cards().await.is_empty(), "removed there too");
    assert!(names(&alice).await.is_empty());

    // A card made on the phone comes here; many syncs at once make one each.
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-made-1\r\nFN:Made On Phone\r\nEMAIL:phone@example.org\r\nEND:VCARD\r\n";
    let res = phone
        .dav(
            "PUT",
            &format!("{}phone-made-1.vcf", phone.book()),
            &[("If-None-Match", "*"), ("Content-Type", "text/vcard")],
            card,
        )
        .await;
    assert!(res.status().is_success());
    saved(&alice, &form("0", "Made Here", "here@example.org", "")).await;
    let at_once: Vec<_> = (0..20)
        .map(|_| {
            let alice = alice.clone_browser();
            tokio::spawn(async move {
                let res = alice.post("/api/sync_contacts", &[]).await;
                assert_eq!(res.status(), 200);
                res.json::<Option<SyncView>>().await.expect("json")
            })
        })
        .collect();
    for s in at_once {
        let outcome = s.await.expect("sync");
        assert_eq!(
            outcome.as_ref().and_then(|o| o.error.as_deref()),
            None,
            "{outcome:?}"
        );
    }
    assert_eq!(names(&alice).await, ["Made Here", "Made On Phone"]);
    let there = phone.cards().await;
    assert_eq!(there.len(), 2, "no card written twice: {there:?}");
}

#[tokio::test]
async fn a_carddav_server_that_is_down_loses_nothing_typed() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let url = format!("http://{}/", closed.local_addr().expect("addr"));
    drop(closed);
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_CARDDAV__URL", &url)]).await;
    let (_, alice) = app.user("davdown").await;
    saved(&alice, &form("0", "Kept Anyway", "kept@example.org", "")).await;
    let res = alice.post("/api/sync_contacts", &[]).await;
    assert_eq!(res.status(), 200);
    let outcome: Option<SyncView> = res.json().await.expect("json");
    assert_eq!(
        outcome.and_then(|o| o.error).as_deref(),
        Some("The address book server cannot be reached.")
    );
    assert_eq!(names(&alice).await, ["Kept Anyway"]);
    assert!(book(&alice).await.carddav);
}

#[tokio::test]
async fn two_instances_on_postgresql_sync_one_account_without_writing_a_card_twice() {
    let url = radicale();
    let (one, two, dovecot) = two_on_postgres(&[("ESTAFETTE_CARDDAV__URL", &url)]).await;
    let email = account_on_both(&dovecot, &one, "pgdav").await;
    assert_eq!(one.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(two.sign_in(&email, PASSWORD).await.status(), 200);
    for n in 0..5 {
        saved(
            &one,
            &form(
                "0",
                &format!("Person {n}"),
                &format!("p{n}@example.org"),
                "Club",
            ),
        )
        .await;
    }
    let syncs = (0..10).map(|n| {
        let app = if n % 2 == 0 {
            one.clone_browser()
        } else {
            two.clone_browser()
        };
        async move { app.post("/api/sync_contacts", &[]).await.status() }
    });
    for status in futures::future::join_all(syncs).await {
        assert_eq!(status, 200);
    }
    sync(&one).await;
    sync(&two).await;
    let phone = Phone::of(&email);
    assert_eq!(phone.cards().await.len(), 5, "each card once on the server");
    assert_eq!(names(&two).await.len(), 5, "and once here");
    let res = two
        .post("/api/group_recipients", &[("group", "club")])
        .await;
    assert_eq!(
        res.json::<String>().await.expect("to").matches('@').count(),
        5
    );
}

#[tokio::test]
async fn a_card_written_by_a_sync_cut_short_is_taken_back_not_doubled() {
    let url = radicale();
    let dav = spawn_with(Db::Shared, &[("ESTAFETTE_CARDDAV__URL", &url)]).await;
    // The same database, no CardDAV: its changes wait for a sync.
    let plain = spawn(Db::Shared).await;
    let (email, alice) = dav.user("davcut").await;
    sync(&alice).await;
    let offline = plain.new_browser();
    assert_eq!(offline.sign_in(&email, PASSWORD).await.status(), 200);
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:cut-short-1\r\nFN:Cut Short\r\nEMAIL:cut@example.org\r\nEND:VCARD\r\n";
    assert_eq!(import(&offline, card).await.status(), 200);
    // As if a sync had written it there and stopped before noting it here.
    let phone = Phone::of(&email);
    let res = phone
        .dav(
            "PUT",
            &format!("{}cut-short-1.vcf", phone.book()),
            &[("If-None-Match", "*"), ("Content-Type", "text/vcard")],
            card,
        )
        .await;
    assert!(res.status().is_success());
    sync(&alice).await;
    sync(&alice).await;
    assert_eq!(
        names(&alice).await,
        ["Cut Short"],
        "taken back, not doubled"
    );
    assert_eq!(phone.cards().await.len(), 1);
}
