//! A ManageSieve client (RFC 5804): the scripts a mail server runs on
//! delivery, listed, read, checked, stored, activated and deleted as the
//! signed-in user. Everything sent is quoted or a literal (see `wire`);
//! what the server refuses comes back as its own words.

mod wire;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::imap::Stream;
use crate::{tls, MailError, MailServer, Security};
use wire::{Reader, Token};

/// How long connecting may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A script on the server, and whether it is the one that runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptEntry {
    pub name: String,
    pub active: bool,
}

/// What the server says it can do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub implementation: String,
    /// The Sieve extensions it runs (`fileinto`, `vacation`…).
    pub extensions: Vec<String>,
    pub sasl: Vec<String>,
    pub starttls: bool,
}

/// How a command ended.
#[derive(Debug)]
struct Outcome {
    status: Status,
    code: Vec<Token>,
    text: String,
}

#[derive(Debug, PartialEq, Eq)]
enum Status {
    Ok,
    No,
    Bye,
}

/// A logged-in ManageSieve connection.
pub struct ManageSieve {
    conn: Reader<BufReader<Box<dyn Stream>>>,
    capabilities: Capabilities,
}

/// Connects with the configured security and authenticates as `user`
/// (`AUTHENTICATE PLAIN`, only once the connection is encrypted or on loopback).
pub async fn login(
    server: &MailServer,
    user: &str,
    password: &SecretString,
) -> Result<ManageSieve, MailError> {
    let (mut client, _) = connect(server).await?;
    client.authenticate(user, password).await?;
    Ok(client)
}

/// Connects with the configured security and reads the greeting, without
/// signing in; also says which TLS version protects the connection, if any.
pub async fn connect(
    server: &MailServer,
) -> Result<(ManageSieve, crate::probe::TlsVersion), MailError> {
    server.check_security()?;
    let unreachable = |e| MailError::Unreachable(server.address(), e);
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(|_| unreachable(std::io::ErrorKind::TimedOut.into()))?
    .map_err(unreachable)?;
    tcp.set_nodelay(true).map_err(unreachable)?;
    let (stream, version): (Box<dyn Stream>, _) = match server.security {
        Security::Plain => (Box::new(tcp), None),
        Security::Tls => {
            let tls = tls::wrap(&server.host, tcp).await?;
            let version = tls::version(&tls);
            (Box::new(tls), Some(version))
        }
        Security::Starttls => {
            let mut plain = Reader::new(BufReader::new(tcp));
            let (lines, outcome) = exchange(&mut plain, None).await?;
            outcome.ok()?;
            if !capabilities(&lines).starttls {
                return Err(MailError::Tls(
                    server.host.clone(),
                    "the ManageSieve server does not offer STARTTLS".into(),
                ));
            }
            exchange(&mut plain, Some(b"STARTTLS".to_vec()))
                .await?
                .1
                .ok()?;
            let buffered = plain.into_inner();
            // Bytes already past the OK would be the server speaking out of turn.
            if !buffered.buffer().is_empty() {
                return Err(MailError::Protocol(
                    "ManageSieve: data before the TLS handshake".into(),
                ));
            }
            let tls = tls::wrap(&server.host, buffered.into_inner()).await?;
            let version = tls::version(&tls);
            (Box::new(tls), Some(version))
        }
    };
    // The greeting (after STARTTLS, the server states its capabilities again).
    Ok((ManageSieve::greeted(stream).await?, version))
}

/// Sends `command` (if any) and reads the response: its data lines, and how it ended.
async fn exchange<S: Stream>(
    conn: &mut Reader<BufReader<S>>,
    command: Option<Vec<u8>>,
) -> Result<(Vec<Vec<Token>>, Outcome), MailError> {
    if let Some(mut command) = command {
        command.extend(b"\r\n");
        let stream = conn.get_mut();
        let io = |e| MailError::Unreachable("ManageSieve".into(), e);
        stream.write_all(&command).await.map_err(io)?;
        stream.flush().await.map_err(io)?;
    }
    let mut lines = Vec::new();
    loop {
        let line = conn.line().await?;
        if let Some(outcome) = Outcome::of(&line) {
            return Ok((lines, outcome));
        }
        if lines.len() >= wire::MAX_LINES {
            return Err(MailError::Protocol(
                "ManageSieve: too many lines in a response".into(),
            ));
        }
        lines.push(line);
    }
}

impl ManageSieve {
    /// Reads the greeting: the capabilities, then OK.
    async fn greeted(stream: Box<dyn Stream>) -> Result<Self, MailError> {
        let mut client = ManageSieve {
            conn: Reader::new(BufReader::new(stream)),
            capabilities: Capabilities::default(),
        };
        let (lines, outcome) = exchange(&mut client.conn, None).await?;
        outcome.ok()?;
        client.capabilities = capabilities(&lines);
        Ok(client)
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// Signs in as `user` (`AUTHENTICATE PLAIN`).
    pub async fn authenticate(
        &mut self,
        user: &str,
        password: &SecretString,
    ) -> Result<(), MailError> {
        let plain = format!("\0{user}\0{}", password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(plain.as_bytes());
        let mut command = b"AUTHENTICATE \"PLAIN\" ".to_vec();
        command.extend(wire::string(&encoded)?);
        match self.command(command).await {
            Ok(_) => Ok(()),
            Err(MailError::ScriptRefused(_)) => Err(MailError::Rejected),
            Err(e) => Err(e),
        }
    }

    /// Asks for the capabilities again.
    pub async fn refresh_capabilities(&mut self) -> Result<&Capabilities, MailError> {
        let lines = self.command(b"CAPABILITY".to_vec()).await?;
        self.capabilities = capabilities(&lines);
        Ok(&self.capabilities)
    }

    pub async fn list(&mut self) -> Result<Vec<ScriptEntry>, MailError> {
        let lines = self.command(b"LISTSCRIPTS".to_vec()).await?;
        Ok(lines
            .into_iter()
            .filter_map(|line| {
                let mut tokens = line.into_iter();
                let Some(Token::Str(name)) = tokens.next() else {
                    return None;
                };
                let active = matches!(tokens.next(), Some(Token::Atom(a)) if a.eq_ignore_ascii_case("ACTIVE"));
                Some(ScriptEntry { name, active })
            })
            .collect())
    }

    /// A script's text; `None` when there is no such script.
    pub async fn get(&mut self, name: &str) -> Result<Option<String>, MailError> {
        let mut command = b"GETSCRIPT ".to_vec();
        command.extend(wire::name(name)?);
        match self.command_outcome(command).await? {
            (lines, outcome) if outcome.status == Status::Ok => Ok(lines
                .into_iter()
                .flatten()
                .find_map(|t| match t {
                    Token::Str(s) => Some(s),
                    _ => None,
                })
                .or(Some(String::new()))),
            (_, outcome) if outcome.has_code("NONEXISTENT") => Ok(None),
            (_, outcome) => Err(outcome.refusal()),
        }
    }

    /// Checks a script without storing it; the server's errors name their line.
    pub async fn check(&mut self, script: &str) -> Result<(), MailError> {
        let mut command = b"CHECKSCRIPT ".to_vec();
        command.extend(wire::literal(script.as_bytes())?);
        self.command(command).await.map(|_| ())
    }

    /// Stores a script (the server checks it first and refuses it with its errors).
    pub async fn put(&mut self, name: &str, script: &str) -> Result<(), MailError> {
        let mut command = b"PUTSCRIPT ".to_vec();
        command.extend(wire::name(name)?);
        command.push(b' ');
        command.extend(wire::literal(script.as_bytes())?);
        self.command(command).await.map(|_| ())
    }

    /// Makes `name` the script that runs; `None` runs none.
    pub async fn set_active(&mut self, name: Option<&str>) -> Result<(), MailError> {
        let mut command = b"SETACTIVE ".to_vec();
        match name {
            Some(name) => command.extend(wire::name(name)?),
            None => command.extend(b"\"\""),
        }
        self.command(command).await.map(|_| ())
    }

    pub async fn delete(&mut self, name: &str) -> Result<(), MailError> {
        let mut command = b"DELETESCRIPT ".to_vec();
        command.extend(wire::name(name)?);
        self.command(command).await.map(|_| ())
    }

    pub async fn logout(mut self) {
        let _ = self.command(b"LOGOUT".to_vec()).await;
    }

    /// Sends a command; its data lines when it succeeds, the server's words otherwise.
    async fn command(&mut self, command: Vec<u8>) -> Result<Vec<Vec<Token>>, MailError> {
        let (lines, outcome) = self.command_outcome(command).await?;
        outcome.ok()?;
        Ok(lines)
    }

    async fn command_outcome(
        &mut self,
        command: Vec<u8>,
    ) -> Result<(Vec<Vec<Token>>, Outcome), MailError> {
        exchange(&mut self.conn, Some(command)).await
    }
}

impl Outcome {
    fn of(line: &[Token]) -> Option<Outcome> {
        let Some(Token::Atom(first)) = line.first() else {
            return None;
        };
        let status = match first.to_ascii_uppercase().as_str() {
            "OK" => Status::Ok,
            "NO" => Status::No,
            "BYE" => Status::Bye,
            _ => return None,
        };
        let mut code = Vec::new();
        let mut text = String::new();
        for token in &line[1..] {
            match token {
                Token::Code(c) => code = c.clone(),
                Token::Str(s) => text = s.clone(),
                Token::Atom(a) => {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(a);
                }
            }
        }
        Some(Outcome { status, code, text })
    }

    fn has_code(&self, name: &str) -> bool {
        matches!(self.code.first(), Some(Token::Atom(a)) if a.eq_ignore_ascii_case(name))
    }

    fn ok(self) -> Result<(), MailError> {
        match self.status {
            Status::Ok => Ok(()),
            _ => Err(self.refusal()),
        }
    }

    /// The server's words, as it wrote them.
    fn refusal(self) -> MailError {
        if self.status == Status::Bye {
            return MailError::Unreachable(
                "ManageSieve".into(),
                std::io::Error::new(std::io::ErrorKind::ConnectionAborted, self.text),
            );
        }
        let text = self.text.trim_end().to_owned();
        MailError::ScriptRefused(if text.is_empty() {
            "The ManageSieve server refused.".into()
        } else {
            text
        })
    }
}

fn capabilities(lines: &[Vec<Token>]) -> Capabilities {
    let mut caps = Capabilities::default();
    for line in lines {
        let (Some(Token::Str(name)), value) = (line.first(), line.get(1)) else {
            continue;
        };
        let value = match value {
            Some(Token::Str(v)) => v.as_str(),
            _ => "",
        };
        let words = || value.split_whitespace().map(str::to_owned).collect();
        match name.to_ascii_uppercase().as_str() {
            "IMPLEMENTATION" => caps.implementation = value.to_owned(),
            "SIEVE" => caps.extensions = words(),
            "SASL" => caps.sasl = words(),
            "STARTTLS" => caps.starttls = true,
            _ => {}
        }
    }
    caps
}

#[cfg(test)]
mod tests;
