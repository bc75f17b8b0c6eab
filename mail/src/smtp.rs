//! SMTP submission as the signed-in user, through lettre.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use crate::{MailError, MailServer, Security};

/// Sends `message` through `server`, authenticated as `user`.
pub async fn send(
    server: &MailServer,
    user: &str,
    password: &SecretString,
    message: &Message,
) -> Result<(), MailError> {
    send_raw(
        server,
        user,
        password,
        message.envelope(),
        &message.formatted(),
    )
    .await
}

/// Sends the bytes of a message built earlier, to `envelope`'s recipients.
pub async fn send_raw(
    server: &MailServer,
    user: &str,
    password: &SecretString,
    envelope: &Envelope,
    raw: &[u8],
) -> Result<(), MailError> {
    server.check_security()?;
    let tls_err =
        |e: lettre::transport::smtp::Error| MailError::Tls(server.host.clone(), e.to_string());
    let tls = match server.security {
        Security::Plain => Tls::None,
        Security::Starttls => {
            Tls::Required(TlsParameters::new(server.host.clone()).map_err(tls_err)?)
        }
        Security::Tls => Tls::Wrapper(TlsParameters::new(server.host.clone()).map_err(tls_err)?),
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.as_str())
        .port(server.port)
        .tls(tls)
        .credentials(Credentials::new(
            user.to_owned(),
            password.expose_secret().to_owned(),
        ))
        .build();
    match transport.send_raw(envelope, raw).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() || e.is_transient() => Err(MailError::Refused(e.to_string())),
        // No answer at all: the connection failed or timed out.
        Err(e) => Err(MailError::Unreachable(
            server.address(),
            std::io::Error::other(e.to_string()),
        )),
    }
}

/// The envelope of a message kept as bytes: its sender and recipients.
pub fn envelope(from: &str, to: &[String]) -> Result<Envelope, MailError> {
    let bad = |what: &str| MailError::BadMessage(format!("unusable {what} in a held message"));
    let from = from.parse().map_err(|_| bad("sender"))?;
    let to = to
        .iter()
        .map(|a| a.parse().map_err(|_| bad("recipient")))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), to).map_err(|_| bad("recipients"))
}
