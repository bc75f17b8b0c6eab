//! Prometheus metrics, scraped from a real `estafette serve` of the test's
//! own (one process, one recorder: its counts are its own), on the address
//! of its own the configuration gives them — never the application's.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use estafette_store::Role;

use crate::helpers::{mail_env, spawn, unique_email, Db, PASSWORD};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The server process, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The value of the sample of `name` carrying every one of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn the_metrics_count_sign_ins_requests_and_connections_on_their_own_address() {
    let setup = spawn(Db::Shared).await;
    let email = unique_email("metrics");
    setup.create_account(&email, Role::User).await;
    let dir = tempfile::tempdir().expect("dir");
    let mail = mail_env();
    let (web, scrape) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_estafette"))
        .arg("serve")
        .env_remove("ESTAFETTE_CONFIG")
        .env("ESTAFETTE_SERVER__LISTEN", format!("127.0.0.1:{web}"))
        .env(
            "ESTAFETTE_SERVER__METRICS_LISTEN",
            format!("127.0.0.1:{scrape}"),
        )
        .env("ESTAFETTE_SERVER__DATA_DIR", dir.path())
        .env("ESTAFETTE_SERVER__UPLOAD_DIR", dir.path().join("uploads"))
        .env(
            "ESTAFETTE_DATABASE__URL",
            format!("sqlite://{}", mail.accounts_db),
        )
        .env("ESTAFETTE_IMAP__PORT", mail.imap_port.to_string())
        .env("ESTAFETTE_IMAP__SECURITY", "plain")
        .env("ESTAFETTE_SMTP__PORT", mail.smtp_port.to_string())
        .env("ESTAFETTE_SMTP__SECURITY", "plain")
        .env("ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS", "100000")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("estafette serve");
    let _served = Served(child);
    let app = format!("http://127.0.0.1:{web}");
    let metrics = format!("http://127.0.0.1:{scrape}/metrics");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{app}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server came up");

    let sign_in = |password: &'static str| {
        let (client, app, email) = (client.clone(), app.clone(), email.clone());
        async move {
            client
                .post(format!("{app}/api/sign_in"))
                .header("Origin", &app)
                .form(&[("email", email.as_str()), ("password", password)])
                .send()
                .await
                .expect("sign-in")
                .status()
        }
    };
    assert_eq!(sign_in("not the password").await, 401);
    assert_eq!(sign_in(PASSWORD).await, 200);
    let listed = client
        .post(format!("{app}/api/messages"))
        .header("Origin", &app)
        .form(&[("folder", "INBOX"), ("page", "0")])
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), 200);
    // A path no route knows, and the metrics asked of the application.
    let stranger = client
        .get(format!("{app}/api/no-such-function-x7"))
        .send()
        .await
        .expect("stranger");
    assert!(stranger.status().is_client_error());
    let public = client
        .get(format!("{app}/metrics"))
        .send()
        .await
        .expect("public");
    let public_body = public.text().await.unwrap_or_default();
    assert!(
        !public_body.contains("# TYPE") && !public_body.contains("estafette_http_requests_total"),
        "the application's address does not serve the metrics"
    );

    let scraped = client.get(&metrics).send().await.expect("scrape");
    assert_eq!(scraped.status(), 200);
    let text = scraped.text().await.expect("text");
    let count = |name: &str, labels: &[(&str, &str)]| {
        sample(&text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"))
    };
    let sign_ins = "estafette_sign_ins_total";
    assert_eq!(
        count(
            sign_ins,
            &[("step", "password"), ("outcome", "wrong_password")]
        ),
        1.0
    );
    assert_eq!(
        count(sign_ins, &[("step", "password"), ("outcome", "success")]),
        1.0
    );
    assert_eq!(
        count(
            "estafette_http_requests_total",
            &[("route", "/api/messages"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        count(
            "estafette_http_requests_total",
            &[("route", "/api/sign_in"), ("status", "401")]
        ),
        1.0
    );
    assert!(
        count(
            "estafette_http_request_duration_seconds_count",
            &[("route", "/api/messages")]
        ) >= 1.0
    );
    assert!(
        !text.contains("no-such-function"),
        "unknown paths make no series"
    );
    assert!(count("estafette_imap_logins_total", &[("outcome", "ok")]) >= 1.0);
    assert!(count("estafette_imap_operation_seconds_count", &[]) >= 1.0);
    assert_eq!(count("estafette_imap_connections_open", &[]), 1.0);
    assert!(count("estafette_active_sessions", &[]) >= 1.0);
    assert_eq!(count("estafette_database_up", &[]), 1.0);
    assert!(count("estafette_outbox_waiting", &[]) >= 0.0);
}
