//! SMTP submission as the signed-in user. The dialogue is lettre's — its
//! commands, its reply parser, its AUTH encodings — over a connection of
//! our own, so that the message is streamed to `DATA` from a reader: lettre's
//! transports and `AsyncSmtpConnection` take the whole message as bytes.

use std::fmt::Display;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Data, Ehlo, Mail, Quit, Rcpt, Starttls};
use lettre::transport::smtp::extension::{
    ClientId, Extension, MailBodyParameter, MailParameter, ServerInfo,
};
use lettre::transport::smtp::response::Response;
use lettre::Message;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::imap::Stream;
use crate::{tls, MailError, MailServer, Security};

/// Connecting, and the TLS handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// A reply to a command, or a write (RFC 5321 §4.5.3.2 asks for 5 minutes).
const REPLY_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The reply to the end of the message (10 minutes).
const DATA_END_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// QUIT after a success is a courtesy: not waited for long.
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest reply line and reply (Postfix's `line_length_limit` and
/// `smtp_response_limit`, as lettre has them).
const MAX_LINE: usize = 1000;
const MAX_REPLY: usize = 100_000;
/// The message goes to the server this many bytes at a time.
const CHUNK: usize = 64 * 1024;

/// Sends a message lettre built (whole, in memory: for small ones).
pub async fn send(
    server: &MailServer,
    user: &str,
    password: &SecretString,
    message: &Message,
) -> Result<(), MailError> {
    submit(
        server,
        user,
        password,
        message.envelope(),
        &message.formatted()[..],
    )
    .await
}

/// Submits the message `message` reads, to `envelope`'s recipients, through
/// `server`, authenticated as `user`. The message goes out as it is read,
/// a chunk at a time; a message that cannot be read to its end is not sent
/// (the connection is dropped before the end of `DATA`).
pub async fn submit(
    server: &MailServer,
    user: &str,
    password: &SecretString,
    envelope: &Envelope,
    message: impl AsyncRead + Unpin,
) -> Result<(), MailError> {
    let mut smtp = open(server).await?;
    smtp.authenticate(user, password).await?;
    let mut parameters = Vec::new();
    let non_ascii = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        if !smtp.info.supports_feature(Extension::SmtpUtfEight) {
            return Err(MailError::BadMessage(
                "The mail server cannot take addresses written with other than ASCII letters."
                    .into(),
            ));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    // Declared whenever the server takes it: a 7-bit message is 8BITMIME too.
    if smtp.info.supports_feature(Extension::EightBitMime) {
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    smtp.command(Mail::new(envelope.from().cloned(), parameters))
        .await?;
    for to in envelope.to() {
        smtp.command(Rcpt::new(to.clone(), Vec::new())).await?;
    }
    smtp.command(Data).await?;
    smtp.data(message).await?;
    let _ = tokio::time::timeout(QUIT_TIMEOUT, smtp.command(Quit)).await;
    Ok(())
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

/// Connects, reads the greeting, says EHLO, and secures the connection as
/// `server.security` asks.
async fn open(server: &MailServer) -> Result<Conversation<Box<dyn Stream>>, MailError> {
    server.check_security()?;
    let unreachable = |e| MailError::Unreachable(server.address(), e);
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(|_| unreachable(timed_out()))?
    .map_err(unreachable)?;
    tcp.set_nodelay(true).map_err(unreachable)?;
    let secure = |tcp| async move {
        tokio::time::timeout(CONNECT_TIMEOUT, tls::wrap(&server.host, tcp))
            .await
            .map_err(|_| unreachable(timed_out()))?
    };
    let stream: Box<dyn Stream> = match server.security {
        Security::Plain => Box::new(tcp),
        Security::Tls => Box::new(secure(tcp).await?),
        Security::Starttls => {
            let mut plain = Conversation::new(tcp, server);
            plain.hello().await?;
            if !plain.info.supports_feature(Extension::StartTls) {
                return Err(MailError::Tls(
                    server.host.clone(),
                    "the server does not offer STARTTLS".into(),
                ));
            }
            plain.command(Starttls).await?;
            let tcp = plain.into_plain()?;
            let mut secured =
                Conversation::new(Box::new(secure(tcp).await?) as Box<dyn Stream>, server);
            // No new greeting follows STARTTLS: EHLO again, over TLS.
            secured.ehlo().await?;
            return Ok(secured);
        }
    };
    let mut smtp = Conversation::new(stream, server);
    smtp.hello().await?;
    Ok(smtp)
}

fn timed_out() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time")
}

/// One SMTP connection and what its server said it can do.
struct Conversation<S> {
    stream: BufReader<S>,
    address: String,
    info: ServerInfo,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conversation<S> {
    fn new(stream: S, server: &MailServer) -> Self {
        Conversation {
            stream: BufReader::new(stream),
            address: server.address(),
            info: ServerInfo::default(),
        }
    }

    fn unreachable(&self, e: std::io::Error) -> MailError {
        MailError::Unreachable(self.address.clone(), e)
    }

    /// The greeting, then EHLO.
    async fn hello(&mut self) -> Result<(), MailError> {
        let greeting = self.reply(REPLY_TIMEOUT).await?;
        positive(greeting)?;
        self.ehlo().await
    }

    async fn ehlo(&mut self) -> Result<(), MailError> {
        let reply = self.command(Ehlo::new(ClientId::default())).await?;
        self.info = ServerInfo::from_response(&reply)
            .map_err(|e| MailError::Protocol(format!("EHLO: {e}")))?;
        Ok(())
    }

    /// The plain stream, once STARTTLS is accepted; refused if the server
    /// sent more than its answer (what it sent before TLS must not be read
    /// as if it came after).
    fn into_plain(self) -> Result<S, MailError> {
        if !self.stream.buffer().is_empty() {
            return Err(MailError::Protocol(
                "the server sent more than its answer to STARTTLS".into(),
            ));
        }
        Ok(self.stream.into_inner())
    }

    /// AUTH with the first mechanism both sides know (PLAIN, then LOGIN).
    async fn authenticate(&mut self, user: &str, password: &SecretString) -> Result<(), MailError> {
        let mechanism = self
            .info
            .get_auth_mechanism(&[Mechanism::Plain, Mechanism::Login])
            .ok_or_else(|| {
                MailError::Protocol("the server offers no known way to sign in (AUTH)".into())
            })?;
        let credentials = Credentials::new(user.to_owned(), password.expose_secret().to_owned());
        let encoding = |e: lettre::transport::smtp::Error| MailError::Protocol(e.to_string());
        self.write(
            Auth::new(mechanism, credentials.clone(), None)
                .map_err(encoding)?
                .to_string()
                .as_bytes(),
        )
        .await?;
        let mut reply = self.reply(REPLY_TIMEOUT).await?;
        // LOGIN asks for the name, then the password.
        for _ in 0..3 {
            if !reply.has_code(334) {
                break;
            }
            let answer = Auth::new_from_response(mechanism, credentials.clone(), &reply)
                .map_err(encoding)?;
            self.write(answer.to_string().as_bytes()).await?;
            reply = self.reply(REPLY_TIMEOUT).await?;
        }
        if reply.has_code(334) {
            return Err(MailError::Protocol("AUTH asked too many questions".into()));
        }
        positive(reply).map(|_| ())
    }

    /// Sends a command and reads its reply, which must be positive.
    async fn command(&mut self, command: impl Display) -> Result<Response, MailError> {
        self.write(command.to_string().as_bytes()).await?;
        positive(self.reply(REPLY_TIMEOUT).await?)
    }

    /// The message, dot-stuffed as it streams, then its end; the server's
    /// reply to it.
    async fn data(&mut self, mut message: impl AsyncRead + Unpin) -> Result<(), MailError> {
        let mut stuffing = DotStuffing::default();
        let mut input = vec![0u8; CHUNK];
        let mut output = Vec::with_capacity(CHUNK + CHUNK / 8);
        loop {
            let read = message.read(&mut input).await.map_err(|e| {
                MailError::BadMessage(format!("the message could not be read: {e}"))
            })?;
            if read == 0 {
                break;
            }
            output.clear();
            stuffing.stuff(&input[..read], &mut output);
            self.write(&output).await?;
        }
        self.write(stuffing.end()).await?;
        positive(self.reply(DATA_END_TIMEOUT).await?).map(|_| ())
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), MailError> {
        let stream = self.stream.get_mut();
        let written = tokio::time::timeout(REPLY_TIMEOUT, async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.unreachable(e)),
            Err(_) => Err(self.unreachable(timed_out())),
        }
    }

    /// Reads one reply, all its lines.
    async fn reply(&mut self, wait: Duration) -> Result<Response, MailError> {
        let mut text = Vec::new();
        loop {
            let start = text.len();
            let line = tokio::time::timeout(
                wait,
                (&mut self.stream)
                    .take(MAX_LINE as u64 + 2)
                    .read_until(b'\n', &mut text),
            )
            .await;
            let read = match line {
                Ok(Ok(read)) => read,
                Ok(Err(e)) => return Err(self.unreachable(e)),
                Err(_) => return Err(self.unreachable(timed_out())),
            };
            if read == 0 {
                return Err(self.unreachable(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                )));
            }
            let line = &text[start..];
            if !line.ends_with(b"\n") || text.len() > MAX_REPLY {
                return Err(MailError::Protocol("the server's reply is too long".into()));
            }
            // `250-…` goes on; `250 …` (or a bare `250`) is the last line.
            if line.get(3).is_none_or(|b| *b != b'-') {
                break;
            }
        }
        let text = String::from_utf8_lossy(&text);
        text.parse::<Response>().map_err(|_| {
            MailError::Protocol(format!(
                "the server's reply was not understood: {}",
                text.trim_end()
            ))
        })
    }
}

/// A reply that is not a success becomes the error that carries it.
fn positive(reply: Response) -> Result<Response, MailError> {
    if reply.is_positive() {
        return Ok(reply);
    }
    Err(MailError::SmtpReply {
        code: u16::from(reply.code()),
        text: reply.message().collect::<Vec<_>>().join(" "),
    })
}

/// RFC 5321's transparency (§4.5.2), kept across chunks: a line that starts
/// with a period gets another, so that no line of the message is the end
/// of `DATA`.
struct DotStuffing {
    at_line_start: bool,
}

impl Default for DotStuffing {
    fn default() -> Self {
        DotStuffing {
            at_line_start: true,
        }
    }
}

impl DotStuffing {
    fn stuff(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        for &b in chunk {
            if self.at_line_start && b == b'.' {
                out.push(b'.');
            }
            out.push(b);
            self.at_line_start = b == b'\n';
        }
    }

    /// The end of the message: its last line ended if it was not.
    fn end(&self) -> &'static [u8] {
        if self.at_line_start {
            b".\r\n"
        } else {
            b"\r\n.\r\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuffed(chunks: &[&[u8]]) -> Vec<u8> {
        let mut stuffing = DotStuffing::default();
        let mut out = Vec::new();
        for chunk in chunks {
            stuffing.stuff(chunk, &mut out);
        }
        out.extend_from_slice(stuffing.end());
        out
    }

    #[test]
    fn lines_starting_with_a_period_are_stuffed_across_chunks() {
        assert_eq!(stuffed(&[b".hidden\r\n"]), b"..hidden\r\n.\r\n");
        assert_eq!(
            stuffed(&[b"a\r\n", b".\r\n", b"b.c\r\n"]),
            b"a\r\n..\r\nb.c\r\n.\r\n",
            "a line that is a period alone does not end the message"
        );
        assert_eq!(stuffed(&[b"a\r", b"\n.", b"x"]), b"a\r\n..x\r\n.\r\n");
        assert_eq!(stuffed(&[]), b".\r\n");
    }

    fn server() -> MailServer {
        MailServer {
            host: "127.0.0.1".into(),
            port: 25,
            security: Security::Starttls,
        }
    }

    /// A conversation with a server that has already said `said` (and
    /// the server's end, kept open by the caller).
    async fn talking_to(
        said: &[u8],
    ) -> (
        Conversation<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
    ) {
        let (client, mut server_side) = tokio::io::duplex(4096);
        server_side.write_all(said).await.expect("server writes");
        (Conversation::new(client, &server()), server_side)
    }

    #[tokio::test]
    async fn replies_are_read_whole_and_refusals_keep_their_code() {
        let (mut smtp, _server) = talking_to(
            b"250-mail.example.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n451 4.3.0 try later\r\n",
        )
        .await;
        let ehlo = smtp.reply(REPLY_TIMEOUT).await.expect("reply");
        assert_eq!(ehlo.message().count(), 3, "three lines, one reply");
        match positive(smtp.reply(REPLY_TIMEOUT).await.expect("reply")) {
            Err(MailError::SmtpReply { code, text }) => {
                assert_eq!(code, 451);
                assert_eq!(text, "4.3.0 try later");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn what_comes_with_the_answer_to_starttls_is_refused() {
        let (mut smtp, _server) = talking_to(b"220 go ahead\r\n250 injected before TLS\r\n").await;
        let go = smtp.reply(REPLY_TIMEOUT).await.expect("reply");
        assert!(go.has_code(220));
        assert!(matches!(smtp.into_plain(), Err(MailError::Protocol(_))));
        let (mut clean, _server) = talking_to(b"220 go ahead\r\n").await;
        clean.reply(REPLY_TIMEOUT).await.expect("reply");
        assert!(clean.into_plain().is_ok());
    }

    #[tokio::test]
    async fn a_server_that_closes_is_unreachable_and_an_endless_line_is_refused() {
        let (client, server_side) = tokio::io::duplex(64);
        drop(server_side);
        let mut closed = Conversation::new(client, &server());
        assert!(matches!(
            closed.reply(REPLY_TIMEOUT).await,
            Err(MailError::Unreachable(..))
        ));
        let (mut long, _server) =
            talking_to(format!("250 {}\r\n", "x".repeat(1200)).as_bytes()).await;
        assert!(matches!(
            long.reply(REPLY_TIMEOUT).await,
            Err(MailError::Protocol(_))
        ));
    }
}
