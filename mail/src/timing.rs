//! IMAP command latency, read off the wire: the stream under a session
//! notes when each tagged command is written and when its tagged answer
//! comes back, and records the time as `estafette_imap_command_seconds`
//! labelled by the command's name. Only the known commands are names (the
//! series stay few), only the tag and the command's name are read of a
//! line (never its arguments: a LOGIN carries a password), and IDLE is not
//! timed (it lasts as long as nothing happens).

use std::fmt::Debug;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The commands Estafette's sessions send, by the name they are timed under.
const COMMANDS: &[&str] = &[
    "APPEND",
    "CAPABILITY",
    "COPY",
    "CREATE",
    "DELETE",
    "ENABLE",
    "EXAMINE",
    "EXPUNGE",
    "FETCH",
    "GETQUOTAROOT",
    "ID",
    "LIST",
    "LOGIN",
    "LOGOUT",
    "LSUB",
    "MOVE",
    "NAMESPACE",
    "NOOP",
    "RENAME",
    "SEARCH",
    "SELECT",
    "SORT",
    "STATUS",
    "STORE",
    "SUBSCRIBE",
    "THREAD",
    "UNSELECT",
    "UNSUBSCRIBE",
];

/// At most this many commands are waited for at once (IMAP pipelines few).
const PENDING: usize = 8;
/// What is kept of a line's start: a tag and a command's name fit.
const HEAD: usize = 40;

/// The name a command line is timed under (`UID FETCH`, `SELECT`), if it
/// is one of [`COMMANDS`], with its tag.
fn command(line: &[u8]) -> Option<(String, &'static str, bool)> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split([' ', '\r', '\n']);
    let tag = words
        .next()
        .filter(|t| (1..=16).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()))?;
    let mut word = words.next()?.to_ascii_uppercase();
    let uid = word == "UID";
    if uid {
        word = words.next()?.to_ascii_uppercase();
    }
    let name = COMMANDS.iter().find(|c| **c == word)?;
    Some((tag.to_owned(), name, uid))
}

/// The first [`HEAD`] bytes of each line of a stream, however its writes
/// or reads cut it, each handed on once: when the line ends or the bytes
/// are in.
#[derive(Debug, Default)]
struct LineHeads {
    head: Vec<u8>,
    judged: bool,
}

impl LineHeads {
    fn feed(&mut self, mut bytes: &[u8], mut judge: impl FnMut(&[u8])) {
        while !bytes.is_empty() {
            let end = bytes.iter().position(|&b| b == b'\n');
            let line = &bytes[..end.map_or(bytes.len(), |i| i + 1)];
            if !self.judged {
                let room = HEAD - self.head.len();
                self.head.extend_from_slice(&line[..line.len().min(room)]);
                if self.head.len() == HEAD || end.is_some() {
                    self.judged = true;
                    judge(&self.head);
                }
            }
            match end {
                Some(i) => {
                    self.head.clear();
                    self.judged = false;
                    bytes = &bytes[i + 1..];
                }
                None => break,
            }
        }
    }
}

/// The commands written and not yet answered, and the starts of the lines
/// being written (a client writes a command's tag, its text and its line
/// end apart) and read.
#[derive(Debug, Default)]
struct Clock {
    pending: Vec<(String, String, Instant)>,
    written: LineHeads,
    read: LineHeads,
}

impl Clock {
    fn new() -> Self {
        Clock::default()
    }

    /// Notes `bytes` written: a command is timed from when its line ends
    /// (it is sent then).
    fn wrote(&mut self, bytes: &[u8]) {
        let pending = &mut self.pending;
        self.written.feed(bytes, |head| {
            let Some((tag, name, uid)) = command(head) else {
                return;
            };
            if pending.len() == PENDING {
                pending.remove(0);
            }
            let name = if uid {
                format!("UID {name}")
            } else {
                name.to_owned()
            };
            pending.push((tag, name, Instant::now()));
        });
    }

    /// Reads `bytes` for tagged answers; returns each answered command's
    /// name and how long it took.
    fn read(&mut self, bytes: &[u8]) -> Vec<(String, std::time::Duration)> {
        let pending = &mut self.pending;
        let mut answered = Vec::new();
        self.read.feed(bytes, |head| {
            // The command the line is the tagged answer of, if any.
            let at = pending.iter().position(|(tag, _, _)| {
                head.len() > tag.len()
                    && head.starts_with(tag.as_bytes())
                    && head[tag.len()] == b' '
            });
            if let Some(at) = at {
                let (_, name, started) = pending.remove(at);
                answered.push((name, started.elapsed()));
            }
        });
        answered
    }
}

/// A session's stream, with its commands timed.
#[derive(Debug)]
pub(crate) struct Timed<S> {
    inner: S,
    clock: Clock,
}

impl<S> Timed<S> {
    pub(crate) fn new(inner: S) -> Self {
        Timed {
            inner,
            clock: Clock::new(),
        }
    }
}

fn record(answered: Vec<(String, std::time::Duration)>) {
    for (name, took) in answered {
        metrics::histogram!("estafette_imap_command_seconds", "command" => name)
            .record(took.as_secs_f64());
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Timed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            record(this.clock.read(&buf.filled()[before..]));
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Timed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            this.clock.wrote(&buf[..n]);
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(answered: Vec<(String, std::time::Duration)>) -> Vec<String> {
        answered.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn a_command_is_timed_from_its_line_to_its_tagged_answer() {
        let mut clock = Clock::new();
        clock.wrote(b"A0003 UID FETCH 1:* (FLAGS)\r\n");
        assert!(clock
            .read(b"* 1 FETCH (FLAGS (\\Seen) UID 1)\r\n")
            .is_empty());
        assert_eq!(
            names(clock.read(b"A0003 OK Fetch completed.\r\n")),
            ["UID FETCH"]
        );
        assert!(clock.pending.is_empty());
    }

    #[test]
    fn a_command_written_in_pieces_is_timed_once_it_is_whole() {
        // As async-imap writes one: the tag, a space, the text, the line end.
        let line = b"A0012 UID MOVE 4 Archive\r\n";
        for cut in 1..line.len() {
            let mut clock = Clock::new();
            clock.wrote(&line[..cut]);
            clock.wrote(&line[cut..]);
            assert_eq!(clock.pending.len(), 1, "cut at {cut}");
            assert_eq!(names(clock.read(b"A0012 OK Done\r\n")), ["UID MOVE"]);
        }
        let mut clock = Clock::new();
        for piece in [&b"A0013"[..], b" ", b"LOGIN \"alice\" \"secret\"", b"\r\n"] {
            clock.wrote(piece);
        }
        assert_eq!(names(clock.read(b"A0013 OK Logged in\r\n")), ["LOGIN"]);
    }

    #[test]
    fn an_answer_split_anywhere_across_reads_is_found_once() {
        let answer = b"* 3 EXISTS\r\nA0007 OK Select completed.\r\n";
        for cut in 0..answer.len() {
            let mut clock = Clock::new();
            clock.wrote(b"A0007 SELECT INBOX\r\n");
            let mut found = names(clock.read(&answer[..cut]));
            found.extend(names(clock.read(&answer[cut..])));
            assert_eq!(found, ["SELECT"], "cut at {cut}");
        }
    }

    #[test]
    fn only_known_commands_are_names_and_arguments_are_never_read() {
        let mut clock = Clock::new();
        clock.wrote(b"A0001 LOGIN \"alice\" \"secret password\"\r\n");
        clock.wrote(b"A0002 XSTRANGE whatever\r\n");
        assert_eq!(clock.pending.len(), 1);
        assert_eq!(clock.pending[0].1, "LOGIN");
        // IDLE lasts until something happens: it is not a latency.
        clock.wrote(b"A0004 IDLE\r\n");
        assert_eq!(clock.pending.len(), 1);
        assert_eq!(names(clock.read(b"A0001 OK Logged in\r\n")), ["LOGIN"]);
    }

    #[test]
    fn a_literal_is_not_taken_for_a_command_nor_a_body_line_for_an_answer() {
        let mut clock = Clock::new();
        clock.wrote(b"A0009 APPEND INBOX {40}\r\n");
        // The literal's lines are written at line starts but are no command.
        clock.wrote(b"From: a@example.org\r\n");
        clock.wrote(b"Subject: hi\r\n\r\nbody\r\n");
        assert_eq!(clock.pending.len(), 1);
        // A body line that starts like a tag of nothing pending is ignored.
        assert!(clock.read(b"+ Ready\r\nB0001 OK fake\r\n").is_empty());
        assert_eq!(
            names(clock.read(b"A0009 OK [APPENDUID 1 2] Append completed.\r\n")),
            ["APPEND"]
        );
    }

    #[test]
    fn unanswered_commands_are_not_kept_without_end() {
        let mut clock = Clock::new();
        for i in 0..100 {
            clock.wrote(format!("A{i:04} NOOP\r\n").as_bytes());
        }
        assert_eq!(clock.pending.len(), PENDING);
    }
}
