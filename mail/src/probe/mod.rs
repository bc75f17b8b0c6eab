//! What a mail server offers, asked without sending or changing anything:
//! the answers `estafette doctor` judges. Each probe connects with the
//! configured security (certificates checked as for real use), reads what
//! the server announces, signs in when given an account, and leaves.

mod imap;
mod lines;
mod smtp;

use std::time::Duration;

use secrecy::SecretString;

pub use imap::{imap, ImapOffer};
pub use smtp::{smtp, SmtpOffer};

use crate::{MailError, MailServer};

/// How long one probe may take, from connecting to leaving.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// An account to sign in with, when the admin gives one.
#[derive(Clone, Copy)]
pub struct Login<'a> {
    pub user: &'a str,
    pub password: &'a SecretString,
}

/// How the connection was protected: the TLS version, or `None` for plain.
pub type TlsVersion = Option<String>;

/// What a ManageSieve server offers.
#[derive(Debug)]
pub struct SieveOffer {
    pub tls: TlsVersion,
    pub capabilities: crate::managesieve::Capabilities,
    /// How signing in went, when an account was given.
    pub login: Option<Result<(), MailError>>,
}

/// Connects to a ManageSieve server, reads its capabilities (after
/// STARTTLS when configured) and signs in when given an account.
pub async fn sieve(server: &MailServer, login: Option<Login<'_>>) -> Result<SieveOffer, MailError> {
    within(server, async {
        let (mut client, tls) = crate::managesieve::connect(server).await?;
        let capabilities = client.capabilities().clone();
        let login = match login {
            None => None,
            Some(l) => Some(client.authenticate(l.user, l.password).await),
        };
        client.logout().await;
        Ok(SieveOffer {
            tls,
            capabilities,
            login,
        })
    })
    .await
}

/// Runs a probe of `server` within [`PROBE_TIMEOUT`].
async fn within<T>(
    server: &MailServer,
    probe: impl std::future::Future<Output = Result<T, MailError>>,
) -> Result<T, MailError> {
    server.check_security()?;
    tokio::time::timeout(PROBE_TIMEOUT, probe)
        .await
        .map_err(|_| {
            MailError::Unreachable(
                server.address(),
                std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer within 15 s"),
            )
        })?
}
