//! The store on both databases: every case runs on a fresh SQLite file and on a
//! fresh PostgreSQL database (`ESTAFETTE_TEST_POSTGRES_URL`, set by scripts/test.sh).
#![allow(clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};

use estafette_store::scratch::ScratchDatabase;
use estafette_store::{
    now, AccountState, AuditFilter, Backend, Contact, IdentityFields, NewAccount, NewAuditEntry,
    NewOutgoing, NewSession, OutboxState, Role, SessionStage, Store, StoreError,
};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn postgres_url() -> String {
    std::env::var("ESTAFETTE_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("ESTAFETTE_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh")
    })
}

/// The databases of a case: a SQLite file in a temp dir and a PostgreSQL
/// database of its own, both gone when this is dropped.
struct Scratch {
    _dir: tempfile::TempDir,
    _postgres: ScratchDatabase,
}

/// A fresh, unmigrated database of each kind.
async fn fresh_databases() -> (Scratch, Vec<Store>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}", dir.path().join("test.db").display());
    let sqlite = Store::connect(&sqlite_url, 5).await.expect("sqlite");
    let postgres = ScratchDatabase::create(&postgres_url(), "estafette_test")
        .await
        .expect("create database");
    let pg = Store::connect(postgres.url(), 5)
        .await
        .expect("postgres db");
    (
        Scratch {
            _dir: dir,
            _postgres: postgres,
        },
        vec![sqlite, pg],
    )
}

/// The stores of a case one by one, each with a guard that names its
/// backend when the case fails on it (keep it bound: `(store, _on)`).
fn each(stores: &[Store]) -> impl Iterator<Item = (&Store, OnBackend)> {
    stores.iter().map(|s| (s, OnBackend(s.backend())))
}

struct OnBackend(Backend);

impl Drop for OnBackend {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("(the failure above was on {:?})", self.0);
        }
    }
}

async fn migrated() -> (Scratch, Vec<Store>) {
    let (dir, stores) = fresh_databases().await;
    for (store, _on) in each(&stores) {
        store.migrate().await.expect("migrate");
    }
    (dir, stores)
}

fn account(email: &str) -> NewAccount {
    NewAccount {
        email: email.into(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into()),
        role: Role::User,
        must_change_password: false,
    }
}

fn session(key: &str, account_id: i64, stage: SessionStage) -> NewSession<'_> {
    NewSession {
        id_hash: key,
        account_id,
        stage,
        sealed_password: Some("sealed"),
        client_address: Some("127.0.0.1"),
        user_agent: Some("test"),
    }
}

#[tokio::test]
async fn migrations_apply_once_and_readiness_follows_them() {
    let (_scratch, stores) = fresh_databases().await;
    assert_eq!(stores[0].backend(), Backend::Sqlite);
    assert_eq!(stores[1].backend(), Backend::Postgres);
    for (store, _on) in each(&stores) {
        assert!(matches!(store.ready().await, Err(StoreError::NotMigrated)));
        store.migrate().await.expect("first migration");
        store.migrate().await.expect("second migration is a no-op");
        store.ready().await.expect("ready after migration");
    }
}

#[tokio::test]
async fn accounts_are_created_found_changed_and_deleted() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let created = store
            .create_account(account(" Alice@Example.TEST "))
            .await
            .expect("create");
        assert_eq!(created.email, "alice@example.test");
        assert_eq!(created.role, Role::User);
        assert_eq!(created.state, AccountState::Active);
        assert!(created.created_at >= now() - 5);

        let dup = store.create_account(account("alice@example.test")).await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");

        let found = store
            .account_by_email("ALICE@example.test")
            .await
            .expect("query");
        assert_eq!(found.map(|a| a.id), Some(created.id));
        assert!(store
            .account_by_email("nobody@example.test")
            .await
            .expect("query")
            .is_none());

        store
            .create_account(account("bob@example.test"))
            .await
            .expect("bob");
        let listed: Vec<String> = store
            .list_accounts("")
            .await
            .expect("list")
            .into_iter()
            .map(|a| a.email)
            .collect();
        assert_eq!(listed, ["alice@example.test", "bob@example.test"]);
        assert_eq!(store.list_accounts("BOB").await.expect("search").len(), 1);
        assert_eq!(
            store
                .list_accounts("%")
                .await
                .expect("wildcards are literal")
                .len(),
            2
        );

        store
            .set_account_state("alice@example.test", AccountState::Disabled)
            .await
            .expect("disable");
        store
            .set_account_role("alice@example.test", Role::Admin)
            .await
            .expect("role");
        store
            .set_password_hash("alice@example.test", "$argon2id$new", true)
            .await
            .expect("pw");
        let a = store
            .account_by_id(created.id)
            .await
            .expect("q")
            .expect("exists");
        assert_eq!((a.state, a.role), (AccountState::Disabled, Role::Admin));
        assert_eq!(a.password_hash.as_deref(), Some("$argon2id$new"));
        assert!(a.must_change_password);
        assert_eq!(
            store.count_admins().await.expect("count"),
            0,
            "disabled admins do not count"
        );

        assert!(matches!(
            store
                .set_account_state("ghost@example.test", AccountState::Active)
                .await,
            Err(StoreError::NotFound(_))
        ));
        store
            .delete_account("alice@example.test")
            .await
            .expect("delete");
        assert!(store.account_by_id(created.id).await.expect("q").is_none());
    }
}

#[tokio::test]
async fn sessions_live_expire_and_die_with_their_account() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let a = store
            .create_account(account("carol@example.test"))
            .await
            .expect("create");
        store
            .create_session(session("k1", a.id, SessionStage::Full))
            .await
            .expect("k1");
        store
            .create_session(session("k2", a.id, SessionStage::SecondFactor))
            .await
            .expect("k2");
        let s = store.session("k2").await.expect("q").expect("exists");
        assert_eq!(s.stage, SessionStage::SecondFactor);
        assert_eq!(s.sealed_password.as_deref(), Some("sealed"));
        store
            .set_session_stage("k2", SessionStage::Full)
            .await
            .expect("stage");
        assert_eq!(
            store.session("k2").await.expect("q").map(|s| s.stage),
            Some(SessionStage::Full)
        );
        assert_eq!(store.sessions_of(a.id).await.expect("list").len(), 2);

        let none = store
            .expired_sessions(now() - 3600, now() - 7200)
            .await
            .expect("expired");
        assert!(none.is_empty());
        let mut all = store.expired_sessions(now() + 1, 0).await.expect("expired");
        all.sort();
        assert_eq!(all, ["k1", "k2"]);
        store.delete_session("k1").await.expect("delete");
        store.delete_session("k2").await.expect("delete");

        store
            .create_session(session("k3", a.id, SessionStage::Full))
            .await
            .expect("k3");
        store
            .delete_account("carol@example.test")
            .await
            .expect("delete");
        assert!(
            store.session("k3").await.expect("q").is_none(),
            "sessions go with the account"
        );
    }
}

#[tokio::test]
async fn audit_log_filters_and_settings_persist() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        for (actor, action, ip) in [
            ("admin@example.test", "account_created", "10.0.0.1"),
            ("dave@example.test", "sign_in_failed", "192.0.2.7"),
            ("dave@example.test", "sign_in", "192.0.2.7"),
        ] {
            let entry = NewAuditEntry {
                actor: Some(actor),
                action,
                target: Some("dave@example.test"),
                client_address: Some(ip),
                detail: None,
            };
            store.audit(entry).await.expect("audit");
        }
        let query =
            |f: AuditFilter| async move { store.audit_entries(&f).await.expect("audit query") };
        let all = query(AuditFilter::default()).await;
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].action, "sign_in", "newest first");
        let by_action = query(AuditFilter {
            action: Some("sign_in_failed".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_action.len(), 1);
        let by_who = query(AuditFilter {
            who: Some("admin@example.test".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_who.len(), 1);
        let by_ip = query(AuditFilter {
            client_address: Some("192.0.2.7".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_ip.len(), 2);
        let future = query(AuditFilter {
            since: Some(now() + 100),
            ..Default::default()
        })
        .await;
        assert!(future.is_empty());

        assert_eq!(store.setting("two_factor_policy").await.expect("q"), None);
        store
            .set_setting("two_factor_policy", "admins")
            .await
            .expect("set");
        store
            .set_setting("two_factor_policy", "everyone")
            .await
            .expect("overwrite");
        assert_eq!(
            store
                .setting("two_factor_policy")
                .await
                .expect("q")
                .as_deref(),
            Some("everyone")
        );
    }
}

#[tokio::test]
async fn preferences_are_one_document_per_account() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("prefs@example.test"))
            .await
            .expect("account")
            .id;
        assert_eq!(store.preferences(id).await.expect("read"), None);
        store
            .set_preferences(id, r#"{"trusted_senders":["a@example.test"]}"#)
            .await
            .expect("write");
        store
            .set_preferences(id, r#"{"trusted_senders":[]}"#)
            .await
            .expect("overwrite");
        assert_eq!(
            store.preferences(id).await.expect("read").as_deref(),
            Some(r#"{"trusted_senders":[]}"#)
        );
        store
            .delete_account("prefs@example.test")
            .await
            .expect("delete");
        assert_eq!(store.preferences(id).await.expect("read"), None);
    }
}

#[tokio::test]
async fn a_send_key_is_claimed_once() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("sender@example.test"))
            .await
            .expect("account")
            .id;
        let (a, b) = tokio::join!(store.claim_send(id, "k1"), store.claim_send(id, "k1"));
        let claims = [a.expect("claim"), b.expect("claim")];
        assert_eq!(claims.iter().filter(|c| **c).count(), 1, "{claims:?}");
        assert!(store.claim_send(id, "k2").await.expect("claim"));
        store.release_send(id, "k1").await.expect("release");
        assert!(store.claim_send(id, "k1").await.expect("claim again"));
    }
}

#[tokio::test]
async fn contacts_complete_by_address_or_name_most_used_first() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("writer@example.test"))
            .await
            .expect("account")
            .id;
        let c = |address: &str, name: &str| Contact {
            address: address.into(),
            name: name.into(),
        };
        store
            .remember_contacts(
                id,
                &[
                    c("Bob@Example.test", "Bob Martin"),
                    c("bea@example.test", ""),
                ],
            )
            .await
            .expect("remember");
        store
            .remember_contacts(id, &[c("bea@example.test", "Béatrice Durand")])
            .await
            .expect("again");
        let found = store.contacts_matching(id, "b", 10).await.expect("query");
        let addresses: Vec<&str> = found.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(
            addresses,
            ["bea@example.test", "bob@example.test"],
            "most used first"
        );
        assert_eq!(found[0].name, "Béatrice Durand");
        let by_name = store
            .contacts_matching(id, "mart", 10)
            .await
            .expect("query");
        assert_eq!(by_name.len(), 1);
        assert!(store
            .contacts_matching(id, "%", 10)
            .await
            .expect("query")
            .is_empty());
        assert!(store
            .contacts_matching(id, "_", 10)
            .await
            .expect("query")
            .is_empty());
    }
}

fn outgoing(account_id: i64, key: &str, due_at: i64, sealed_by: &str) -> NewOutgoing {
    NewOutgoing {
        account_id,
        send_key: key.into(),
        due_at,
        scheduled: false,
        subject: "Objet".into(),
        recipients: "bob@example.test".into(),
        mail_from: "holder@example.test".into(),
        rcpt_to: vec!["bob@example.test".into(), "carol@example.test".into()],
        message_file: format!("{key}.eml"),
        stored_in: "dir-1".into(),
        credential: "sealed".into(),
        sealed_by: sealed_by.into(),
    }
}

#[tokio::test]
async fn held_messages_are_claimed_once_when_due_and_taken_back_while_waiting() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("holder@example.test"))
            .await
            .expect("account")
            .id;
        let held = |key: &str, due_at: i64, sealed_by: &str| outgoing(id, key, due_at, sealed_by);
        let hold = |m: NewOutgoing| async move {
            assert!(store.hold(&m, 100).await.expect("hold"), "room to hold");
        };
        let t = now();
        hold(held("due", t - 1, "k1")).await;
        hold(held("later", t + 3600, "k1")).await;
        hold(held("other-key", t - 1, "k2")).await;
        hold(held("undone", t - 1, "k1")).await;
        let mut elsewhere = held("elsewhere", t - 1, "k1");
        elsewhere.stored_in = "dir-2".into();
        hold(elsewhere).await;
        assert_eq!(
            store.take_back(id, "undone").await.expect("take back"),
            Some("undone.eml".into()),
            "its file, to remove"
        );
        assert_eq!(store.take_back(id, "undone").await.expect("twice"), None);

        let (a, b) = tokio::join!(
            store.claim_due(t, "k1", "dir-1", 10),
            store.claim_due(t, "k1", "dir-1", 10)
        );
        let mut claimed = a.expect("claim");
        claimed.extend(b.expect("claim"));
        assert_eq!(
            claimed.len(),
            1,
            "one instance claims it, among the messages of its key and directory"
        );
        let c = &claimed[0];
        assert_eq!(c.send_key, "due");
        assert_eq!((c.due_at, c.attempts), (t - 1, 0));
        assert_eq!(c.rcpt_to, ["bob@example.test", "carol@example.test"]);
        assert_eq!(c.message_file, "due.eml");
        assert_eq!(
            store.take_back(id, "due").await.expect("take back"),
            None,
            "too late once claimed"
        );
        let mut files = store.held_files("dir-1").await.expect("files");
        files.sort();
        assert_eq!(files, ["due.eml", "later.eml", "other-key.eml"]);

        let listed = store.held(id).await.expect("held");
        let keys: Vec<&str> = listed.iter().map(|h| h.send_key.as_str()).collect();
        assert_eq!(keys, ["due", "elsewhere", "other-key", "later"]);
        assert_eq!(listed[0].state, OutboxState::Sending);
        assert_eq!(listed[2].state, OutboxState::Queued);

        store
            .outbox_failed(id, "due", "refused")
            .await
            .expect("fail");
        let failed = store.held_one(id, "due").await.expect("one").expect("kept");
        assert_eq!(failed.state, OutboxState::Failed);
        assert_eq!(failed.error.as_deref(), Some("refused"));
        assert!(!store
            .held_files("dir-1")
            .await
            .expect("files")
            .contains(&"due.eml".to_owned()));
        assert!(store
            .claim_due(t, "k1", "dir-1", 10)
            .await
            .expect("claim")
            .is_empty());
        // Sent again after a failure: waiting again.
        hold(held("due", t - 1, "k1")).await;
        assert_eq!(
            store
                .claim_due(t, "k1", "dir-1", 10)
                .await
                .expect("claim")
                .len(),
            1
        );
        store.sent_from_outbox(id, "due").await.expect("sent");
        assert!(store.held_one(id, "due").await.expect("one").is_none());

        hold(held("stuck", t - 1, "k1")).await;
        assert_eq!(
            store
                .claim_due(t, "k1", "dir-1", 10)
                .await
                .expect("claim")
                .len(),
            1
        );
        assert_eq!(store.fail_abandoned(now() + 2).await.expect("abandoned"), 1);
        let stuck = store
            .held_one(id, "stuck")
            .await
            .expect("one")
            .expect("kept");
        assert_eq!(stuck.state, OutboxState::Failed);
        assert!(!store
            .held_files("dir-1")
            .await
            .expect("files")
            .contains(&"stuck.eml".to_owned()));
    }
}

#[tokio::test]
async fn a_message_tried_in_vain_waits_for_its_retry_with_the_reason() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("retrier@example.test"))
            .await
            .expect("account")
            .id;
        let t = now();
        assert!(store
            .hold(&outgoing(id, "retry", t - 1, "k1"), 10)
            .await
            .expect("hold"));
        let claimed = store.claim_due(t, "k1", "dir-1", 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        store
            .retry_later(id, "retry", t + 60, "connection refused")
            .await
            .expect("retry");
        let waiting = store
            .held_one(id, "retry")
            .await
            .expect("one")
            .expect("kept");
        assert_eq!(waiting.state, OutboxState::Queued);
        assert_eq!(waiting.retry_at, Some(t + 60));
        assert_eq!(waiting.due_at, t - 1, "still due when it was");
        assert_eq!(waiting.error.as_deref(), Some("connection refused"));
        assert!(
            store
                .claim_due(t + 59, "k1", "dir-1", 10)
                .await
                .expect("claim")
                .is_empty(),
            "not before its retry"
        );
        let again = store
            .claim_due(t + 60, "k1", "dir-1", 10)
            .await
            .expect("claim");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1, "one try failed before");
        assert_eq!(again[0].credential, "sealed", "kept for the next try");
    }
}

#[tokio::test]
async fn holds_sent_at_once_stop_at_the_limit() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("flooder@example.test"))
            .await
            .expect("account")
            .id;
        let max = 5;
        let t = now() + 3600;
        let holds = (0..30).map(|i| {
            let m = outgoing(id, &format!("flood-{i:02}"), t, "k1");
            async move { store.hold(&m, max).await.expect("hold") }
        });
        let outcomes = futures::future::join_all(holds).await;
        assert_eq!(
            outcomes.iter().filter(|held| **held).count(),
            max as usize,
            "{:?}",
            store.backend()
        );
        assert_eq!(store.held(id).await.expect("held").len(), max as usize);
        // A key already held is replaced, not counted again.
        let kept = store.held(id).await.expect("held")[0].send_key.clone();
        assert!(store
            .hold(&outgoing(id, &kept, t + 60, "k1"), max)
            .await
            .expect("replace"));
        assert!(!store
            .hold(&outgoing(id, "one-more", t, "k1"), max)
            .await
            .expect("refused"));
    }
}

#[tokio::test]
async fn identities_keep_one_default_per_account() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("ident@example.test"))
            .await
            .expect("account")
            .id;
        let other = store
            .create_account(account("other@example.test"))
            .await
            .expect("account")
            .id;
        let fields = |name: &str| IdentityFields {
            name: name.into(),
            email: "ident@example.test".into(),
            signature: "—\nSignature".into(),
        };
        let a = store.add_identity(id, &fields("A")).await.expect("add");
        let b = store.add_identity(id, &fields("B")).await.expect("add");
        let listed = store.identities(id).await.expect("list");
        assert_eq!(listed.iter().map(|i| i.id).collect::<Vec<_>>(), [a, b]);
        assert!(listed[0].is_default && !listed[1].is_default);
        assert_eq!(listed[0].signature, "—\nSignature");
        assert!(store.set_default_identity(id, b).await.expect("default"));
        assert!(!store
            .set_default_identity(other, a)
            .await
            .expect("not theirs"));
        assert!(!store
            .update_identity(other, a, &fields("X"))
            .await
            .expect("not theirs"));
        assert!(!store.remove_identity(other, a).await.expect("not theirs"));
        let listed = store.identities(id).await.expect("list");
        assert_eq!(listed[0].id, b);
        assert_eq!(listed.iter().filter(|i| i.is_default).count(), 1);
        assert!(store
            .update_identity(id, a, &fields("A2"))
            .await
            .expect("update"));
        assert!(store.remove_identity(id, b).await.expect("remove"));
        let left = store.identities(id).await.expect("list");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].name, "A2");
        assert!(left[0].is_default, "the one left is the default");
        assert!(store.identities(other).await.expect("list").is_empty());
    }
}

#[tokio::test]
async fn attempts_sent_at_once_are_counted_before_they_are_judged() {
    use estafette_store::ThrottleRules;
    let (_scratch, stores) = migrated().await;
    let rules = ThrottleRules {
        max_failures: 5,
        window_secs: 900,
        hold_secs: 60,
    };
    for (store, _on) in each(&stores) {
        let key = format!("account:{}", unique("guess"));
        let t = now();
        let attempts = (0..100).map(|_| store.reserve_attempt(&key, t, rules));
        let outcomes: Vec<_> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.expect("reserve"))
            .collect();
        let judged: Vec<_> = outcomes.iter().filter(|r| !r.refused).collect();
        assert_eq!(judged.len(), 5, "{:?}: {outcomes:?}", store.backend());
        let mut counts: Vec<i64> = judged.iter().map(|r| r.failures).collect();
        counts.sort();
        assert_eq!(counts, [1, 2, 3, 4, 5], "each its own ticket");
        let refused = outcomes.iter().filter(|r| r.refused).count() as i64;
        assert!(
            outcomes
                .iter()
                .all(|r| !r.refused || r.locked_until == t + 60),
            "the fifth held the key"
        );
        assert_eq!(
            outcomes.iter().map(|r| r.refusals).max(),
            Some(refused),
            "every refusal counted"
        );

        // The fifth is judged wrong: the lock it earned replaces the hold.
        store.set_lock(&key, t + 120).await.expect("lock");
        let again = store
            .reserve_attempt(&key, t + 100, rules)
            .await
            .expect("r");
        assert!(again.refused && again.locked_until == t + 120);
        // After the lock: one attempt is judged (and holds), the next is not.
        let after = store
            .reserve_attempt(&key, t + 121, rules)
            .await
            .expect("r");
        assert!(!after.refused && after.failures == 6);
        let during = store
            .reserve_attempt(&key, t + 121, rules)
            .await
            .expect("r");
        assert!(during.refused, "held while the sixth is judged");
        // Judged right: the hold is given back.
        store.release_attempt(&key, true).await.expect("release");
        let next = store
            .reserve_attempt(&key, t + 122, rules)
            .await
            .expect("r");
        assert!(!next.refused && next.failures == 6);
        // A quiet window forgets everything.
        store.clear_throttle(&key).await.expect("clear");
        let fresh = store
            .reserve_attempt(&key, t + 2_000, rules)
            .await
            .expect("r");
        assert_eq!(fresh.failures, 1);
        assert_eq!(
            store.purge_throttle(900).await.expect("purge"),
            0,
            "a recent key is kept"
        );
    }
}

#[tokio::test]
async fn sends_at_once_are_counted_against_the_limit_before_they_go() {
    use estafette_store::{SendRules, REFUSED_MESSAGES, REFUSED_RECIPIENTS};
    let (_scratch, stores) = migrated().await;
    let rules = SendRules {
        max_messages: 5,
        max_recipients: 12,
        hour_secs: 3600,
        day_secs: 86_400,
    };
    for (store, _on) in each(&stores) {
        let id = store
            .create_account(account("limited@example.test"))
            .await
            .expect("account")
            .id;
        let other = store
            .create_account(account("unlimited@example.test"))
            .await
            .expect("account")
            .id;
        let t = now();
        for i in 0..50 {
            assert!(store
                .claim_send(id, &format!("burst-{i}"))
                .await
                .expect("claim"));
        }
        let keys: Vec<String> = (0..50).map(|i| format!("burst-{i}")).collect();
        let sends = keys
            .iter()
            .map(|key| store.reserve_send(id, key, t, 1, rules));
        let outcomes: Vec<_> = futures::future::join_all(sends)
            .await
            .into_iter()
            .map(|r| r.expect("reserve"))
            .collect();
        let accepted: Vec<_> = outcomes.iter().filter(|r| r.accepted()).collect();
        assert_eq!(accepted.len(), 5, "{:?}: {outcomes:?}", store.backend());
        let mut tickets: Vec<i64> = accepted.iter().map(|r| r.messages).collect();
        tickets.sort();
        assert_eq!(tickets, [1, 2, 3, 4, 5], "each its own ticket");
        assert!(outcomes
            .iter()
            .all(|r| r.accepted() || r.refused == REFUSED_MESSAGES));
        assert_eq!(
            outcomes.iter().map(|r| r.refused_count).max(),
            Some(45),
            "every refusal counted"
        );
        let limited = store.limited_senders(t).await.expect("limited");
        assert_eq!(limited.len(), 1);
        assert_eq!((limited[0].account_id, limited[0].limited_since), (id, t));
        assert_eq!(limited[0].limited_until, t + 3600, "until the window ends");

        // A message that did not go out gives its reservation back, once.
        let gone = outcomes
            .iter()
            .zip(&keys)
            .find(|(r, _)| r.accepted())
            .map(|(_, k)| k.clone())
            .expect("one accepted");
        store.release_send(id, &gone).await.expect("release");
        store.release_send(id, &gone).await.expect("twice");
        assert!(store.claim_send(id, "after-release").await.expect("claim"));
        let again = store
            .reserve_send(id, "after-release", t + 1, 1, rules)
            .await
            .expect("reserve");
        assert!(again.accepted() && again.messages == 5, "{again:?}");
        // A refused one has nothing to give back.
        store.release_send(id, "burst-49").await.expect("release");
        let full = store
            .reserve_send(id, "burst-48", t + 2, 1, rules)
            .await
            .expect("reserve");
        assert!(!full.accepted(), "{full:?}");
        assert_eq!(full.limited_since, t, "the same limited period");

        // Another account is not affected.
        assert!(store.claim_send(other, "o1").await.expect("claim"));
        let free = store
            .reserve_send(other, "o1", t, 1, rules)
            .await
            .expect("reserve");
        assert!(free.accepted() && free.messages == 1);

        // The next hour window starts with the first message after it.
        let next = store
            .reserve_send(id, "burst-47", t + 3600, 7, rules)
            .await
            .expect("reserve");
        assert!(next.accepted(), "{next:?}");
        assert_eq!((next.hour_start, next.messages), (t + 3600, 1));
        assert_eq!(next.recipients, 5 + 7, "the day window goes on");
        // Recipients per day: 12 at most.
        let over = store
            .reserve_send(id, "burst-46", t + 3601, 1, rules)
            .await
            .expect("reserve");
        assert_eq!(over.refused, REFUSED_RECIPIENTS, "{over:?}");
        assert_eq!(
            (over.limited_since, over.refused_count),
            (t + 3601, 1),
            "the first period ended with its hour window: a new one"
        );
        assert_eq!(over.limited_until, t + 86_400, "until the day window ends");

        // An admin's reset forgets it all.
        assert!(store.reset_send_quota(id).await.expect("reset"));
        assert!(store.limited_senders(t).await.expect("limited").is_empty());
        let fresh = store
            .reserve_send(id, "burst-45", t + 3602, 12, rules)
            .await
            .expect("reserve");
        assert!(fresh.accepted() && fresh.messages == 1 && fresh.recipients == 12);
        // A later period is a new one.
        let later = store
            .reserve_send(id, "burst-44", t + 3603, 1, rules)
            .await
            .expect("reserve");
        assert_eq!(
            (later.refused, later.limited_since, later.refused_count),
            (REFUSED_RECIPIENTS, t + 3603, 1)
        );
    }
}

#[tokio::test]
async fn the_audit_log_is_read_in_pages_in_order_and_old_entries_are_forgotten() {
    let (_scratch, stores) = migrated().await;
    for (store, _on) in each(&stores) {
        for n in 0..5 {
            let detail = format!("entry {n}");
            let entry = NewAuditEntry {
                actor: Some("cli"),
                action: "account_created",
                detail: Some(&detail),
                ..Default::default()
            };
            store.audit(entry).await.expect("audit");
        }
        let mut read = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .audit_entries_after(after, None, None, 2)
                .await
                .expect("page");
            let Some(last) = page.last() else { break };
            after = last.id;
            read.extend(page.into_iter().filter_map(|e| e.detail));
        }
        assert_eq!(
            read,
            ["entry 0", "entry 1", "entry 2", "entry 3", "entry 4"],
            "every entry once, oldest first"
        );
        let later = store
            .audit_entries_after(0, Some(now() + 100), None, 100)
            .await
            .expect("since");
        assert!(later.is_empty());
        assert_eq!(
            store.forget_audit_before(now() - 100).await.expect("keep"),
            0
        );
        assert_eq!(
            store.forget_audit_before(now() + 1).await.expect("forget"),
            5
        );
        assert!(store
            .audit_entries_after(0, None, None, 100)
            .await
            .expect("empty")
            .is_empty());
    }
}

/// On SQLite one writer goes at a time: a write that finds the database
/// held (a long import, another instance) waits its turn, longer than
/// SQLite's own five seconds, instead of failing.
#[tokio::test]
async fn a_sqlite_write_waits_for_the_writer_before_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("held.db").display());
    let store = Store::connect(&url, 2).await.expect("sqlite");
    store.migrate().await.expect("migrate");
    let id = store
        .create_account(account("waits@example.test"))
        .await
        .expect("account")
        .id;
    let holder = sqlx::sqlite::SqlitePool::connect(&url)
        .await
        .expect("another writer");
    let mut held = holder.begin().await.expect("begin");
    sqlx::query("CREATE TABLE held (x INTEGER)")
        .execute(&mut *held)
        .await
        .expect("a write that holds the database");
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        held.commit().await.expect("commit");
    });
    let started = std::time::Instant::now();
    store
        .set_preferences(id, r#"{"theme":"dark"}"#)
        .await
        .expect("the write waits for the one before it");
    assert!(started.elapsed() >= std::time::Duration::from_secs(5));
    release.await.expect("released");
    assert_eq!(
        store.preferences(id).await.expect("read").as_deref(),
        Some(r#"{"theme":"dark"}"#)
    );
}
