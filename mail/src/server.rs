use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::MailError;

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Implicit TLS (IMAPS 993, submissions 465).
    Tls,
    /// Plain connection upgraded with STARTTLS (IMAP 143, submission 587).
    Starttls,
    /// No encryption; refused unless the host is loopback.
    Plain,
}

/// Where an IMAP or SMTP server listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl MailServer {
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Plain text is for loopback only: a password must never cross a network in clear.
    pub fn check_security(&self) -> Result<(), MailError> {
        if self.security == Security::Plain && !is_loopback(&self.host) {
            return Err(MailError::PlainNotLoopback(self.host.clone()));
        }
        Ok(())
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_on_loopback() {
        let mut s = MailServer {
            host: "127.0.0.1".into(),
            port: 143,
            security: Security::Plain,
        };
        assert!(s.check_security().is_ok());
        s.host = "[::1]".into();
        assert!(s.check_security().is_ok());
        s.host = "mail.example.org".into();
        assert!(s.check_security().is_err());
        s.host = "10.0.0.1".into();
        assert!(s.check_security().is_err());
        s.security = Security::Tls;
        assert!(s.check_security().is_ok());
    }
}
