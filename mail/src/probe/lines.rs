//! Line-at-a-time talk with a text protocol (IMAP before login, SMTP),
//! within bounds: a line of 64 KiB at most, a reply of 1,000 lines.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::{MailError, MailServer};

const MAX_LINE: u64 = 64 * 1024;
pub(super) const MAX_LINES: usize = 1000;

pub(super) struct Lines<S> {
    reader: BufReader<S>,
    /// Who is at the other end, for errors.
    peer: String,
}

fn lost(peer: &str, e: std::io::Error) -> MailError {
    MailError::Unreachable(peer.to_owned(), e)
}

impl<S: AsyncRead + AsyncWrite + Unpin> Lines<S> {
    pub(super) fn new(stream: S, peer: &str) -> Self {
        Lines {
            reader: BufReader::new(stream),
            peer: peer.to_owned(),
        }
    }

    /// The next line, without its line break.
    pub(super) async fn line(&mut self) -> Result<String, MailError> {
        let mut buf = Vec::new();
        (&mut self.reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|e| lost(&self.peer, e))?;
        if buf.is_empty() {
            let closed = std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "the server closed the connection",
            );
            return Err(lost(&self.peer, closed));
        }
        if !buf.ends_with(b"\n") {
            return Err(MailError::Protocol(format!(
                "{}: a line too long",
                self.peer
            )));
        }
        Ok(String::from_utf8_lossy(&buf)
            .trim_end_matches(['\r', '\n'])
            .to_owned())
    }

    pub(super) async fn send(&mut self, line: &str) -> Result<(), MailError> {
        let stream = self.reader.get_mut();
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend(b"\r\n");
        stream
            .write_all(&bytes)
            .await
            .map_err(|e| lost(&self.peer, e))?;
        stream.flush().await.map_err(|e| lost(&self.peer, e))
    }

    /// The stream, to start TLS on; bytes already read past the last line
    /// would be the server speaking out of turn.
    pub(super) fn into_inner(self) -> Result<S, MailError> {
        if !self.reader.buffer().is_empty() {
            return Err(MailError::Protocol(format!(
                "{}: data before the TLS handshake",
                self.peer
            )));
        }
        Ok(self.reader.into_inner())
    }
}

pub(super) async fn connect(server: &MailServer) -> Result<TcpStream, MailError> {
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(|e| MailError::Unreachable(server.address(), e))?;
    tcp.set_nodelay(true)
        .map_err(|e| MailError::Unreachable(server.address(), e))?;
    Ok(tcp)
}
