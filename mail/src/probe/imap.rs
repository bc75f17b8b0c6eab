//! What an IMAP server offers: its capabilities before signing in (over
//! the configured security) and, given an account, after.

use tokio::io::{AsyncRead, AsyncWrite};

use super::lines::{connect, Lines, MAX_LINES};
use super::{within, Login, TlsVersion};
use crate::imap::Stream;
use crate::{tls, MailError, MailServer, Security};

#[derive(Debug)]
pub struct ImapOffer {
    pub tls: TlsVersion,
    /// The greeting's text (`* OK Dovecot ready.`).
    pub greeting: String,
    /// The capabilities announced before signing in, upper case.
    pub before_login: Vec<String>,
    /// After signing in, when an account was given: the capabilities then.
    pub login: Option<Result<Vec<String>, MailError>>,
}

pub async fn imap(server: &MailServer, login: Option<Login<'_>>) -> Result<ImapOffer, MailError> {
    within(server, async {
        let peer = server.address();
        let tcp = connect(server).await?;
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
                if !capabilities(&mut plain, "p1")
                    .await?
                    .iter()
                    .any(|c| c == "STARTTLS")
                {
                    return Err(MailError::Tls(
                        server.host.clone(),
                        "the IMAP server does not offer STARTTLS".into(),
                    ));
                }
                tagged(&mut plain, "p2", "STARTTLS").await?;
                let tls = tls::wrap(&server.host, plain.into_inner()?).await?;
                let version = tls::version(&tls);
                (
                    Lines::new(Box::new(tls) as Box<dyn Stream>, &peer),
                    greeting,
                    Some(version),
                )
            }
        };
        let before_login = capabilities(&mut conn, "p3").await?;
        let _ = tagged(&mut conn, "p4", "LOGOUT").await;
        let login = match login {
            None => None,
            Some(l) => Some(signed_in(server, l).await),
        };
        Ok(ImapOffer {
            tls,
            greeting,
            before_login,
            login,
        })
    })
    .await
}

/// The capabilities after a real login (many servers list them only then).
async fn signed_in(server: &MailServer, login: Login<'_>) -> Result<Vec<String>, MailError> {
    let mut session = crate::imap::login(server, login.user, login.password).await?;
    let capabilities = session.capabilities();
    let _ = session.logout().await;
    Ok(capabilities)
}

async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
) -> Result<String, MailError> {
    let line = conn.line().await?;
    if line.starts_with("* OK") {
        Ok(line)
    } else {
        Err(MailError::Protocol(format!("greeting: {line}")))
    }
}

/// Sends `command` as `tag` and reads to its completion: the untagged lines
/// when it ends OK, the server's words otherwise.
async fn tagged<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    tag: &str,
    command: &str,
) -> Result<Vec<String>, MailError> {
    conn.send(&format!("{tag} {command}")).await?;
    let mut untagged = Vec::new();
    let done = format!("{tag} ");
    for _ in 0..MAX_LINES {
        let line = conn.line().await?;
        if let Some(status) = line.strip_prefix(&done) {
            return if status
                .get(..2)
                .is_some_and(|s| s.eq_ignore_ascii_case("OK"))
            {
                Ok(untagged)
            } else {
                Err(MailError::Protocol(format!("{command}: {status}")))
            };
        }
        untagged.push(line);
    }
    Err(MailError::Protocol(format!(
        "{command}: no end to the answer"
    )))
}

async fn capabilities<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Lines<S>,
    tag: &str,
) -> Result<Vec<String>, MailError> {
    let lines = tagged(conn, tag, "CAPABILITY").await?;
    Ok(lines
        .iter()
        .filter_map(|l| l.strip_prefix("* CAPABILITY "))
        .flat_map(str::split_whitespace)
        .map(str::to_ascii_uppercase)
        .collect())
}
