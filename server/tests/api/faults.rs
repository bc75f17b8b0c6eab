//! When the servers Estafette needs fail: a Dovecot of the test's own
//! stopped and started under a signed-in user, a PostgreSQL of its own
//! stopped and started under the application. Each answers a clear error
//! while it is away, and everything works again once it is back, without a
//! new sign-in.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use estafette_core::accounts::Actor;
use estafette_store::Role;

use crate::helpers::{spawn, spawn_with, unique_email, Db, PgDatabase, PASSWORD};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts")
        .join(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A development mail server of this test's own (its own ports and mail),
/// reading the shared accounts database; stopped when dropped.
struct MailServer {
    dir: tempfile::TempDir,
    imap: u16,
    ports: Vec<(&'static str, u16)>,
}

impl MailServer {
    fn start() -> MailServer {
        let dir = tempfile::tempdir().expect("dir");
        let imap = free_port();
        let ports = vec![
            ("DEVMAIL_IMAP_PORT", imap),
            ("DEVMAIL_SMTP_PORT", free_port()),
            ("DEVMAIL_LMTP_PORT", free_port()),
            ("DEVMAIL_AUTH_PORT", free_port()),
            ("DEVMAIL_SIEVE_PORT", free_port()),
            ("DEVMAIL_RELAY_PORT", free_port()),
        ];
        let server = MailServer { dir, imap, ports };
        server.run("start");
        server
    }

    fn run(&self, what: &str) {
        // The daemons it starts outlive it: their output goes to a file, not
        // to a pipe this test would wait on for ever.
        let log_path = self.dir.path().join(format!("devmail-{what}.log"));
        let log = std::fs::File::create(&log_path).expect("log");
        let status = Command::new(script("devmail.sh"))
            .arg(what)
            .env("DEVMAIL_DIR", self.dir.path().join("mail"))
            .env("DEVMAIL_DB", crate::helpers::mail_env().accounts_db)
            .env("DEVMAIL_MAX_LIFE", "600")
            .envs(self.ports.iter().map(|(k, v)| (*k, v.to_string())))
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .status()
            .expect("devmail.sh");
        assert!(
            status.success(),
            "devmail.sh {what}: {}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.run("stop");
    }
}

/// The inbox page, asked while the mail server is away, says so.
async fn page_says_mail_is_unreachable(app: &crate::helpers::TestApp) {
    let page = app
        .client
        .get(app.url("/"))
        .header("Accept", "text/html")
        .send()
        .await
        .expect("GET /");
    let body = page.text().await.unwrap_or_default();
    assert!(
        body.contains("The mail server cannot be reached"),
        "the page says what is wrong: {body}"
    );
}

/// Polls `status` until it gives `want` (a server coming back takes a moment).
async fn eventually<F, Fut>(what: &str, want: u16, mut status: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let got = status().await;
        if got == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: still {got}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_mail_server_stopped_and_started_under_a_signed_in_user() {
    let dovecot = MailServer::start();
    let imap = dovecot.imap.to_string();
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_IMAP__PORT", &imap)]).await;
    app.signed_in("outage").await;
    assert_eq!(app.post("/api/folders", &[]).await.status(), 200);

    dovecot.run("stop");
    // Its processes end a moment after its master.
    eventually("the folders once IMAP is gone", 502, || async {
        app.post("/api/folders", &[]).await.status().as_u16()
    })
    .await;
    let down = app.post("/api/folders", &[]).await;
    assert_eq!(down.status(), 502, "told, not a blank page");
    assert_eq!(
        down.text().await.unwrap_or_default(),
        r#""MailUnreachable""#
    );
    page_says_mail_is_unreachable(&app).await;
    assert_eq!(app.get("/frame?folder=INBOX&uid=1").await.status(), 502);

    dovecot.run("start");
    eventually("the folders once IMAP is back", 200, || async {
        app.post("/api/folders", &[]).await.status().as_u16()
    })
    .await;
    assert_eq!(
        app.post("/api/messages", &[("folder", "INBOX"), ("page", "0")])
            .await
            .status(),
        200
    );
}

/// A mail server's processes paused (SIGSTOP): connections stay open and
/// new ones are accepted by the kernel, but nothing answers; resumed when
/// dropped, whatever the test found.
struct Frozen(Vec<String>);

impl MailServer {
    fn freeze(&self) -> Frozen {
        let master = std::fs::read_to_string(self.dir.path().join("mail/run/dovecot/master.pid"))
            .expect("Dovecot's pid")
            .trim()
            .to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &master])
            .output()
            .expect("pgrep");
        let mut pids = vec![master];
        pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_owned),
        );
        signal("-STOP", &pids);
        Frozen(pids)
    }
}

fn signal(which: &str, pids: &[String]) {
    let status = Command::new("kill")
        .arg(which)
        .args(pids)
        .status()
        .expect("kill");
    assert!(status.success(), "kill {which} {pids:?}");
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal("-CONT", &self.0);
    }
}

#[tokio::test]
async fn a_mail_server_that_stops_answering_fails_requests_in_time_then_serves_again() {
    let dovecot = MailServer::start();
    let imap = dovecot.imap.to_string();
    let app = spawn_with(
        Db::Shared,
        &[
            ("ESTAFETTE_IMAP__PORT", &imap),
            ("ESTAFETTE_LIMITS__IMAP_TIMEOUT_SECONDS", "2"),
        ],
    )
    .await;
    app.signed_in("frozen").await;
    assert_eq!(app.post("/api/folders", &[]).await.status(), 200);

    let frozen = dovecot.freeze();
    // Four requests of the session at once: the first waits out the open
    // connection, the others each a new login that never gets a greeting.
    // None hangs; each is told the mail server is not answering.
    let started = std::time::Instant::now();
    let calls = (0..4).map(|_| app.post("/api/folders", &[]));
    let answers = futures::future::join_all(calls).await;
    let took = started.elapsed();
    for answer in answers {
        assert_eq!(answer.status(), 502);
        assert_eq!(
            answer.text().await.unwrap_or_default(),
            r#""MailUnreachable""#
        );
    }
    assert!(
        took < Duration::from_secs(20),
        "four requests on a silent server took {took:?}"
    );
    // A page, too, says what is wrong rather than spinning.
    page_says_mail_is_unreachable(&app).await;

    drop(frozen);
    eventually("the folders once IMAP answers again", 200, || async {
        app.post("/api/folders", &[]).await.status().as_u16()
    })
    .await;
    assert_eq!(
        app.post("/api/messages", &[("folder", "INBOX"), ("page", "0")])
            .await
            .status(),
        200
    );
}

/// A PostgreSQL cluster of this test's own; stopped when dropped.
struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    fn run(&self, what: &str) -> String {
        let out = Command::new(script("pg.sh"))
            .arg(what)
            .env("PG_DIR", self.dir.path())
            .env("PG_PORT", self.port.to_string())
            .output()
            .expect("pg.sh");
        assert!(
            out.status.success(),
            "pg.sh {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.run("stop");
    }
}

#[tokio::test]
async fn the_database_stopped_and_started_under_the_application() {
    let dir = tempfile::tempdir().expect("dir");
    #[cfg(unix)]
    {
        // pg.sh runs PostgreSQL as its own user, which must reach the directory.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let pg = Postgres {
        dir,
        port: free_port(),
    };
    let url = pg.run("start");
    // Accounts the dev Dovecot knows: passwords are checked by IMAP here.
    let dovecot = spawn(Db::Shared).await;
    let email = unique_email("dbdown");
    dovecot.create_account(&email, Role::User).await;
    let app = spawn_with(
        Db::Postgres(std::sync::Arc::new(PgDatabase::At(url))),
        &[("ESTAFETTE_AUTH__PASSWORD_SOURCE", "imap")],
    )
    .await;
    app.services
        .create_account(Actor::command_line(), &email, None, Role::User)
        .await
        .expect("account");
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(app.post("/api/folders", &[]).await.status(), 200);

    pg.run("stop");
    assert_eq!(app.get("/readyz").await.status(), 503);
    let api = app.post("/api/folders", &[]).await;
    assert_eq!(api.status(), 503);
    assert_eq!(api.text().await.unwrap_or_default(), r#""Unavailable""#);
    let page = app
        .client
        .get(app.url("/"))
        .header("Accept", "text/html")
        .send()
        .await
        .expect("GET /");
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    let body = page.text().await.unwrap_or_default();
    assert!(
        body.contains("<html") && body.contains("database"),
        "{body}"
    );

    pg.run("start");
    eventually("ready once the database is back", 200, || async {
        app.get("/readyz").await.status().as_u16()
    })
    .await;
    eventually("the same session goes on", 200, || async {
        app.post("/api/folders", &[]).await.status().as_u16()
    })
    .await;
}
