//! A small client of ClamAV's daemon, `clamd`: a file streamed to it with
//! `INSTREAM` (chunks, each after its length as four big-endian bytes, ended
//! by a chunk of none) over its Unix socket or TCP, and its one-line answer
//! read: `stream: OK`, `stream: NAME FOUND`, or an error.

use std::path::PathBuf;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Where clamd listens: `unix:/path` or `tcp:host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clamd {
    Unix(PathBuf),
    Tcp(String),
}

/// What clamd found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature's name (`Eicar-Test-Signature`).
    Infected(String),
    /// Larger than clamd scans (its `StreamMaxLength`): not known clean.
    TooLarge,
}

/// Connecting, and each write or the answer.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The longest answer read.
const MAX_ANSWER: usize = 4096;
/// Chunks sent at most this large (clamd's `StreamMaxLength` bounds the whole).
const CHUNK: usize = 64 * 1024;

impl Clamd {
    /// `unix:/path` or `tcp:host:port`; `None` for anything else.
    pub fn parse(address: &str) -> Option<Clamd> {
        if let Some(path) = address.strip_prefix("unix:") {
            return (!path.is_empty()).then(|| Clamd::Unix(PathBuf::from(path)));
        }
        let hostport = address.strip_prefix("tcp:")?;
        let (host, port) = hostport.rsplit_once(':')?;
        (!host.is_empty() && port.parse::<u16>().is_ok()).then(|| Clamd::Tcp(hostport.to_owned()))
    }

    /// Scans what `body` yields. An error (`Err`) is clamd unreachable or
    /// refusing (too large, or broken): the file was not scanned.
    pub async fn scan<E: std::fmt::Display>(
        &self,
        body: impl Stream<Item = Result<Vec<u8>, E>>,
    ) -> Result<Verdict, String> {
        let within = |what: &'static str| move |_| format!("clamd: no answer in time ({what})");
        match self {
            Clamd::Unix(path) => {
                let conn = tokio::time::timeout(TIMEOUT, tokio::net::UnixStream::connect(path))
                    .await
                    .map_err(within("connecting"))?
                    .map_err(|e| format!("clamd at {}: {e}", path.display()))?;
                instream(conn, body).await
            }
            Clamd::Tcp(address) => {
                let conn = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(address))
                    .await
                    .map_err(within("connecting"))?
                    .map_err(|e| format!("clamd at {address}: {e}"))?;
                instream(conn, body).await
            }
        }
    }
}

async fn write(conn: &mut (impl AsyncWrite + Unpin), bytes: &[u8]) -> Result<(), String> {
    tokio::time::timeout(TIMEOUT, conn.write_all(bytes))
        .await
        .map_err(|_| "clamd: no answer in time (sending)".to_owned())?
        .map_err(|e| format!("clamd: {e}"))
}

async fn instream<E: std::fmt::Display>(
    mut conn: impl AsyncRead + AsyncWrite + Unpin,
    body: impl Stream<Item = Result<Vec<u8>, E>>,
) -> Result<Verdict, String> {
    write(&mut conn, b"zINSTREAM\0").await?;
    let mut body = std::pin::pin!(body);
    let mut refused_early = false;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("the file could not be read: {e}"))?;
        for piece in chunk.chunks(CHUNK) {
            let len = (piece.len() as u32).to_be_bytes();
            // clamd answers and closes once the stream passes its limit.
            if write(&mut conn, &len).await.is_err() || write(&mut conn, piece).await.is_err() {
                refused_early = true;
                break;
            }
        }
        if refused_early {
            break;
        }
    }
    if !refused_early {
        // Refused as it ends: its answer says why.
        let _ = write(&mut conn, &0u32.to_be_bytes()).await;
    }
    let mut answer = Vec::new();
    let mut limited = (&mut conn).take(MAX_ANSWER as u64);
    tokio::time::timeout(TIMEOUT, limited.read_to_end(&mut answer))
        .await
        .map_err(|_| "clamd: no answer in time".to_owned())?
        .map_err(|e| format!("clamd: {e}"))?;
    verdict(&answer)
}

/// clamd's answer: `stream: OK`, `stream: NAME FOUND`, `… ERROR`.
fn verdict(answer: &[u8]) -> Result<Verdict, String> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n', '\r']).trim();
    let rest = text.strip_prefix("stream:").map(str::trim);
    match rest {
        Some("OK") => Ok(Verdict::Clean),
        Some(found) if found.ends_with(" FOUND") => {
            let name = found.trim_end_matches(" FOUND").trim();
            let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
            Ok(Verdict::Infected(name))
        }
        _ if text.contains("size limit exceeded") => Ok(Verdict::TooLarge),
        _ if text.is_empty() => Err("clamd closed the connection without an answer".into()),
        _ => Err(format!(
            "clamd: {}",
            text.chars().take(200).collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            Clamd::parse("unix:/run/clamd.sock"),
            Some(Clamd::Unix("/run/clamd.sock".into()))
        );
        assert_eq!(
            Clamd::parse("tcp:127.0.0.1:3310"),
            Some(Clamd::Tcp("127.0.0.1:3310".into()))
        );
        for bad in [
            "",
            "unix:",
            "tcp:127.0.0.1",
            "tcp::3310",
            "127.0.0.1:3310",
            "tcp:h:99999",
        ] {
            assert_eq!(Clamd::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn answers() {
        assert_eq!(verdict(b"stream: OK\0"), Ok(Verdict::Clean));
        assert_eq!(
            verdict(b"stream: Eicar-Test-Signature FOUND\0"),
            Ok(Verdict::Infected("Eicar-Test-Signature".into()))
        );
        assert_eq!(
            verdict(b"INSTREAM size limit exceeded. ERROR\0"),
            Ok(Verdict::TooLarge)
        );
        assert!(verdict(b"UNKNOWN COMMAND\0").is_err());
        assert!(verdict(b"").is_err());
        assert!(verdict(b"stream: \x07Odd\r\n FOUND")
            .is_ok_and(|v| v == Verdict::Infected("Odd".into())));
    }

    /// The dialogue, against a clamd played by the test: the command, the
    /// chunks with their lengths, the end, then the answer.
    #[tokio::test]
    async fn the_file_goes_in_chunks_and_the_answer_is_read() {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let played = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = server.read(&mut buf).await.unwrap_or(0);
                got.extend_from_slice(&buf[..n]);
                if n == 0 || got.ends_with(&[0, 0, 0, 0]) {
                    break;
                }
            }
            let _ = server.write_all(b"stream: OK\0").await;
            got
        });
        let body =
            futures::stream::iter(vec![Ok::<_, String>(b"abc".to_vec()), Ok(b"de".to_vec())]);
        assert_eq!(instream(client, body).await, Ok(Verdict::Clean));
        let got = played.await.unwrap_or_default();
        assert_eq!(
            got,
            [
                &b"zINSTREAM\0"[..],
                &[0, 0, 0, 3],
                b"abc",
                &[0, 0, 0, 2],
                b"de",
                &[0, 0, 0, 0]
            ]
            .concat()
        );
    }
}
