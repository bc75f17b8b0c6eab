//! Prometheus metrics, scraped from a real `estafette serve` of the test's
//! own (one process, one recorder: its counts are its own), on the address
//! of its own the configuration gives them — never the application's.

use estafette_store::Role;

use crate::helpers::{spawn, unique_email, Db, PASSWORD};
use crate::process::{free_port, Served};

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
    let scrape = free_port();
    let served = Served::start(
        dir.path(),
        &[(
            "ESTAFETTE_SERVER__METRICS_LISTEN",
            format!("127.0.0.1:{scrape}"),
        )],
        None,
    )
    .await;
    let (client, app) = (served.client.clone(), served.app.clone());
    let metrics = format!("http://127.0.0.1:{scrape}/metrics");
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

    // An attachment waiting to be sent is counted with its bytes.
    let uploaded = client
        .post(format!(
            "{app}/upload?name=a.bin&type=application%2Foctet-stream"
        ))
        .header("Origin", &app)
        .body(vec![7u8; 12_345])
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), 201);

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
    assert_eq!(count("estafette_upload_files", &[]), 1.0);
    assert_eq!(count("estafette_upload_bytes", &[]), 12_345.0);
    assert_eq!(
        count(
            "estafette_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    // Each IMAP command is timed under its own name, read off the wire:
    // the right sign-in logged in, the page selected INBOX (empty: nothing
    // to fetch).
    let command = "estafette_imap_command_seconds_count";
    assert!(count(command, &[("command", "LOGIN")]) >= 1.0);
    assert!(count(command, &[("command", "SELECT")]) >= 1.0);
    assert!(
        sample(
            &text,
            "estafette_imap_command_seconds_bucket",
            &[("command", "SELECT"), ("le", "+Inf")]
        )
        .is_some(),
        "a latency histogram per command"
    );
    assert!(
        !text.contains("correct horse"),
        "no argument of a command is a label"
    );
}
