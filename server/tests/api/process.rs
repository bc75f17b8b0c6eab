//! A real `estafette serve` of a test's own, in its own process: its
//! metrics recorder and its log are its own. Stopped when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::mail_env;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub app: String,
    /// A browser: keeps cookies, follows no redirect.
    pub client: reqwest::Client,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Serves on a free port with `data_dir`, against the development mail
    /// server, with `extra` variables; its log goes to `log` (or nowhere).
    pub async fn start(data_dir: &Path, extra: &[(&str, String)], log: Option<&Path>) -> Served {
        let mail = mail_env();
        let port = free_port();
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_estafette"))
            .arg("serve")
            .env_remove("ESTAFETTE_CONFIG")
            .env_remove("ESTAFETTE_LOG")
            .env("ESTAFETTE_SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("ESTAFETTE_SERVER__DATA_DIR", data_dir)
            .env("ESTAFETTE_SERVER__UPLOAD_DIR", data_dir.join("uploads"))
            .env(
                "ESTAFETTE_DATABASE__URL",
                format!("sqlite://{}", mail.accounts_db),
            )
            .env("ESTAFETTE_IMAP__PORT", mail.imap_port.to_string())
            .env("ESTAFETTE_IMAP__SECURITY", "plain")
            .env("ESTAFETTE_SMTP__PORT", mail.smtp_port.to_string())
            .env("ESTAFETTE_SMTP__SECURITY", "plain")
            .env("ESTAFETTE_SIEVE__PORT", mail.sieve_port.to_string())
            .env("ESTAFETTE_SIEVE__SECURITY", "plain")
            .env("ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS", "100000")
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("estafette serve");
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let served = Served {
            child,
            app: format!("http://127.0.0.1:{port}"),
            client,
        };
        crate::helpers::eventually(20, "the server comes up", || async {
            let ready = served
                .client
                .get(format!("{}/readyz", served.app))
                .send()
                .await;
            ready.ok().filter(|r| r.status() == 200).map(drop)
        })
        .await;
        served
    }

    /// A form posted as the application's own pages do.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.app))
            .header("Origin", &self.app)
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.app))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Stops the server the way systemd does (SIGTERM), and waits.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
