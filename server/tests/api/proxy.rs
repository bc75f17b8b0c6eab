//! Behind a real nginx (Debian's), configured with the README's own block:
//! clients behind the proxy are told apart by the address it forwards, a
//! client cannot choose its address with a header of its own, and live
//! updates and uploads pass through.

use std::net::IpAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use app::api::security::SessionView;
use estafette_store::Role;

use crate::helpers::{spawn_with, unique_email, Db, TestApp, PASSWORD};

/// A running nginx; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers with it (a SIGKILL would
        // leave them behind).
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The nginx block of the README, to be served on loopback.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme
        .find("```nginx\n")
        .expect("an nginx block in the README")
        + 9;
    let end = start + readme[start..].find("```").expect("its end");
    readme[start..end].to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// nginx in front of the application listening on `upstream`, with a
/// certificate of its own.
fn nginx_in_front_of(upstream: u16) -> Nginx {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=127.0.0.1", "-keyout"])
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .output()
        .expect("openssl (installed by scripts/setup.sh)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = free_port();
    let block = readme_block();
    let server = block
        .replace("listen 443 ssl", &format!("listen 127.0.0.1:{port} ssl"))
        .replace(
            "/etc/letsencrypt/live/mail.example.org/fullchain.pem",
            &d.join("cert.pem").display().to_string(),
        )
        .replace(
            "/etc/letsencrypt/live/mail.example.org/privkey.pem",
            &d.join("key.pem").display().to_string(),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{upstream}"));
    assert_ne!(
        server, block,
        "the README's block has the lines the test changes"
    );
    let conf = format!(
        "daemon off;\nuser root;\npid {pid};\nerror_log {log} info;\nworker_processes 1;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n\
         {server}\n}}\n",
        pid = d.join("nginx.pid").display(),
        log = d.join("error.log").display(),
        d = d.display(),
    );
    std::fs::write(d.join("nginx.conf"), conf).expect("nginx.conf");
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(d.join("nginx.conf"))
        .spawn()
        .expect("nginx (installed by scripts/setup.sh)");
    let nginx = Nginx {
        child,
        port,
        _dir: dir,
    };
    wait_for_port(port, &nginx._dir.path().join("error.log"));
    nginx
}

fn nginx_binary() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

fn wait_for_port(port: u16, log: &Path) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "nginx did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A browser connecting from `from` (another loopback address) through nginx.
fn browser_at(app: &TestApp, nginx: &Nginx, from: &str) -> TestApp {
    let base = format!("https://127.0.0.1:{}", nginx.port);
    let from: IpAddr = from.parse().expect("address");
    app.browser_through(&base, |b| {
        b.danger_accept_invalid_certs(true).local_address(from)
    })
}

#[tokio::test]
async fn clients_behind_the_proxy_are_told_apart_and_cannot_choose_their_address() {
    let app = spawn_with(
        Db::Shared,
        &[
            ("ESTAFETTE_SERVER__TLS", "true"),
            ("ESTAFETTE_SERVER__TRUSTED_PROXIES", r#"["127.0.0.1"]"#),
            ("ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS", "5"),
        ],
    )
    .await;
    let upstream: u16 = app
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let nginx = nginx_in_front_of(upstream);
    let owner = unique_email("behind");
    app.create_account(&owner, Role::User).await;

    // Loopback addresses of this run's own: the throttle's rows outlive it
    // in the shared database.
    let run = std::process::id();
    let (guesser_at, neighbour_at) = (
        format!("127.{}.{}.2", (run >> 8) & 0xff, run & 0xff),
        format!("127.{}.{}.3", (run >> 8) & 0xff, run & 0xff),
    );
    // A guesser tries many accounts: its address is locked...
    let guesser = browser_at(&app, &nginx, &guesser_at);
    for i in 0..5 {
        let status = guesser
            .sign_in(&unique_email("sprayed"), &format!("guess {i}"))
            .await
            .status();
        assert_eq!(status, 401, "guess {i}");
    }
    let locked = guesser.sign_in(&owner, PASSWORD).await;
    assert_eq!(locked.status(), 429, "the guesser's address is locked");
    // ...and writing another address of its own changes nothing.
    let forged = guesser
        .client
        .post(guesser.url("/api/sign_in"))
        .header("Origin", &guesser.base)
        .header("X-Forwarded-For", "198.51.100.99")
        .form(&[("email", owner.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), 429);

    // Another client behind the same proxy is not locked out.
    let neighbour = browser_at(&app, &nginx, &neighbour_at);
    assert_eq!(neighbour.sign_in(&owner, PASSWORD).await.status(), 200);
    let sessions: Vec<SessionView> = neighbour
        .post("/api/my_sessions", &[])
        .await
        .json()
        .await
        .expect("sessions");
    assert_eq!(sessions[0].address, neighbour_at, "{sessions:?}");
    let audit = app.audit_of(&owner).await;
    assert!(
        audit
            .iter()
            .any(|e| e.action == "sign_in"
                && e.client_address.as_deref() == Some(neighbour_at.as_str())),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .all(|e| e.client_address.as_deref() != Some("198.51.100.99")),
        "a client's own header is never believed: {audit:?}"
    );

    // Live updates stream through (not buffered), and uploads pass.
    let mut events = neighbour.get("/events?folder=INBOX").await;
    assert_eq!(events.status(), 200);
    let first = tokio::time::timeout(Duration::from_secs(10), events.chunk()).await;
    let first = first
        .expect("the ready event in time")
        .expect("chunk")
        .unwrap_or_default();
    assert!(String::from_utf8_lossy(&first).contains("event: ready"));
    let upload = neighbour
        .client
        .post(neighbour.url("/upload?name=big.bin&type=application/octet-stream"))
        .header("Origin", &neighbour.base)
        .body(vec![7u8; 3 << 20])
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
}
