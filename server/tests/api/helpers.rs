use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use app::api::mail::{MessageOutline, MessagePage};
use estafette::startup::Application;
use estafette_core::accounts::Actor;
use estafette_core::{Config, Services};
use estafette_store::scratch::ScratchDatabase;
use estafette_store::Role;
use secrecy::SecretString;

/// Where scripts/test.sh started the development mail server.
pub struct MailEnv {
    pub imap_port: u16,
    pub smtp_port: u16,
    pub sieve_port: u16,
    /// The accounts database Dovecot reads as its passdb.
    pub accounts_db: String,
}

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run the tests with scripts/test.sh"))
}

pub fn mail_env() -> MailEnv {
    MailEnv {
        imap_port: env("ESTAFETTE_TEST_IMAP_PORT").parse().expect("IMAP port"),
        smtp_port: env("ESTAFETTE_TEST_SMTP_PORT").parse().expect("SMTP port"),
        sieve_port: env("ESTAFETTE_TEST_SIEVE_PORT")
            .parse()
            .expect("ManageSieve port"),
        accounts_db: env("ESTAFETTE_TEST_ACCOUNTS_DB"),
    }
}

/// Which database the application under test uses.
pub enum Db {
    /// A new SQLite file of its own.
    Fresh,
    /// The database Dovecot reads, so that accounts can log into IMAP.
    Shared,
    /// A PostgreSQL database, shared by the instances given it.
    Postgres(Arc<PgDatabase>),
}

/// A PostgreSQL database of the application under test.
pub enum PgDatabase {
    /// A new one on the server scripts/test.sh started, dropped once the
    /// last instance on it is.
    Scratch(ScratchDatabase),
    /// One a test runs itself (and stops with its server).
    At(String),
}

impl PgDatabase {
    fn url(&self) -> &str {
        match self {
            PgDatabase::Scratch(db) => db.url(),
            PgDatabase::At(url) => url,
        }
    }
}

/// A new, empty PostgreSQL database on the server scripts/test.sh started.
async fn fresh_postgres() -> Arc<PgDatabase> {
    let db = ScratchDatabase::create(&env("ESTAFETTE_TEST_POSTGRES_URL"), "estafette_instances")
        .await
        .expect("create database");
    Arc::new(PgDatabase::Scratch(db))
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    pub services: Arc<Services>,
    /// The application's database, opened again to look into it.
    pub store: estafette_store::Store,
    _dir: Arc<tempfile::TempDir>,
    /// Dropped (a scratch database with it) after every instance on it.
    _postgres: Option<Arc<PgDatabase>>,
    server: tokio::task::AbortHandle,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique address in the dev mail domain.
pub fn unique_email(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{nanos}@example.test", std::process::id())
}

/// Submits `message` through the dev Postfix as `from` (whose password is `PASSWORD`).
pub async fn send_as(from: &str, message: &lettre::Message) {
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().smtp_port,
        security: estafette_mail::Security::Plain,
    };
    estafette_mail::smtp::send(
        &server,
        from,
        &secrecy::SecretString::from(PASSWORD),
        message,
    )
    .await
    .expect("submission");
}

/// Submits the bytes `raw` through the dev Postfix as `from`, to `to`.
pub async fn send_raw_as(from: &str, to: &str, raw: &str) {
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().smtp_port,
        security: estafette_mail::Security::Plain,
    };
    let envelope = estafette_mail::smtp::envelope(from, &[to.to_owned()]).expect("envelope");
    estafette_mail::smtp::submit(
        &server,
        from,
        &secrecy::SecretString::from(PASSWORD),
        &envelope,
        raw.replace('\n', "\r\n").as_bytes(),
    )
    .await
    .expect("submission");
}

/// A ManageSieve session of `user` on the dev Dovecot, as another client's.
pub async fn sieve_as(user: &str) -> estafette_mail::managesieve::ManageSieve {
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().sieve_port,
        security: estafette_mail::Security::Plain,
    };
    estafette_mail::managesieve::login(&server, user, &secrecy::SecretString::from(PASSWORD))
        .await
        .expect("ManageSieve login")
}

/// Puts `raw` into `folder` of `user` over IMAP, as another mail client would.
pub async fn append_as(user: &str, folder: &str, raw: &[u8]) {
    let server = estafette_mail::MailServer {
        host: "127.0.0.1".into(),
        port: mail_env().imap_port,
        security: estafette_mail::Security::Plain,
    };
    let mut imap =
        estafette_mail::imap::login(&server, user, &secrecy::SecretString::from(PASSWORD))
            .await
            .expect("IMAP login");
    imap.append(folder, None, None, raw).await.expect("APPEND");
    let _ = imap.logout().await;
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A request the server does not answer within this fails its test, naming
/// the request, rather than holding the whole run.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// A browser: its cookie jar and a client that keeps cookies in it.
pub fn client() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client");
    (client, jar)
}

pub async fn spawn(db: Db) -> TestApp {
    spawn_with(db, &[]).await
}

/// Two instances on one new PostgreSQL database, as a deployment of
/// several runs them: passwords checked by the mail server (Dovecot knows
/// the shared SQLite file's accounts), one secret key; `extra` settings on
/// both. With them, the instance on the shared file that makes mail accounts.
pub async fn two_on_postgres(extra: &[(&str, &str)]) -> (TestApp, TestApp, TestApp) {
    let db = fresh_postgres().await;
    let mut settings = vec![
        ("ESTAFETTE_AUTH__PASSWORD_SOURCE", "imap"),
        (
            "ESTAFETTE_AUTH__SECRET_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
    ];
    settings.extend_from_slice(extra);
    let one = spawn_with(Db::Postgres(db.clone()), &settings).await;
    let two = spawn_with(Db::Postgres(db), &settings).await;
    (one, two, spawn(Db::Shared).await)
}

/// A new account known to the mail server (through `dovecot`) and to the
/// PostgreSQL database of `instance`.
pub async fn account_on_both(dovecot: &TestApp, instance: &TestApp, prefix: &str) -> String {
    let email = unique_email(prefix);
    dovecot.create_account(&email, Role::User).await;
    instance
        .services
        .create_account(Actor::command_line(), &email, None, Role::User)
        .await
        .expect("account in PostgreSQL");
    email
}

/// Starts the application with extra `ESTAFETTE_*` overrides.
pub async fn spawn_with(db: Db, extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mail = mail_env();
    let (url, postgres) = match db {
        Db::Fresh => (
            format!("sqlite://{}", dir.path().join("estafette.db").display()),
            None,
        ),
        Db::Shared => (format!("sqlite://{}", mail.accounts_db), None),
        Db::Postgres(db) => (db.url().to_owned(), Some(db)),
    };
    let mut vars: Vec<(String, String)> = vec![
        ("ESTAFETTE_SERVER__LISTEN".into(), "127.0.0.1:0".into()),
        (
            "ESTAFETTE_SERVER__DATA_DIR".into(),
            dir.path().display().to_string(),
        ),
        ("ESTAFETTE_DATABASE__URL".into(), url),
        (
            "ESTAFETTE_SERVER__UPLOAD_DIR".into(),
            dir.path().join("uploads").display().to_string(),
        ),
        ("ESTAFETTE_IMAP__PORT".into(), mail.imap_port.to_string()),
        ("ESTAFETTE_IMAP__SECURITY".into(), "plain".into()),
        ("ESTAFETTE_SMTP__PORT".into(), mail.smtp_port.to_string()),
        ("ESTAFETTE_SMTP__SECURITY".into(), "plain".into()),
        ("ESTAFETTE_SIEVE__PORT".into(), mail.sieve_port.to_string()),
        ("ESTAFETTE_SIEVE__SECURITY".into(), "plain".into()),
        // Every test signs in from 127.0.0.1: the per-address limit has its own test.
        (
            "ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS".into(),
            "100000".into(),
        ),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::load(None, vars).expect("test configuration");
    let database = config.database_url();
    let app = Application::build(config).await.expect("application");
    let store = estafette_store::Store::connect(&database, 2)
        .await
        .expect("the test's own look into the database");
    let base = format!("http://{}", app.local_addr().expect("address"));
    let services = app.services();
    let server = tokio::spawn(app.run()).abort_handle();
    let (client, jar) = client();
    TestApp {
        base,
        client,
        jar,
        services,
        store,
        _dir: Arc::new(dir),
        _postgres: postgres,
        server,
    }
}

impl TestApp {
    /// Stops the instance, its background work included (as a restart would).
    pub fn stop(&self) {
        self.server.abort();
    }

    /// The same application, seen from another browser (its own cookies).
    pub fn new_browser(&self) -> TestApp {
        let (client, jar) = client();
        TestApp {
            base: self.base.clone(),
            client,
            jar,
            services: self.services.clone(),
            store: self.store.clone(),
            _dir: self._dir.clone(),
            _postgres: self._postgres.clone(),
            server: self.server.clone(),
        }
    }

    /// The same application reached at `base` (through a proxy), by a
    /// browser of its own whose client `configure` sets up.
    pub fn browser_through(
        &self,
        base: &str,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> TestApp {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let builder = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT);
        TestApp {
            base: base.to_owned(),
            client: configure(builder).build().expect("client"),
            jar,
            services: self.services.clone(),
            store: self.store.clone(),
            _dir: self._dir.clone(),
            _postgres: self._postgres.clone(),
            server: self.server.clone(),
        }
    }

    /// The same application and the same cookies (to move into a future).
    pub fn clone_browser(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            client: self.client.clone(),
            jar: self.jar.clone(),
            services: self.services.clone(),
            store: self.store.clone(),
            _dir: self._dir.clone(),
            _postgres: self._postgres.clone(),
            server: self.server.clone(),
        }
    }

    /// Puts a cookie (`name=value`) in this browser's jar, as another browser
    /// of the same person would hold it.
    pub fn set_cookie(&self, cookie: &str) {
        let url = reqwest::Url::parse(&self.base).expect("base URL");
        self.jar.add_cookie_str(&format!("{cookie}; Path=/"), &url);
    }

    /// The session cookie (`name=value`) this browser holds, if any.
    pub fn session_cookie_of(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).ok()?;
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find(|c| c.starts_with("estafette="))
            .map(str::to_owned)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A page as a browser asks for it, in `language`; its HTML.
    pub async fn page(&self, path: &str, language: &str) -> String {
        let res = self
            .client
            .get(self.url(path))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Accept-Language", language)
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status(), 200, "{path}");
        res.text().await.expect("body")
    }

    /// A form POST as a page of ours sends it (with our `Origin`).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn create_account(&self, email: &str, role: Role) {
        self.services
            .create_account(
                Actor::command_line(),
                email,
                Some(&SecretString::from(PASSWORD)),
                role,
            )
            .await
            .expect("create account");
    }

    /// A new user (`prefix-…@example.test`), this browser signed in as them.
    pub async fn signed_in(&self, prefix: &str) -> String {
        let email = unique_email(prefix);
        self.create_account(&email, Role::User).await;
        let res = self.sign_in(&email, PASSWORD).await;
        assert_eq!(res.status(), 200, "{email} signs in");
        email
    }

    /// Two new users, this browser signed in as the first (who writes to
    /// the second, say).
    pub async fn alice_and_bob(&self) -> (String, String) {
        let bob = unique_email("bob");
        self.create_account(&bob, Role::User).await;
        (self.signed_in("alice").await, bob)
    }

    /// A new user (`prefix-…@example.test`) signed in in a browser of their own.
    pub async fn user(&self, prefix: &str) -> (String, TestApp) {
        let email = unique_email(prefix);
        self.create_account(&email, Role::User).await;
        let browser = self.new_browser();
        assert_eq!(browser.sign_in(&email, PASSWORD).await.status(), 200);
        (email, browser)
    }

    /// What the message view shows around message `uid` of the INBOX.
    pub async fn outline(&self, uid: &str) -> MessageOutline {
        let res = self
            .post("/api/outline", &[("folder", "INBOX"), ("uid", uid)])
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("an outline")
    }

    /// The message view's document of message `uid` of the INBOX.
    pub async fn frame(&self, uid: &str) -> String {
        let res = self.get(&format!("/frame?folder=INBOX&uid={uid}")).await;
        assert_eq!(res.status(), 200);
        res.text().await.unwrap_or_default()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/api/sign_in", &[("email", email), ("password", password)])
            .await
    }

    /// The first page of the signed-in user's INBOX, as the list API returns it.
    pub async fn inbox(&self) -> MessagePage {
        self.list(&[("folder", "INBOX")]).await
    }

    /// A page of the message list (`folder`, `page` and any search fields).
    pub async fn list(&self, form: &[(&str, &str)]) -> MessagePage {
        // The search fields are one argument, `search[...]`, of the list.
        let mut fields: Vec<(String, &str)> = form
            .iter()
            .map(|(k, v)| match *k {
                "folder" | "page" | "sort" | "conversations" => (k.to_string(), *v),
                search => (format!("search[{search}]"), *v),
            })
            .collect();
        if !form.iter().any(|(k, _)| *k == "page") {
            fields.push(("page".into(), "0"));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let res = self.post("/api/messages", &fields).await;
        assert_eq!(res.status(), 200, "list {form:?}");
        res.json().await.expect("a page of the list")
    }

    /// Waits until the INBOX holds `total` messages (delivery takes a moment).
    pub async fn wait_for_inbox(&self, total: u32) -> MessagePage {
        eventually(10, &format!("the INBOX holds {total} messages"), || async {
            Some(self.inbox().await).filter(|page| page.total == total)
        })
        .await
    }

    /// Waits for the INBOX row with `subject`; its UID.
    pub async fn wait_for_subject(&self, subject: &str) -> String {
        eventually(10, &format!("a message {subject:?} arrives"), || async {
            let page = self.inbox().await;
            let row = page.rows.iter().find(|r| r.subject == subject)?;
            Some(row.uid.to_string())
        })
        .await
    }

    /// The data directory (another instance given it is this one restarted).
    pub fn data_dir(&self) -> String {
        self._dir.path().display().to_string()
    }

    /// Messages waiting as files in the data directory's outbox.
    pub fn held_files(&self) -> usize {
        std::fs::read_dir(self._dir.path().join("outbox"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Files under the data directory's uploads (every session's).
    pub fn upload_files(&self) -> usize {
        fn count(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                count(&e.path())
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        count(&self._dir.path().join("uploads"))
    }

    /// The account, which must exist.
    pub async fn account(&self, email: &str) -> estafette_store::Account {
        self.store
            .account_by_email(email)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no account {email}"))
    }

    /// The audit entries about `email` (as actor or target), newest first.
    pub async fn audit_of(&self, email: &str) -> Vec<estafette_store::AuditEntry> {
        let filter = estafette_store::AuditFilter {
            who: Some(email.to_owned()),
            ..Default::default()
        };
        self.store.audit_entries(&filter).await.expect("audit")
    }

    /// A form POST from our origin carrying another client's session cookie.
    pub async fn post_as(
        &self,
        cookie: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", &self.base)
            .header("Cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// The session cookie the client holds, if any.
    pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("estafette="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }
}

/// Enrols the signed-in user of `app`; returns the secret, the code that
/// confirmed it, and the recovery codes.
pub async fn enrol(app: &TestApp) -> (estafette_auth::TotpSecret, String, Vec<String>) {
    let res = app
        .post("/api/start_enrolment", &[("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 200);
    let view: app::api::security::EnrolmentView = res.json().await.expect("an enrolment");
    let key = view.key;
    assert!(view.qr_data_url.starts_with("data:image/svg+xml;base64,"));
    let secret = estafette_auth::TotpSecret::from_base32(&key).expect("base32 key");

    let wrong = app
        .post("/api/confirm_enrolment", &[("code", "000000")])
        .await;
    assert_eq!(
        wrong.status(),
        401,
        "a wrong first code does not turn it on"
    );
    let code = secret.code_at(estafette_store::now() as u64);
    let res = app.post("/api/confirm_enrolment", &[("code", &code)]).await;
    assert_eq!(res.status(), 200);
    let codes: Vec<String> = res.json().await.expect("recovery codes");
    assert_eq!(codes.len(), 10);
    (secret, code, codes)
}

/// An SMTP server that is down, then back: a loopback relay to the dev
/// Postfix that closes every connection at once until `come_up`, then
/// forwards them.
pub struct Relay {
    pub port: u16,
    up: Arc<AtomicBool>,
    closed: Arc<AtomicU32>,
    task: tokio::task::AbortHandle,
}

impl Relay {
    pub async fn start() -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("relay port");
        let port = listener.local_addr().expect("relay address").port();
        let (up, closed) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU32::new(0)),
        );
        let smtp = mail_env().smtp_port;
        let task = tokio::spawn({
            let (up, closed) = (up.clone(), closed.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        closed.fetch_add(1, Ordering::SeqCst);
                        drop(inbound);
                        continue;
                    }
                    tokio::spawn(async move {
                        if let Ok(mut postfix) =
                            tokio::net::TcpStream::connect(("127.0.0.1", smtp)).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut postfix).await;
                        }
                    });
                }
            }
        })
        .abort_handle();
        Relay {
            port,
            up,
            closed,
            task,
        }
    }

    /// From now on, connections reach Postfix.
    pub fn come_up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// Connections closed while down.
    pub fn closed(&self) -> u32 {
        self.closed.load(Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `check` every 100 ms until it gives a value, for at most `seconds`.
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    seconds: u64,
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within {seconds} s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
