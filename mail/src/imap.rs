//! IMAP connections: connect with the configured security, then log in.

use std::fmt::Debug;

use async_imap::{Client, Session};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::{tls, MailError, MailServer, Security};

/// Any byte stream an IMAP session runs over (TCP, or TLS over TCP).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Stream for T {}

pub type ImapSession = Session<Box<dyn Stream>>;

/// Opens a connection, reads the greeting and logs in as `user`.
pub async fn login(
    server: &MailServer,
    user: &str,
    password: &SecretString,
) -> Result<ImapSession, MailError> {
    let client = connect(server).await?;
    match client.login(user, password.expose_secret()).await {
        Ok(session) => Ok(session),
        Err((async_imap::error::Error::No(_), _)) => Err(MailError::Rejected),
        Err((async_imap::error::Error::Bad(_), _)) => Err(MailError::Rejected),
        Err((e, _)) => Err(e.into()),
    }
}

async fn connect(server: &MailServer) -> Result<Client<Box<dyn Stream>>, MailError> {
    server.check_security()?;
    let unreachable = |e| MailError::Unreachable(server.address(), e);
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(unreachable)?;
    tcp.set_nodelay(true).map_err(unreachable)?;
    let stream: Box<dyn Stream> = match server.security {
        Security::Plain => Box::new(tcp),
        Security::Tls => Box::new(tls::wrap(&server.host, tcp).await?),
        Security::Starttls => {
            let mut plain = Client::new(tcp);
            greeting(&mut plain, server).await?;
            plain.run_command_and_check_ok("STARTTLS", None).await?;
            // No new greeting follows STARTTLS: the session goes on over TLS.
            let tls = tls::wrap(&server.host, plain.into_inner()).await?;
            return Ok(Client::new(Box::new(tls)));
        }
    };
    let mut client = Client::new(stream);
    greeting(&mut client, server).await?;
    Ok(client)
}

async fn greeting<T: Stream>(client: &mut Client<T>, server: &MailServer) -> Result<(), MailError> {
    client
        .read_response()
        .await
        .map_err(|e| MailError::Unreachable(server.address(), e))?
        .map(|_| ())
        .ok_or_else(|| MailError::Protocol(format!("{} sent no greeting", server.address())))
}

/// An IMAP quoted string for a user-supplied name or search term. CR, LF and
/// NUL cannot be quoted and are refused instead of passed on.
pub fn quote(value: &str) -> Result<String, MailError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(MailError::Protocol(
            "line breaks are not allowed here".into(),
        ));
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_hostile_names() {
        assert_eq!(quote("INBOX").ok().as_deref(), Some("\"INBOX\""));
        assert_eq!(quote("a\"b\\c").ok().as_deref(), Some("\"a\\\"b\\\\c\""));
        assert!(quote("x\r\nA1 DELETE INBOX").is_err());
        assert!(quote("x\0").is_err());
    }
}
