//! What an SMTP submission server offers: its extensions (after STARTTLS
//! when configured), the AUTH mechanisms among them, its size limit, and
//! whether it takes the account given. Nothing is sent.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::lines::{connect, Lines, MAX_LINES};
use super::{within, Login, TlsVersion};
use crate::imap::Stream;
use crate::{tls, MailError, MailServer, Security};

#[derive(Debug)]
pub struct SmtpOffer {
    pub tls: TlsVersion,
    /// The greeting's text (`220 mail.example.org ESMTP Postfix`).
    pub greeting: String,
    /// The EHLO keywords, upper case, with their parameters.
    pub extensions: Vec<String>,
    /// The AUTH mechanisms offered, upper case.
    pub auth: Vec<String>,
    /// The largest message it takes (`SIZE`), in bytes; 0 when it sets none.
    pub size_limit: Option<u64>,
    /// How signing in went, when an account was given.
    pub login: Option<Result<(), MailError>>,
}

pub async fn smtp(server: &MailServer, login: Option<Login<'_>>) -> Result<SmtpOffer, MailError> {
    within(server, async {
        let peer = server.address();
        let tcp = connect(server).await?;
        let helo = match tcp.local_addr() {
            Ok(std::net::SocketAddr::V4(a)) => format!("[{}]", a.ip()),
            Ok(std::net::SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
            Err(_) => "localhost".to_owned(),
        };
        let (mut conn, greeting, tls): (Lines<Box<dyn Stream>>, _, _) = match server.security {
            Security::Plain => {
                let mut conn = Lines::new(Box::new(tcp) as Box<dyn Stream>, &peer);
                let greeting = greeting(&mut conn).await?;
                (conn, greeting, None)
            }
            Security::Tls => {
                let tls = tls::wrap(&server.host, tcp).await?;
                let version = tls::version(&tls);
                let mut conn = Lines::new(Box::new(tls) as Box<dyn Stream>, &peer);
                let greeting = greeting(&mut conn).await?;
                (conn, greeting, Some(version))
            }
            Security::Starttls => {
                let mut plain = Lines::new(tcp, &peer);
                let greeting = greeting(&mut plain).await?;
                let offered = command(&mut plain, &format!("EHLO {helo}")).await?;
                if !keywords(&offered).any(|k| k == "STARTTLS") {
                    return Err(MailError::Tls(
                        server.host.clone(),
                        "the SMTP server does not offer STARTTLS".into(),
                    ));
                }
                expect(&mut plain, "STARTTLS", 220).await?;
                let tls = tls::wrap(&server.host, plain.into_inner()?).await?;
                let version = tls::version(&tls);
                (
                    Lines::new(Box::new(tls) as Box<dyn Stream>, &peer),
                    greeting,
                    Some(version),
                )
            }
        };
        let extensions: Vec<String> = command(&mut conn, &format!("EHLO {helo}"))
            .await?
            .into_iter()
            .skip(1)
            .map(|e| e.to_ascii_uppercase())
            .collect();
        let words = |name: &str| -> Vec<String> {
            extensions
                .iter()
                .filter_map(|e| e.strip_prefix(name))
                .filter(|rest| rest.is_empty() || rest.starts_with(' ') || rest.starts_with('='))
                .flat_map(|rest| rest.trim_start_matches('=').split_whitespace())
                .map(str::to_owned)
                .collect()
        };
        let auth = words("AUTH");
        let size_limit = extensions
            .iter()
            .any(|e| e == "SIZE" || e.starts_with("SIZE "))
            .then(|| {
                words("SIZE")
                    .first()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0)
            });
        let login = match login {
            None => None,
            Some(l) => Some(authenticate(&mut conn, &auth, l).await),
        };
        let _ = conn.send("QUIT").await;
        Ok(SmtpOffer {
            tls,
            greeting,
            extensions,
            auth,
            size_limit,
            login,
        })
    })
    .await
}

/// AUTH PLAIN, or LOGIN when only that is offered (as lettre chooses).
async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    offered: &[String],
    login: Login<'_>,
) -> Result<(), MailError> {
    let password = login.password.expose_secret();
    let (code, text) = if offered.iter().any(|m| m == "PLAIN") {
        let token = STANDARD.encode(format!("\0{}\0{password}", login.user));
        reply_to(conn, &format!("AUTH PLAIN {token}")).await?
    } else if offered.iter().any(|m| m == "LOGIN") {
        expect(conn, "AUTH LOGIN", 334).await?;
        expect(conn, &STANDARD.encode(login.user), 334).await?;
        reply_to(conn, &STANDARD.encode(password)).await?
    } else {
        return Err(MailError::Protocol(
            "neither AUTH PLAIN nor AUTH LOGIN is offered".into(),
        ));
    };
    match code {
        235 => Ok(()),
        535 => Err(MailError::Rejected),
        _ => Err(MailError::Protocol(format!(
            "AUTH: {code} {}",
            text.join(" ")
        ))),
    }
}

async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
) -> Result<String, MailError> {
    match reply(conn).await? {
        (220, text) => Ok(format!("220 {}", text.join(" "))),
        (code, text) => Err(MailError::Protocol(format!(
            "greeting: {code} {}",
            text.join(" ")
        ))),
    }
}

/// A command that must be answered 250; the reply's lines.
async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    line: &str,
) -> Result<Vec<String>, MailError> {
    expect(conn, line, 250).await
}

async fn expect<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    line: &str,
    wanted: u16,
) -> Result<Vec<String>, MailError> {
    let verb = line
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    match reply_to(conn, line).await? {
        (code, text) if code == wanted => Ok(text),
        (code, text) => Err(MailError::Protocol(format!(
            "{verb}: {code} {}",
            text.join(" ")
        ))),
    }
}

async fn reply_to<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    line: &str,
) -> Result<(u16, Vec<String>), MailError> {
    conn.send(line).await?;
    reply(conn).await
}

/// One reply: its code and the text of each line (`250-…` until `250 …`).
async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
) -> Result<(u16, Vec<String>), MailError> {
    let mut text = Vec::new();
    for _ in 0..MAX_LINES {
        let line = conn.line().await?;
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        let Some(code) = code else {
            return Err(MailError::Protocol(format!("not an SMTP reply: {line}")));
        };
        text.push(line.get(4..).unwrap_or_default().to_owned());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, text));
        }
    }
    Err(MailError::Protocol("an SMTP reply without end".into()))
}

fn keywords(lines: &[String]) -> impl Iterator<Item = String> + '_ {
    lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_ascii_uppercase))
}
