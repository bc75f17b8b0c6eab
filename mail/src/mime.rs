//! The body of a message, written as it is read out: the text parts (small;
//! formatted by lettre), and each file — an attachment, an image of the
//! text — read from disk a chunk at a time and base64-encoded as it goes.
//! A part knows its file by path only: nothing here can hold it whole, and
//! the writer's two buffers are all the memory a message of any size takes.

use std::path::PathBuf;

use base64::Engine;
use futures::future::BoxFuture;
use lettre::message::header::{ContentTransferEncoding, ContentType, Headers};
use lettre::message::{Attachment, Body};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::MailError;

/// Bytes of a file read at once: a whole number of base64 lines (57 bytes
/// make a line of 76 characters).
const CHUNK: usize = 57 * 1024;
const LINE_IN: usize = 57;
/// The longest line a 7bit body may have, its CRLF not counted (RFC 5322).
const MAX_7BIT_LINE: usize = 998;

/// Why a message could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file of the message (named as the message names it) is unreadable.
    #[error("`{0}` could not be read: {1}")]
    File(String, #[source] std::io::Error),
    /// Where the message goes refused it (a full disk, a closed connection).
    #[error("the message could not be written: {0}")]
    Output(#[source] std::io::Error),
}

/// One part of a message, or a tree of them.
pub(crate) enum Part {
    /// Headers, blank line, body and its line end, as lettre formatted them.
    Formatted(Vec<u8>),
    File(FilePart),
    Multi {
        /// `Content-Type: multipart/…; boundary=…`, with its line end.
        head: Vec<u8>,
        boundary: String,
        parts: Vec<Part>,
    },
}

/// A file as a part: its headers (made by lettre) and where it is read from.
pub(crate) struct FilePart {
    name: String,
    path: PathBuf,
    /// The headers with `Content-Transfer-Encoding: base64`, and the blank line.
    base64_head: Vec<u8>,
    /// For a message (`message/rfc822`, which RFC 2046 wants unencoded): the
    /// headers saying `7bit`, used when the file is 7-bit text.
    seven_bit_head: Option<Vec<u8>>,
}

/// A part's headers and blank line, as lettre writes them for `attachment`.
fn attachment_head(
    attachment: &Attachment,
    content_type: &ContentType,
    encoding: ContentTransferEncoding,
) -> Vec<u8> {
    let part = attachment.clone().body(
        Body::dangerous_pre_encoded(Vec::new(), encoding),
        content_type.clone(),
    );
    let mut head = part.formatted();
    // Without the line end of the (empty) body.
    head.truncate(head.len().saturating_sub(2));
    head
}

impl Part {
    /// A multipart of `kind` (`mixed`, `alternative`, `related`).
    pub(crate) fn multi(kind: &str, parts: Vec<Part>) -> Result<Part, MailError> {
        let boundary: String = {
            use rand::distr::{Alphanumeric, SampleString};
            Alphanumeric.sample_string(&mut rand::rng(), 40)
        };
        let content_type =
            ContentType::parse(&format!("multipart/{kind}; boundary=\"{boundary}\""))
                .map_err(|e| MailError::BadMessage(format!("multipart/{kind}: {e}")))?;
        let mut headers = Headers::new();
        headers.set(content_type);
        Ok(Part::Multi {
            head: headers.to_string().into_bytes(),
            boundary,
            parts,
        })
    }

    /// The file at `path`, sent as `attachment` of `content_type` (whose
    /// name and type are checked by the caller); `is_message` when it is a
    /// `message/rfc822`.
    pub(crate) fn file(
        name: &str,
        path: PathBuf,
        attachment: Attachment,
        content_type: ContentType,
        is_message: bool,
    ) -> Part {
        Part::File(FilePart {
            name: name.to_owned(),
            path,
            base64_head: attachment_head(
                &attachment,
                &content_type,
                ContentTransferEncoding::Base64,
            ),
            seven_bit_head: is_message.then(|| {
                attachment_head(
                    &attachment,
                    &content_type,
                    ContentTransferEncoding::SevenBit,
                )
            }),
        })
    }

    /// Writes the part: headers, blank line, body.
    pub(crate) fn write<'a, W: AsyncWrite + Unpin + Send>(
        &'a self,
        out: &'a mut W,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        Box::pin(async move {
            match self {
                Part::Formatted(bytes) => put(out, bytes).await,
                Part::File(file) => file.write(out).await,
                Part::Multi {
                    head,
                    boundary,
                    parts,
                } => {
                    put(out, head).await?;
                    put(out, b"\r\n").await?;
                    for part in parts {
                        put(out, format!("--{boundary}\r\n").as_bytes()).await?;
                        part.write(out).await?;
                    }
                    put(out, format!("--{boundary}--\r\n").as_bytes()).await
                }
            }
        })
    }
}

async fn put<W: AsyncWrite + Unpin>(out: &mut W, bytes: &[u8]) -> Result<(), WriteError> {
    out.write_all(bytes).await.map_err(WriteError::Output)
}

impl FilePart {
    async fn open(&self) -> Result<tokio::fs::File, WriteError> {
        tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| self.unreadable(e))
    }

    fn unreadable(&self, e: std::io::Error) -> WriteError {
        WriteError::File(self.name.clone(), e)
    }

    async fn write<W: AsyncWrite + Unpin>(&self, out: &mut W) -> Result<(), WriteError> {
        let seven_bit = match &self.seven_bit_head {
            Some(head)
                if is_seven_bit(self.open().await?)
                    .await
                    .map_err(|e| self.unreadable(e))? =>
            {
                Some(head)
            }
            _ => None,
        };
        let mut file = self.open().await?;
        let mut input = vec![0u8; CHUNK];
        match seven_bit {
            Some(head) => {
                put(out, head).await?;
                loop {
                    let read = file
                        .read(&mut input)
                        .await
                        .map_err(|e| self.unreadable(e))?;
                    if read == 0 {
                        break;
                    }
                    put(out, &input[..read]).await?;
                }
                // The body's line end (the delimiter's CRLF is not the body's).
                put(out, b"\r\n").await
            }
            None => {
                put(out, &self.base64_head).await?;
                let mut encoder = Base64Lines::default();
                loop {
                    let read = fill(&mut file, &mut input)
                        .await
                        .map_err(|e| self.unreadable(e))?;
                    if read == 0 {
                        break;
                    }
                    put(out, encoder.encode(&input[..read])).await?;
                }
                Ok(())
            }
        }
    }
}

/// Reads until `buf` is full or the file ends (so that every chunk but the
/// last is a whole number of base64 lines); how many bytes were read.
async fn fill(file: &mut (impl AsyncRead + Unpin), buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let read = file.read(&mut buf[filled..]).await?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    Ok(filled)
}

/// Base64 in lines of 76 characters, each ending with CRLF (RFC 2045).
#[derive(Default)]
struct Base64Lines {
    out: Vec<u8>,
}

impl Base64Lines {
    /// The lines of `chunk` (whole lines, unless it is the file's last).
    fn encode(&mut self, chunk: &[u8]) -> &[u8] {
        let engine = base64::engine::general_purpose::STANDARD;
        self.out.clear();
        for line in chunk.chunks(LINE_IN) {
            let start = self.out.len();
            self.out.resize(start + 76, 0);
            let written = engine
                .encode_slice(line, &mut self.out[start..])
                .unwrap_or_default();
            self.out.truncate(start + written);
            self.out.extend_from_slice(b"\r\n");
        }
        &self.out
    }
}

/// Whether what `file` holds can go as 7bit: ASCII without NUL, lines of
/// at most 998 characters ended by CRLF (read through, never held).
async fn is_seven_bit(mut file: impl AsyncRead + Unpin) -> std::io::Result<bool> {
    let mut buf = vec![0u8; CHUNK];
    let (mut line, mut after_cr) = (0usize, false);
    loop {
        let read = file.read(&mut buf).await?;
        if read == 0 {
            return Ok(!after_cr);
        }
        for &b in &buf[..read] {
            match (b, after_cr) {
                (b'\n', true) => {
                    line = 0;
                    after_cr = false;
                }
                (_, true) | (b'\n', false) | (0, _) | (128..=255, _) => return Ok(false),
                (b'\r', false) => after_cr = true,
                _ => {
                    line += 1;
                    if line > MAX_7BIT_LINE {
                        return Ok(false);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines_are_76_characters_and_decode_back() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut encoder = Base64Lines::default();
        let mut out = Vec::new();
        for chunk in data.chunks(LINE_IN * 3) {
            out.extend_from_slice(encoder.encode(chunk));
        }
        let text = String::from_utf8(out).expect("ascii");
        assert!(text.ends_with("\r\n"));
        assert!(text.split("\r\n").all(|l| l.len() <= 76));
        let back = base64::engine::general_purpose::STANDARD
            .decode(text.replace("\r\n", ""))
            .expect("base64");
        assert_eq!(back, data);
    }

    #[tokio::test]
    async fn seven_bit_is_ascii_in_short_crlf_lines() {
        assert!(is_seven_bit(&b"Subject: x\r\n\r\nbody\r\n"[..])
            .await
            .expect("read"));
        assert!(!is_seven_bit(&b"bare\nline"[..]).await.expect("read"));
        assert!(!is_seven_bit(&b"bare\rreturn"[..]).await.expect("read"));
        assert!(!is_seven_bit("été\r\n".as_bytes()).await.expect("read"));
        assert!(!is_seven_bit(&b"nul\0\r\n"[..]).await.expect("read"));
        let long = format!("{}\r\n", "x".repeat(999));
        assert!(!is_seven_bit(long.as_bytes()).await.expect("read"));
    }
}
