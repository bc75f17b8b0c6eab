//! The client against a scripted server on loopback: what it sends for
//! hostile names and scripts, and what it does with hostile answers.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;

const GREETING: &[u8] = b"\"IMPLEMENTATION\" \"Fake\"\r\n\"SIEVE\" \"fileinto vacation\"\r\n\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n";

/// A server that greets, then answers each command line with the next of
/// `answers`; it records every byte it received.
async fn fake(answers: Vec<&'static [u8]>) -> (MailServer, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let mut conn = BufReader::new(tcp);
        let _ = conn.get_mut().write_all(GREETING).await;
        for answer in answers {
            // A command: one line, plus a literal's bytes if it ends in {n+}.
            let mut line = Vec::new();
            if conn.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                return;
            }
            record.lock().expect("lock").extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line).to_string();
            if let Some(size) = text
                .trim_end()
                .strip_suffix("+}")
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            {
                let mut body = vec![0; size + 2];
                if conn.read_exact(&mut body).await.is_err() {
                    return;
                }
                record.lock().expect("lock").extend_from_slice(&body);
            }
            let _ = conn.get_mut().write_all(answer).await;
        }
    });
    let server = MailServer {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
    };
    (server, seen)
}

fn sent(seen: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&seen.lock().expect("lock")).to_string()
}

async fn logged_in(answers: Vec<&'static [u8]>) -> (ManageSieve, Arc<Mutex<Vec<u8>>>) {
    let mut all: Vec<&'static [u8]> = vec![b"OK \"Logged in.\"\r\n"];
    all.extend(answers);
    let (server, seen) = fake(all).await;
    let client = login(&server, "alice@example.test", &SecretString::from("pw"))
        .await
        .expect("login");
    (client, seen)
}

#[tokio::test]
async fn logs_in_with_plain_and_reads_capabilities() {
    let (client, seen) = logged_in(vec![]).await;
    assert_eq!(client.capabilities().implementation, "Fake");
    assert!(client
        .capabilities()
        .extensions
        .contains(&"vacation".into()));
    let expected = base64::engine::general_purpose::STANDARD.encode("\0alice@example.test\0pw");
    assert_eq!(
        sent(&seen),
        format!("AUTHENTICATE \"PLAIN\" \"{expected}\"\r\n")
    );
}

#[tokio::test]
async fn a_refused_login_is_rejected() {
    let (server, _) = fake(vec![b"NO \"Authentication failed.\"\r\n"]).await;
    let result = login(&server, "a@example.test", &SecretString::from("x")).await;
    assert!(
        matches!(result, Err(MailError::Rejected)),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn hostile_names_never_reach_the_server() {
    let (mut client, seen) = logged_in(vec![b"OK\r\n", b"OK\r\n"]).await;
    for name in ["x\r\nDELETESCRIPT \"estafette\"", "x\nLOGOUT", "x\0y"] {
        assert!(client.put(name, "keep;").await.is_err(), "{name:?}");
        assert!(client.delete(name).await.is_err(), "{name:?}");
        assert!(client.set_active(Some(name)).await.is_err(), "{name:?}");
    }
    // Quotes and backslashes stay inside the quoted name.
    client.delete("a\" \"b\\").await.expect("delete");
    // A script that looks like commands goes as one literal of its exact size.
    let script = "keep;\r\nDELETESCRIPT \"estafette\"\r\n";
    client.put("estafette", script).await.expect("put");
    let text = sent(&seen);
    let after_login = text
        .split_once("\r\n")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    assert_eq!(
        after_login,
        format!(
            "DELETESCRIPT \"a\\\" \\\"b\\\\\"\r\nPUTSCRIPT \"estafette\" {{{}+}}\r\n{script}\r\n",
            script.len()
        )
    );
}

#[tokio::test]
async fn lists_reads_and_passes_on_the_servers_words() {
    let (mut client, _) = logged_in(vec![
        b"\"estafette\" ACTIVE\r\n\"other \\\"one\\\"\"\r\n{7}\r\nlit\r\nx \r\nOK\r\n",
        b"{12}\r\nrequire [];\n\r\nOK\r\n",
        b"NO (NONEXISTENT) \"There is no script.\"\r\n",
        b"NO {40}\r\nline 2: error: unknown command 'frob'.\n\r\n",
        b"NO \"line 1: error: x\"\r\n",
    ])
    .await;
    let list = client.list().await.expect("list");
    assert_eq!(
        list,
        vec![
            ScriptEntry {
                name: "estafette".into(),
                active: true
            },
            ScriptEntry {
                name: "other \"one\"".into(),
                active: false
            },
            ScriptEntry {
                name: "lit\r\nx ".into(),
                active: false
            },
        ]
    );
    assert_eq!(
        client.get("estafette").await.expect("get").as_deref(),
        Some("require [];\n")
    );
    assert_eq!(client.get("missing").await.expect("get"), None);
    let refused = client.check("frob;").await.err().map(|e| e.to_string());
    assert_eq!(
        refused.as_deref(),
        Some("line 2: error: unknown command 'frob'.")
    );
    let refused = client.put("x", "y").await.err().map(|e| e.to_string());
    assert_eq!(refused.as_deref(), Some("line 1: error: x"));
}

#[tokio::test]
async fn a_hostile_server_cannot_make_it_buffer_without_end() {
    static ENDLESS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let endless = ENDLESS.get_or_init(|| vec![b'x'; wire::MAX_LINE * 2]);
    let (mut client, _) = logged_in(vec![endless.as_slice()]).await;
    assert!(client.list().await.is_err());
    let (mut client, _) = logged_in(vec![b"{2000000000}\r\n"]).await;
    assert!(client.get("estafette").await.is_err());
}

#[tokio::test]
async fn plain_text_only_to_loopback() {
    let server = MailServer {
        host: "mail.example.org".into(),
        port: 4190,
        security: Security::Plain,
    };
    let result = login(&server, "a", &SecretString::from("b")).await;
    assert!(matches!(result, Err(MailError::PlainNotLoopback(_))));
}
