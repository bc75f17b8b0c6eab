//! `estafette doctor` against the development mail server, then against a
//! configuration whose servers and data directory are wrong.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use estafette_store::Role;

use crate::helpers::{mail_env, spawn, unique_email, Db, PASSWORD};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A built site as `scripts/build.sh` lays it out (the doctor looks for the
/// files, it does not run them).
fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("site");
    let bundle = site.path().join("pkg/0123456789ab");
    std::fs::create_dir_all(&bundle).expect("bundle dir");
    std::fs::write(site.path().join("pkg/VERSION"), "0123456789ab\n").expect("VERSION");
    for f in ["estafette.js", "estafette_bg.wasm", "estafette.css"] {
        std::fs::write(bundle.join(f), b"x").expect("bundle file");
    }
    site
}

fn doctor(env: &[(&str, String)], user: Option<&str>) -> (Output, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_estafette"));
    cmd.arg("doctor")
        .env_remove("ESTAFETTE_CONFIG")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(user) = user {
        cmd.args(["--user", user, "--password-stdin"]);
    }
    let mut child = cmd.spawn().expect("estafette doctor");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{PASSWORD}");
    }
    let out = child.wait_with_output().expect("doctor output");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, text)
}

fn line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
}

#[tokio::test]
async fn the_doctor_finds_the_dev_servers_well_and_names_each_thing_wrong() {
    let setup = spawn(Db::Shared).await;
    let email = unique_email("doctor");
    setup.create_account(&email, Role::User).await;
    let mail = mail_env();
    let data = tempfile::tempdir().expect("data");
    let site = site();
    let base = vec![
        (
            "ESTAFETTE_DATABASE__URL",
            format!("sqlite://{}", mail.accounts_db),
        ),
        (
            "ESTAFETTE_SERVER__DATA_DIR",
            data.path().display().to_string(),
        ),
        (
            "ESTAFETTE_SERVER__SITE_ROOT",
            site.path().display().to_string(),
        ),
        ("ESTAFETTE_IMAP__SECURITY", "plain".into()),
        ("ESTAFETTE_SMTP__SECURITY", "plain".into()),
        ("ESTAFETTE_SIEVE__SECURITY", "plain".into()),
        ("ESTAFETTE_SIEVE__PORT", mail.sieve_port.to_string()),
    ];
    let mut good = base.clone();
    good.push(("ESTAFETTE_IMAP__PORT", mail.imap_port.to_string()));
    good.push(("ESTAFETTE_SMTP__PORT", mail.smtp_port.to_string()));
    let (out, text) = doctor(&good, Some(&email));
    assert!(
        out.status.success(),
        "all well:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "database",
        "data directory",
        "site",
        "IMAP",
        "SMTP submission",
        "ManageSieve",
    ] {
        let l = line(&text, name);
        assert!(!l.starts_with("FAIL"), "{l}");
    }
    assert!(line(&text, "database").starts_with("ok"), "{text}");
    assert!(line(&text, "IMAP").contains("signed in"), "{text}");
    assert!(line(&text, "SMTP submission").contains("AUTH"), "{text}");
    assert!(
        line(&text, "SMTP submission").contains("signed in"),
        "{text}"
    );
    assert!(line(&text, "ManageSieve").contains("signed in"), "{text}");

    // A wrong password is named, on each server.
    let (out, text) = doctor(&good, Some(&unique_email("nobody")));
    assert!(!out.status.success());
    assert!(
        line(&text, "IMAP").starts_with("FAIL") && line(&text, "IMAP").contains("refused"),
        "{text}"
    );

    // Dovecot away (nothing on its port), SMTP on a wrong port, and a data
    // directory that cannot be one: each is named, with what to check.
    let (imap, smtp) = (free_port(), free_port());
    let file = data.path().join("a-file");
    std::fs::write(&file, b"").expect("file");
    let mut bad = base.clone();
    bad.retain(|(k, _)| *k != "ESTAFETTE_SERVER__DATA_DIR");
    bad.push((
        "ESTAFETTE_SERVER__DATA_DIR",
        file.join("data").display().to_string(),
    ));
    bad.push(("ESTAFETTE_IMAP__PORT", imap.to_string()));
    bad.push(("ESTAFETTE_SMTP__PORT", smtp.to_string()));
    let (out, text) = doctor(&bad, None);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let imap_line = line(&text, &format!("IMAP 127.0.0.1:{imap}"));
    assert!(
        imap_line.starts_with("FAIL") && imap_line.contains("imap.port"),
        "{imap_line}"
    );
    let smtp_line = line(&text, &format!("SMTP submission 127.0.0.1:{smtp}"));
    assert!(
        smtp_line.starts_with("FAIL") && smtp_line.contains("smtp.port"),
        "{smtp_line}"
    );
    let dir_line = line(&text, "data directory");
    assert!(
        dir_line.starts_with("FAIL") && dir_line.contains("server.data_dir"),
        "{dir_line}"
    );
    assert!(
        line(&text, "database").starts_with("ok"),
        "the database is still fine: {text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("required check"));
}
