//! ManageSieve's wire format (RFC 5804): what the client sends, quoted or as
//! literals, and the responses it reads, within bounds so that a hostile
//! server cannot make it buffer without limit.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use crate::MailError;

/// The longest response line (literals aside).
pub const MAX_LINE: usize = 64 * 1024;
/// The largest literal the server may send (a script).
pub const MAX_LITERAL: usize = 1024 * 1024;
/// The most lines in one response (e.g. scripts listed).
pub const MAX_LINES: usize = 10_000;
/// The longest quoted string RFC 5804 allows; longer values go as literals.
const MAX_QUOTED: usize = 1024;

/// One element of a response line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Atom(String),
    /// A quoted string or a literal.
    Str(String),
    /// A response code, `(NONEXISTENT)` or `(SASL "…")`.
    Code(Vec<Token>),
}

fn protocol(message: &str) -> MailError {
    MailError::Protocol(format!("ManageSieve: {message}"))
}

/// A script's name, as a quoted string. RFC 5804 forbids control characters
/// in names, so CR, LF, NUL and the others are refused rather than passed on;
/// quotes and backslashes are escaped.
pub fn name(value: &str) -> Result<Vec<u8>, MailError> {
    let forbidden = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if value.is_empty() || value.chars().count() > 128 || value.chars().any(forbidden) {
        return Err(MailError::BadScriptName(
            "A script name has 1 to 128 characters, none of them a line break or a control character."
                .into(),
        ));
    }
    string(value)
}

/// Any string: quoted when it can be, a literal (`{n+}`) otherwise.
pub fn string(value: &str) -> Result<Vec<u8>, MailError> {
    if value.len() <= MAX_QUOTED && !value.contains(['\r', '\n', '\0']) {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        return Ok(format!("\"{escaped}\"").into_bytes());
    }
    literal(value.as_bytes())
}

/// A non-synchronising literal: `{n+}` CRLF and the bytes as they are.
pub fn literal(bytes: &[u8]) -> Result<Vec<u8>, MailError> {
    if bytes.contains(&0) {
        return Err(MailError::BadMessage(
            "A script cannot hold NUL characters.".into(),
        ));
    }
    let mut out = format!("{{{}+}}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    Ok(out)
}

/// Reads responses from `reader`, counting what each line costs.
pub struct Reader<R> {
    inner: R,
    /// Bytes read of the current line, literals aside.
    line_bytes: usize,
}

impl<R: AsyncBufRead + Unpin> Reader<R> {
    pub fn new(inner: R) -> Self {
        Reader {
            inner,
            line_bytes: 0,
        }
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    async fn byte(&mut self) -> Result<u8, MailError> {
        self.line_bytes += 1;
        if self.line_bytes > MAX_LINE {
            return Err(protocol("a response line is too long"));
        }
        let buf = self.inner.fill_buf().await.map_err(unreachable)?;
        let Some(&b) = buf.first() else {
            return Err(unreachable(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the ManageSieve server closed the connection",
            )));
        };
        self.inner.consume(1);
        Ok(b)
    }

    /// One response line: its tokens, literals read in place.
    pub async fn line(&mut self) -> Result<Vec<Token>, MailError> {
        self.line_bytes = 0;
        let mut tokens = Vec::new();
        let mut code: Option<Vec<Token>> = None;
        loop {
            let b = self.byte().await?;
            let token = match b {
                b' ' => continue,
                b'\r' => {
                    if self.byte().await? != b'\n' {
                        return Err(protocol("a bare CR in a response"));
                    }
                    break;
                }
                b'\n' => break,
                b'(' if code.is_none() => {
                    code = Some(Vec::new());
                    continue;
                }
                b')' => {
                    let inner = code.take().ok_or_else(|| protocol("an unmatched `)`"))?;
                    tokens.push(Token::Code(inner));
                    continue;
                }
                b'"' => Token::Str(self.quoted().await?),
                b'{' => Token::Str(self.literal().await?),
                first => Token::Atom(self.atom(first).await?),
            };
            match code.as_mut() {
                Some(inner) => inner.push(token),
                None => tokens.push(token),
            }
        }
        if code.is_some() {
            return Err(protocol("an unclosed response code"));
        }
        Ok(tokens)
    }

    async fn quoted(&mut self) -> Result<String, MailError> {
        let mut out = Vec::new();
        loop {
            match self.byte().await? {
                b'"' => break,
                b'\\' => out.push(self.byte().await?),
                b'\r' | b'\n' => return Err(protocol("a line break in a quoted string")),
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| protocol("a string that is not UTF-8"))
    }

    /// `{n}` or `{n+}`, CRLF, then n bytes.
    async fn literal(&mut self) -> Result<String, MailError> {
        let mut digits = String::new();
        loop {
            match self.byte().await? {
                b'}' => break,
                b'+' if !digits.is_empty() => {}
                b @ b'0'..=b'9' if digits.len() < 10 => digits.push(b as char),
                _ => return Err(protocol("a malformed literal")),
            }
        }
        let size: usize = digits
            .parse()
            .map_err(|_| protocol("a malformed literal"))?;
        if size > MAX_LITERAL {
            return Err(protocol("a literal larger than Estafette accepts"));
        }
        if (self.byte().await?, self.byte().await?) != (b'\r', b'\n') {
            return Err(protocol("a literal's size is not followed by CRLF"));
        }
        let mut bytes = vec![0; size];
        self.inner
            .read_exact(&mut bytes)
            .await
            .map_err(unreachable)?;
        String::from_utf8(bytes).map_err(|_| protocol("a literal that is not UTF-8"))
    }

    async fn atom(&mut self, first: u8) -> Result<String, MailError> {
        let mut out = vec![first];
        loop {
            let next = self
                .inner
                .fill_buf()
                .await
                .map_err(unreachable)?
                .first()
                .copied();
            match next {
                Some(b' ' | b'\r' | b'\n' | b'(' | b')' | b'"' | b'{') | None => break,
                Some(_) => out.push(self.byte().await?),
            }
        }
        String::from_utf8(out).map_err(|_| protocol("an atom that is not UTF-8"))
    }
}

fn unreachable(e: std::io::Error) -> MailError {
    MailError::Unreachable("ManageSieve".into(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Result<Vec<u8>, MailError>) -> String {
        String::from_utf8(bytes.unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn names_are_quoted_and_controls_refused() {
        assert_eq!(text(name("estafette")), "\"estafette\"");
        assert_eq!(text(name(r#"a"b\c"#)), r#""a\"b\\c""#);
        for hostile in [
            "x\r\nDELETESCRIPT \"estafette\"",
            "x\nLOGOUT",
            "x\0",
            "",
            "a\u{7f}",
            "a\u{2028}b",
        ] {
            assert!(name(hostile).is_err(), "{hostile:?}");
        }
    }

    #[test]
    fn strings_with_line_breaks_go_as_literals() {
        assert_eq!(text(string("a\r\nPUTSCRIPT")), "{12+}\r\na\r\nPUTSCRIPT");
        let long = "x".repeat(2000);
        assert!(text(string(&long)).starts_with("{2000+}\r\n"));
        assert!(literal(b"a\0b").is_err());
    }

    async fn parse(bytes: &[u8]) -> Result<Vec<Vec<Token>>, MailError> {
        let mut reader = Reader::new(bytes);
        let mut lines = Vec::new();
        while !reader.get_mut().is_empty() {
            lines.push(reader.line().await?);
        }
        Ok(lines)
    }

    #[tokio::test]
    async fn reads_atoms_strings_codes_and_literals() {
        let lines = parse(
            b"\"SIEVE\" \"fileinto vacation\"\r\nOK (WARNINGS) \"line 2: \\\"x\\\"\"\r\n{5}\r\nab\r\nc\r\nNO (SASL {2+}\r\nxy) x\r\n",
        )
        .await;
        let lines = lines.map_err(|e| e.to_string());
        assert_eq!(
            lines,
            Ok(vec![
                vec![
                    Token::Str("SIEVE".into()),
                    Token::Str("fileinto vacation".into())
                ],
                vec![
                    Token::Atom("OK".into()),
                    Token::Code(vec![Token::Atom("WARNINGS".into())]),
                    Token::Str("line 2: \"x\"".into()),
                ],
                vec![Token::Str("ab\r\nc".into())],
                vec![
                    Token::Atom("NO".into()),
                    Token::Code(vec![Token::Atom("SASL".into()), Token::Str("xy".into())]),
                    Token::Atom("x".into()),
                ],
            ])
        );
    }

    #[tokio::test]
    async fn hostile_responses_are_bounded() {
        let endless = vec![b'a'; MAX_LINE + 10];
        assert!(parse(&endless).await.is_err(), "a line without end");
        assert!(parse(b"{99999999999}\r\n").await.is_err(), "a huge literal");
        assert!(
            parse(format!("{{{}}}\r\n", MAX_LITERAL + 1).as_bytes())
                .await
                .is_err(),
            "a literal past the limit"
        );
        assert!(parse(b"{5}\r\nab").await.is_err(), "a literal cut short");
        assert!(parse(b"\"abc\r\n").await.is_err(), "an unclosed quote");
        assert!(parse(b"OK (TAG\r\n").await.is_err(), "an unclosed code");
    }
}
