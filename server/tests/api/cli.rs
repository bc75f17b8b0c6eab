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

    // What was done is in the audit log, exported oldest first.
    let json = ok(run(&["audit", "export", "--format", "json"], None));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    let created = actions.iter().position(|a| *a == "account_created");
    let deleted = actions.iter().position(|a| *a == "account_deleted");
    assert!(created < deleted && created.is_some(), "{actions:?}");
    assert!(entries
        .iter()
        .all(|e| e["time"].as_str().is_some_and(|t| t.ends_with('Z'))));
    let csv = ok(run(&["audit", "export", "--since", "2000-01-01"], None));
    assert!(csv.starts_with("id,at,time,actor,action"));
    assert!(
        csv.contains(",cli,account_deleted,eve@example.test,"),
        "{csv}"
    );
    let later = ok(run(&["audit", "export", "--since", "2999-01-01"], None));
    assert_eq!(later.lines().count(), 1, "the header alone: {later}");
    let bad = run(&["audit", "export", "--since", "last week"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a date"));
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

#[test]
fn inspect_eml_prints_the_verdicts_as_json() {
    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let inspect = |args: &[&str], file: &std::path::Path| {
        let out = estafette()
            .arg("inspect-eml")
            .arg(file)
            .args(args)
            .output()
            .expect("run");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (
            out.status.code(),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let kinds = |json: &serde_json::Value| -> Vec<String> {
        json["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .map(|w| w["kind"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };

    let phish = write(
        "phish.eml",
        "Authentication-Results: mx.evil.test; dmarc=pass header.from=paypal.com\r\n\
         Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=paypal.com; dmarc=fail header.from=paypal.com\r\n\
         From: \"service@paypal.com\" <service@paypal.com>\r\nReply-To: <helpdesk@evil.test>\r\n\
         Subject: Your account\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n\
         <a href=\"https://evil.test/login\">https://www.paypal.com/login</a>",
    );
    let (code, json, err) = inspect(&["--authserv-id", "mx.example.org"], &phish);
    assert_eq!(code, Some(0), "{err}");
    let auth = &json["authentication"];
    assert_eq!(auth["verdict"], "fail");
    assert_eq!(auth["spf"], "fail");
    assert_eq!(auth["dmarc"], "fail");
    assert!(auth["dkim"].is_null());
    assert_eq!(auth["authserv_id"], "mx.example.org");
    assert_eq!(
        kinds(&json),
        ["auth-fail", "reply-to-differs", "link-mismatch"]
    );
    for w in json["warnings"].as_array().into_iter().flatten() {
        assert!(!w["detail"].as_str().unwrap_or_default().is_empty(), "{w}");
    }
    // Without --authserv-id no header is trusted.
    let (_, json, _) = inspect(&[], &phish);
    assert_eq!(json["authentication"]["verdict"], "none");
    assert!(json["authentication"]["authserv_id"].is_null());

    let spoof = write(
        "spoof.eml",
        "From: CEO <ceo@example.org>\r\nSubject: Wire\r\n\r\nPay today.\r\n",
    );
    let (code, json, _) = inspect(&["--recipient", "alice@example.org"], &spoof);
    assert_eq!(code, Some(0));
    assert_eq!(kinds(&json), ["auth-unverified"]);
    let (_, json, _) = inspect(&[], &spoof);
    assert_eq!(
        kinds(&json),
        Vec::<String>::new(),
        "no reader, no own domain"
    );

    // The [mail] section of --config is read; flags replace it.
    let config = write(
        "estafette.toml",
        "[mail]\nauthserv_id = [\"mx.example.org\"]\norganisation_domains = [\"example.org\"]\n",
    );
    let out = estafette()
        .arg("--config")
        .arg(&config)
        .arg("inspect-eml")
        .arg(&phish)
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(json["authentication"]["authserv_id"], "mx.example.org");
    let out = estafette()
        .arg("--config")
        .arg(&config)
        .args(["inspect-eml", "--authserv-id", "other.example"])
        .arg(&spoof)
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        kinds(&json),
        ["auth-unverified"],
        "organisation_domains read"
    );

    let (code, _, err) = inspect(&[], &dir.path().join("missing.eml"));
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read"), "{err}");
    let empty = write("empty.eml", "");
    let (code, json, err) = inspect(&[], &empty);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a message"), "{err}");
    assert!(json.is_null(), "nothing on stdout");
}

#[test]
fn files_at_rest_are_the_servers_only_and_exposure_is_warned() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    };
    let run = |args: &[&str]| {
        estafette()
            .env("ESTAFETTE_SERVER__DATA_DIR", &data)
            .env("ESTAFETTE_SERVER__UPLOAD_DIR", dir.path().join("uploads"))
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = data.join("estafette.db");
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&db), 0o600, "the database");
    let out = run(&["check-config"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));

    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = run(&["check-config"]);
    assert!(out.status.success(), "a warning, not a failure");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("warning: {}", data.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("chmod 600 {}", db.display())),
        "{err}"
    );
}
