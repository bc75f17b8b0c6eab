//! Estafette as a browser uses it: form POSTs to the server functions with
//! our `Origin`, a cookie jar per user.

use estafette_auth::TotpSecret;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use serde_json::Value;

use crate::Result;

#[derive(Clone)]
pub struct Web {
    base: String,
    client: reqwest::Client,
}

/// One resource as it crossed the wire.
pub struct Transfer {
    pub bytes: u64,
    pub encoding: Option<String>,
}

impl Web {
    /// A new browser: its own cookie jar.
    pub fn new(base: &str) -> Result<Web> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(4)
            .build()?;
        Ok(Web {
            base: base.trim_end_matches('/').to_owned(),
            client,
        })
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<reqwest::Response> {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(format!("POST {path}: {}", res.status()).into());
        }
        Ok(res)
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response> {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(format!("GET {path}: {}", res.status()).into());
        }
        Ok(res)
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        self.post("/api/sign_in", &[("email", email), ("password", password)])
            .await?;
        Ok(())
    }

    pub async fn verify_code(&self, code: &str) -> Result<()> {
        self.post("/api/verify_code", &[("code", code)]).await?;
        Ok(())
    }

    /// Turns on two-factor sign-in for the signed-in user.
    pub async fn enrol_totp(&self, password: &str) -> Result<TotpSecret> {
        let view: Value = self
            .post("/api/start_enrolment", &[("password", password)])
            .await?
            .json()
            .await?;
        let secret = view["key"]
            .as_str()
            .and_then(TotpSecret::from_base32)
            .ok_or("no TOTP key")?;
        self.post(
            "/api/confirm_enrolment",
            &[("code", &secret.code_at(now()))],
        )
        .await?;
        Ok(secret)
    }

    /// A page of the INBOX, as the list shows it.
    pub async fn list(&self, page: u32) -> Result<Value> {
        let page = page.to_string();
        Ok(self
            .post("/api/messages", &[("folder", "INBOX"), ("page", &page)])
            .await?
            .json()
            .await?)
    }

    /// The first page of INBOX messages whose subject holds `word`.
    pub async fn search_subject(&self, word: &str) -> Result<Value> {
        let q = format!("subject:{word}");
        Ok(self
            .post(
                "/api/messages",
                &[("folder", "INBOX"), ("page", "0"), ("search[q]", &q)],
            )
            .await?
            .json()
            .await?)
    }

    /// Opens a message as the message page does: its outline, then the
    /// sanitised document of the frame. Returns the document's size.
    pub async fn open(&self, uid: u32) -> Result<usize> {
        let uid = uid.to_string();
        self.post("/api/outline", &[("folder", "INBOX"), ("uid", &uid)])
            .await?
            .bytes()
            .await?;
        let frame = self
            .get(&format!("/frame?folder=INBOX&uid={uid}"))
            .await?
            .bytes()
            .await?;
        Ok(frame.len())
    }

    /// Uploads an attachment; returns its id.
    pub async fn upload(&self, name: &str, content_type: &str, data: Vec<u8>) -> Result<String> {
        let res = self
            .client
            .post(format!(
                "{}/upload?name={name}&type={}",
                self.base,
                content_type.replace('/', "%2F")
            ))
            .header("Origin", &self.base)
            .body(data)
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(format!("upload: {}", res.status()).into());
        }
        let v: Value = res.json().await?;
        Ok(v["id"].as_str().ok_or("no upload id")?.to_owned())
    }

    /// Sets the undo delay (0: sends go out at once).
    pub async fn set_undo_delay(&self, seconds: u32) -> Result<()> {
        self.post("/api/set_undo_delay", &[("seconds", &seconds.to_string())])
            .await?;
        Ok(())
    }

    /// Sends the compose form.
    pub async fn send(&self, to: &str, subject: &str, attachments: &str) -> Result<()> {
        let key = format!("bench-{}", rand::random::<u64>());
        self.post(
            "/api/send",
            &[
                ("message[to]", to),
                ("message[cc]", ""),
                ("message[bcc]", ""),
                ("message[subject]", subject),
                ("message[text]", "The figures are attached."),
                ("message[attachments]", attachments),
                ("message[references]", ""),
                ("message[send_key]", &key),
            ],
        )
        .await?;
        Ok(())
    }

    /// A resource fetched with `Accept-Encoding: encoding` (`identity` for the
    /// raw size); the body as sent.
    pub async fn transfer(&self, path: &str, encoding: &str) -> Result<(Transfer, Vec<u8>)> {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(ACCEPT_ENCODING, encoding)
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(format!("GET {path}: {}", res.status()).into());
        }
        let encoding = res
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.bytes().await?.to_vec();
        Ok((
            Transfer {
                bytes: body.len() as u64,
                encoding,
            },
            body,
        ))
    }
}

pub fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}
