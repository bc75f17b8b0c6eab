//! The `estafette` binary's command line.

use std::process::Command;

fn estafette() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_estafette"));
    cmd.env_remove("ESTAFETTE_CONFIG");
    cmd
}

#[test]
fn help_lists_the_subcommands() {
    let out = estafette().arg("--help").output().expect("run");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "check-config", "user"] {
        assert!(help.contains(sub), "{sub} missing from:\n{help}");
    }
    let out = estafette().args(["user", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "add",
        "list",
        "disable",
        "enable",
        "delete",
        "passwd",
        "reset-2fa",
        "set-admin",
    ] {
        assert!(help.contains(sub), "user {sub} missing from:\n{help}");
    }
}

#[test]
fn check_config_names_a_typo_and_fails() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("estafette.toml");
    std::fs::write(&path, "[imap]\nhost = \"127.0.0.1\"\nprot = 993\n").expect("write");
    let out = estafette()
        .arg("--config")
        .arg(&path)
        .arg("check-config")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("imap.prot") && err.contains("unknown field"),
        "{err}"
    );

    std::fs::write(
        &path,
        "[imap]\nhost = \"127.0.0.1\"\nport = 993\nsecurity = \"tls\"\n",
    )
    .expect("write");
    let out = estafette()
        .arg("--config")
        .arg(&path)
        .arg("check-config")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("127.0.0.1:993"));
}

#[test]
fn a_bad_environment_override_is_explained() {
    let out = estafette()
        .env("ESTAFETTE_SMTP__SECURITY", "carrier-pigeon")
        .arg("check-config")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("smtp.security"), "{err}");
}

#[test]
fn user_commands_manage_accounts() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        // The data directory (server key, outbox) in the temporary one too.
        let mut child = estafette()
            .env("ESTAFETTE_DATABASE__URL", &url)
            .env("ESTAFETTE_SERVER__DATA_DIR", dir.path())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write");
        }
        child.wait_with_output().expect("wait")
    };
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(run(
        &[
            "user",
            "add",
            "root@example.test",
            "--admin",
            "--password-stdin",
        ],
        Some("violet tractor sings at dawn\n"),
    ));
    ok(run(
        &["user", "add", "eve@example.test", "--password-stdin"],
        Some("another long passphrase here\n"),
    ));
    let weak = run(
        &["user", "add", "weak@example.test", "--password-stdin"],
        Some("password1\n"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too common"));
    ok(run(&["user", "disable", "eve@example.test"], None));
    ok(run(
        &["user", "set-admin", "eve@example.test", "true"],
        None,
    ));
    let list = ok(run(&["user", "list"], None));
    let eve = list
        .lines()
        .find(|l| l.starts_with("eve@example.test"))
        .expect("eve listed");
    assert!(eve.contains("admin") && eve.contains("disabled"), "{eve}");
    let last_admin = run(&["user", "set-admin", "root@example.test", "false"], None);
    assert!(!last_admin.status.success(), "the last active admin stays");
    ok(run(&["user", "delete", "eve@example.test"], None));
    assert!(!ok(run(&["user", "list"], None)).contains("eve@"));
}

#[test]
fn render_eml_prints_the_sanitised_document_or_explains() {
    let dir = tempfile::tempdir().expect("dir");
    let eml = dir.path().join("hostile.eml");
    std::fs::write(
        &eml,
        "From: Mallory <m@evil.example>\r\nSubject: <script>alert(1)</script>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<p onclick=alert(1)>Hi<img src=https://t.example/p.gif>\
         <script>alert(2)</script><a href=javascript:alert(3)>x</a></p>",
    )
    .expect("write");
    let out = estafette()
        .arg("render-eml")
        .arg(&eml)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(doc.starts_with("<!DOCTYPE html>") && doc.contains("Content-Security-Policy"));
    assert!(
        doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the subject is escaped"
    );
    for bad in ["<script", "onclick", "javascript:", "t.example"] {
        assert!(!doc.contains(bad), "{bad} in {doc}");
    }
    let remote = estafette()
        .args(["render-eml", "--allow-remote"])
        .arg(&eml)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&remote.stdout).contains("https://t.example/p.gif"));

    let missing = estafette()
        .args(["render-eml", "/nonexistent/message.eml"])
        .output()
        .expect("run");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    let empty = dir.path().join("empty.eml");
    std::fs::write(&empty, "").expect("write");
    let out = estafette()
        .arg("render-eml")
        .arg(&empty)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a message"));
}
