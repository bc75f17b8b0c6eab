//! Virus scanning against a real clamd (Debian's, started by
//! `scripts/clamd.sh` with the EICAR test file's signature): an infected
//! attachment is refused at download, an infected upload or forwarded
//! attachment before it can be sent, each audited; clean files pass; with clamd stopped, files are
//! refused as not scanned, or let through when the configuration says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{send_raw_as, spawn_with, Db, TestApp, PASSWORD};

/// The 68-byte EICAR anti-virus test file: harmless, and every scanner's.
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/clamd.sh")
}

/// A clamd of this test's own; stopped when dropped.
struct Clamd {
    dir: tempfile::TempDir,
    address: String,
}

impl Clamd {
    fn run(dir: &Path, what: &str) -> String {
        let log = dir.join(format!("clamd-{what}.out"));
        let file = std::fs::File::create(&log).expect("log");
        let status = Command::new(script())
            .arg(what)
            .env("CLAMD_DIR", dir.join("clamd"))
            .env("CLAMD_MAX_LIFE", "600")
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .status()
            .expect("clamd.sh");
        let out = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(status.success(), "clamd.sh {what}: {out}");
        out.trim().to_owned()
    }

    fn start() -> Clamd {
        let dir = tempfile::tempdir().expect("dir");
        let address = Clamd::run(dir.path(), "start");
        assert!(address.starts_with("unix:"), "{address}");
        Clamd { dir, address }
    }

    fn stop(&self) {
        Clamd::run(self.dir.path(), "stop");
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn base64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

async fn upload(app: &TestApp, name: &str, data: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/upload?name={name}&type=application%2Foctet-stream"
        )))
        .header("Origin", &app.base)
        .body(data.to_vec())
        .send()
        .await
        .expect("POST /upload")
}

/// The sections of the message's attachments, by name.
async fn sections(app: &TestApp, uid: &str) -> Vec<(String, String)> {
    let outline = app.outline(uid).await;
    outline
        .attachments
        .into_iter()
        .map(|a| (a.name, a.section))
        .collect()
}

#[tokio::test]
async fn a_virus_is_refused_at_download_and_upload_and_clean_files_pass() {
    let clamd = Clamd::start();
    let app = spawn_with(Db::Shared, &[("ESTAFETTE_SCAN__CLAMD", &clamd.address)]).await;
    let (alice, alice_app) = app.user("scan").await;
    let (bob, _) = app.user("scan-sender").await;
    let clean = "Minutes of Tuesday's meeting.\n";
    let raw = format!(
        "From: {bob}\nTo: {alice}\nSubject: Two files\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nAttached.\n\
         --b\nContent-Type: application/octet-stream; name=eicar.com\n\
         Content-Disposition: attachment; filename=eicar.com\nContent-Transfer-Encoding: base64\n\n{}\n\
         --b\nContent-Type: text/plain; name=notes.txt\n\
         Content-Disposition: attachment; filename=notes.txt\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n",
        base64(EICAR.as_bytes()),
        base64(clean.as_bytes()),
    );
    send_raw_as(&bob, &alice, &raw).await;
    let page = alice_app.wait_for_inbox(1).await;
    let uid = page.rows[0].uid.to_string();
    let parts = sections(&alice_app, &uid).await;
    let section = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no {name} in {parts:?}"))
    };
    let (infected, harmless) = (section("eicar.com"), section("notes.txt"));
    let part = |section: String, view: bool| {
        let alice_app = &alice_app;
        let uid = uid.clone();
        async move {
            let view = if view { "&view=true" } else { "" };
            alice_app
                .get(&format!(
                    "/part?folder=INBOX&uid={uid}&section={section}{view}"
                ))
                .await
        }
    };

    for view in [false, true] {
        let refused = part(infected.clone(), view).await;
        assert_eq!(refused.status(), 422, "downloaded or previewed");
        let said = refused.text().await.unwrap_or_default();
        assert!(said.contains("Eicar-Test-Signature"), "{said}");
        assert!(!said.contains("EICAR-STANDARD"), "none of the file: {said}");
    }
    let fine = part(harmless.clone(), false).await;
    assert_eq!(fine.status(), 200);
    assert_eq!(fine.text().await.unwrap_or_default(), clean);

    // Uploads: the virus is refused and nothing of it stays; a clean file waits.
    let refused = upload(&alice_app, "eicar.com", EICAR.as_bytes()).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap_or_default()
        .contains("Eicar-Test-Signature"));
    assert_eq!(
        alice_app.upload_files(),
        0,
        "the infected upload is removed"
    );
    let kept = upload(&alice_app, "notes.txt", clean.as_bytes()).await;
    assert_eq!(kept.status(), 201);
    let waiting = alice_app.upload_files();
    assert!(waiting > 0);

    // Forwarding the message would send the virus as alice's own: refused.
    let forward = alice_app
        .post(
            "/api/start_from",
            &[("folder", "INBOX"), ("uid", &uid), ("start", "forward")],
        )
        .await;
    assert_eq!(forward.status(), 422);
    assert!(forward
        .text()
        .await
        .unwrap_or_default()
        .contains("Eicar-Test-Signature"));

    let audit = app.audit_of(&alice).await;
    let refusals: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "virus_refused")
        .collect();
    assert_eq!(refusals.len(), 4, "each refusal audited: {audit:?}");
    // (clamd names signatures of a database of one's own `….UNOFFICIAL`.)
    assert!(
        refusals.iter().all(|e| e
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("Eicar-Test-Signature"))),
        "{refusals:?}"
    );

    // clamd stopped: not scanned, so refused (the default) …
    clamd.stop();
    let held = part(harmless.clone(), false).await;
    assert_eq!(held.status(), 503);
    assert_eq!(held.text().await.unwrap_or_default(), r#""NotScanned""#);
    let held = upload(&alice_app, "notes.txt", clean.as_bytes()).await;
    assert_eq!(held.status(), 503);
    assert_eq!(
        alice_app.upload_files(),
        waiting,
        "only the earlier clean upload"
    );

    // … or let through where the administrator chose so.
    let allowing = spawn_with(
        Db::Shared,
        &[
            ("ESTAFETTE_SCAN__CLAMD", &clamd.address),
            ("ESTAFETTE_SCAN__WHEN_UNAVAILABLE", "allow"),
        ],
    )
    .await;
    let browser = allowing.new_browser();
    assert_eq!(browser.sign_in(&alice, PASSWORD).await.status(), 200);
    let through = browser
        .get(&format!("/part?folder=INBOX&uid={uid}&section={harmless}"))
        .await;
    assert_eq!(through.status(), 200);
    assert_eq!(through.text().await.unwrap_or_default(), clean);
}
