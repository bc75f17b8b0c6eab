//! SMTP submission as the signed-in user, through lettre.

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
    match transport.send(message.clone()).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() || e.is_transient() => Err(MailError::Refused(e.to_string())),
        // No answer at all: the connection failed or timed out.
        Err(e) => Err(MailError::Unreachable(
            server.address(),
            std::io::Error::other(e.to_string()),
        )),
    }
}
