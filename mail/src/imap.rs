//! IMAP connections: connect with the configured security, then log in.

use std::collections::HashSet;
use std::fmt::Debug;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_imap::imap_proto::{MailboxDatum, Outcome, Response, Status};
use async_imap::{Client, Session};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::timing::Timed;
use crate::{tls, MailError, MailServer, Security};

/// Any byte stream an IMAP session runs over (TCP, or TLS over TCP).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Stream for T {}

/// A logged-in IMAP session, with what the server can do and which folder
/// is selected (so that a run of commands on one folder selects it once),
/// and how many messages that folder holds, kept up to date from the
/// server's EXISTS and EXPUNGE responses (RFC 9051 §7.4.1, §7.5.1), so
/// that a page of it is read without selecting it again.
pub struct ImapSession {
    session: Session<Box<dyn Stream>>,
    capabilities: HashSet<String>,
    selected: Option<Selected>,
    /// Where SELECTs are counted, when someone counts them (a metric).
    selects: Option<Arc<AtomicU64>>,
}

struct Selected {
    folder: String,
    exists: u32,
    /// What it keeps of keywords, and the labels defined in it.
    permanent: crate::labels::Permanent,
    labels: Vec<String>,
}

impl Deref for ImapSession {
    type Target = Session<Box<dyn Stream>>;
    fn deref(&self) -> &Self::Target {
        &self.session
    }
}

impl DerefMut for ImapSession {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.session
    }
}

/// Opens a connection, reads the greeting and logs in as `user`.
pub async fn login(
    server: &MailServer,
    user: &str,
    password: &SecretString,
) -> Result<ImapSession, MailError> {
    let client = connect(server).await?;
    let mut session = match client.login(user, password.expose_secret()).await {
        Ok(session) => session,
        Err((async_imap::error::Error::No(_), _)) => return Err(MailError::Rejected),
        Err((async_imap::error::Error::Bad(_), _)) => return Err(MailError::Rejected),
        Err((e, _)) => return Err(e.into()),
    };
    let capabilities = session
        .capabilities()
        .await?
        .iter()
        .filter_map(|c| match c {
            async_imap::types::Capability::Atom(a) => Some(a.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    Ok(ImapSession {
        session,
        capabilities,
        selected: None,
        selects: None,
    })
}

impl ImapSession {
    /// Counts this session's SELECTs in `count`.
    pub fn count_selects_in(&mut self, count: Arc<AtomicU64>) {
        self.selects = Some(count);
    }

    /// What the server announced after login, sorted.
    pub fn capabilities(&self) -> Vec<String> {
        let mut all: Vec<String> = self.capabilities.iter().cloned().collect();
        all.sort();
        all
    }

    /// Whether the server announced `capability` (e.g. `SORT`, `MOVE`).
    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.contains(capability)
    }

    /// Selects `folder` (read-write) and returns how many messages it holds.
    pub async fn select_folder(&mut self, folder: &str) -> Result<u32, MailError> {
        self.selected = None;
        let no_such = || MailError::NoSuchFolder(folder.chars().take(200).collect());
        if folder.contains('\0') {
            return Err(no_such());
        }
        if let Some(count) = &self.selects {
            count.fetch_add(1, Ordering::Relaxed);
        }
        match self.session.select(crate::utf7::encode(folder)).await {
            Ok(mailbox) => {
                // What was queued before is about the folder left.
                while self.session.unsolicited_responses.try_recv().is_ok() {}
                self.selected = Some(Selected {
                    folder: folder.to_owned(),
                    exists: mailbox.exists,
                    permanent: crate::labels::Permanent::from_flags(&mailbox.permanent_flags),
                    labels: crate::labels::labels_of(&mailbox.flags),
                });
                Ok(mailbox.exists)
            }
            Err(
                async_imap::error::Error::No(_)
                | async_imap::error::Error::Bad(_)
                | async_imap::error::Error::Validate(_),
            ) => Err(no_such()),
            Err(e) => Err(e.into()),
        }
    }

    /// The selected folder's keywords: what it keeps, and the labels
    /// defined in it (as its SELECT said); nothing when none is selected.
    pub fn selected_labels(&self) -> (crate::labels::Permanent, &[String]) {
        match &self.selected {
            Some(s) => (s.permanent.clone(), &s.labels),
            None => (crate::labels::Permanent::default(), &[]),
        }
    }

    /// A label now defined in the selected folder (set by this session).
    pub(crate) fn note_label(&mut self, keyword: &str) {
        if let Some(s) = self.selected.as_mut() {
            if !s.labels.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
                s.labels.push(keyword.to_owned());
            }
        }
    }

    /// Makes `folder` the selected one, unless it already is.
    pub async fn ensure_selected(&mut self, folder: &str) -> Result<(), MailError> {
        if self.selected.as_ref().map(|s| s.folder.as_str()) != Some(folder) {
            self.select_folder(folder).await?;
        }
        Ok(())
    }

    /// Makes `folder` the selected one, brought up to date if it already
    /// was (a NOOP): a server answers a FETCH of a UID it has not yet
    /// announced to this connection with nothing, so a message delivered
    /// since the last command would look missing.
    pub async fn ensure_current(&mut self, folder: &str) -> Result<(), MailError> {
        self.refresh(folder).await.map(|_| ())
    }

    /// How many messages `folder` holds now: selected already, a NOOP
    /// brings the changes since (new mail, messages removed elsewhere),
    /// which costs the same in a folder of any size; otherwise it is
    /// selected.
    pub async fn refresh(&mut self, folder: &str) -> Result<u32, MailError> {
        if self.selected.as_ref().map(|s| s.folder.as_str()) == Some(folder) {
            self.session.noop().await?;
            self.absorb_unsolicited();
            if let Some(s) = &self.selected {
                return Ok(s.exists);
            }
        }
        self.select_folder(folder).await
    }

    /// Brings the selected folder's view up to date (a NOOP), so that what
    /// follows about it — a STATUS of it, say — sees its newest state.
    pub async fn sync(&mut self) -> Result<(), MailError> {
        if self.selected.is_some() {
            self.session.noop().await?;
            self.absorb_unsolicited();
        }
        Ok(())
    }

    /// Applies a count the server gave in a response read here (not queued):
    /// EXISTS sets it, EXPUNGE takes one off.
    fn count_from(&mut self, response: &Response<'_>) {
        if let Some(s) = self.selected.as_mut() {
            match response {
                Response::MailboxData(MailboxDatum::Exists(n)) => s.exists = *n,
                Response::Expunge(_) => s.exists = s.exists.saturating_sub(1),
                _ => {}
            }
        }
    }

    /// The session and what it announced, apart (IDLE takes the session).
    pub(crate) fn into_parts(self) -> (Session<Box<dyn Stream>>, HashSet<String>) {
        (self.session, self.capabilities)
    }

    pub(crate) fn from_parts(
        session: Session<Box<dyn Stream>>,
        capabilities: HashSet<String>,
    ) -> Self {
        ImapSession {
            session,
            capabilities,
            selected: None,
            selects: None,
        }
    }

    /// Reads the unsolicited responses async-imap queued while commands ran,
    /// and keeps of them only the selected folder's count (EXISTS, EXPUNGE):
    /// flags are read afresh with each page, live updates come from IDLE,
    /// and each queued response keeps the read buffer it was parsed from
    /// alive — megabytes per idle session if left. A full queue (async-imap
    /// drops what does not fit) may have lost some: the folder is then
    /// selected again when next read.
    pub fn absorb_unsolicited(&mut self) {
        use async_imap::types::UnsolicitedResponse as U;
        let full = self.session.unsolicited_responses.is_full();
        while let Ok(response) = self.session.unsolicited_responses.try_recv() {
            if let Some(s) = self.selected.as_mut() {
                match response {
                    U::Exists(n) => s.exists = n,
                    U::Expunge(_) => s.exists = s.exists.saturating_sub(1),
                    _ => {}
                }
            }
        }
        if full {
            self.selected = None;
        }
    }

    /// Forgets the selection (after the folder was renamed or deleted).
    pub fn forget_selection(&mut self) {
        self.selected = None;
    }

    /// Runs a command answered by `* SEARCH` or `* SORT` numbers, in the
    /// server's order.
    pub async fn numbers(&mut self, command: &str) -> Result<Vec<u32>, MailError> {
        let tag = self.session.run_command(command).await?;
        let mut numbers = Vec::new();
        loop {
            let Some(response) = self
                .session
                .read_response()
                .await
                .map_err(async_imap::error::Error::Io)?
            else {
                return Err(async_imap::error::Error::ConnectionLost.into());
            };
            match response.parsed() {
                Response::MailboxData(MailboxDatum::Search(ids) | MailboxDatum::Sort(ids)) => {
                    numbers.extend_from_slice(ids)
                }
                other @ (Response::MailboxData(MailboxDatum::Exists(_)) | Response::Expunge(_)) => {
                    self.count_from(other)
                }
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if *done == tag => {
                    return match status {
                        Status::Ok => Ok(numbers),
                        _ => Err(MailError::Protocol(
                            outcome
                                .information
                                .as_deref()
                                .unwrap_or("refused")
                                .to_owned(),
                        )),
                    };
                }
                _ => {}
            }
        }
    }
}

impl ImapSession {
    /// APPENDs the `size` bytes `message` reads to `folder` (already in
    /// modified UTF-7) with `flags`, sending the literal from the reader a
    /// chunk at a time: async-imap's `append` takes the message as one slice.
    pub async fn append_from(
        &mut self,
        folder: &str,
        flags: &str,
        size: u64,
        message: impl AsyncRead + Unpin,
    ) -> Result<(), MailError> {
        let tag = self
            .session
            .run_command(format!("APPEND {} {flags} {{{size}}}", quote(folder)?))
            .await?;
        // The server says go on (`+`), or refuses at once.
        self.until(|r| match r {
            Response::Continue(_) => Some(Ok(())),
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => Some(Err(refused(status, outcome))),
            _ => None,
        })
        .await??;
        let stream = self.session.get_mut();
        // A read that fails is the message's fault; a write, the connection's.
        enum Broke {
            Reading(std::io::Error),
            Writing(std::io::Error),
        }
        let copied = async {
            let mut message = message.take(size);
            let mut chunk = vec![0u8; 64 * 1024];
            let mut sent = 0u64;
            loop {
                let read = message.read(&mut chunk).await.map_err(Broke::Reading)?;
                if read == 0 {
                    break;
                }
                stream
                    .write_all(&chunk[..read])
                    .await
                    .map_err(Broke::Writing)?;
                sent += read as u64;
            }
            Ok::<_, Broke>(sent)
        }
        .await;
        let unread = match copied {
            Ok(sent) if sent == size => None,
            Ok(sent) => Some(format!("the message was {sent} bytes, not {size}")),
            Err(Broke::Reading(e)) => Some(format!("the message could not be read: {e}")),
            Err(Broke::Writing(e)) => return Err(async_imap::error::Error::Io(e).into()),
        };
        if let Some(reason) = unread {
            // The server still waits for the literal: this connection is
            // of no more use, and is closed so that it is opened again.
            let _ = stream.shutdown().await;
            return Err(MailError::BadMessage(reason));
        }
        stream
            .write_all(b"\r\n")
            .await
            .map_err(async_imap::error::Error::Io)?;
        stream.flush().await.map_err(async_imap::error::Error::Io)?;
        self.until(|r| match r {
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => Some(match status {
                Status::Ok => Ok(()),
                _ => Err(refused(status, outcome)),
            }),
            _ => None,
        })
        .await?
    }

    /// Reads responses until `look` finds what it waits for.
    async fn until<T>(
        &mut self,
        mut look: impl FnMut(&Response<'_>) -> Option<T>,
    ) -> Result<T, MailError> {
        loop {
            let Some(response) = self
                .session
                .read_response()
                .await
                .map_err(async_imap::error::Error::Io)?
            else {
                return Err(async_imap::error::Error::ConnectionLost.into());
            };
            self.count_from(response.parsed());
            if let Some(found) = look(response.parsed()) {
                return Ok(found);
            }
        }
    }
}

/// What a tagged NO or BAD said.
fn refused(status: &Status, outcome: &Outcome<'_>) -> MailError {
    let reason = outcome
        .information
        .as_deref()
        .unwrap_or("refused")
        .to_owned();
    match status {
        Status::No => MailError::Refused(reason),
        _ => MailError::Protocol(reason),
    }
}

async fn connect(server: &MailServer) -> Result<Client<Box<dyn Stream>>, MailError> {
    server.check_security()?;
    let unreachable = |e| MailError::Unreachable(server.address(), e);
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(unreachable)?;
    tcp.set_nodelay(true).map_err(unreachable)?;
    let stream: Box<dyn Stream> = match server.security {
        Security::Plain => Box::new(Timed::new(tcp)),
        Security::Tls => Box::new(Timed::new(tls::wrap(&server.host, tcp).await?)),
        Security::Starttls => {
            let mut plain = Client::new(tcp);
            greeting(&mut plain, server).await?;
            plain.run_command_and_check_ok("STARTTLS", None).await?;
            // No new greeting follows STARTTLS: the session goes on over TLS.
            let tls = tls::wrap(&server.host, plain.into_inner()).await?;
            return Ok(Client::new(Box::new(Timed::new(tls))));
        }
    };
    let mut client = Client::new(stream);
    greeting(&mut client, server).await?;
    Ok(client)
}

async fn greeting<T: Stream>(client: &mut Client<T>, server: &MailServer) -> Result<(), MailError> {
    client
        .read_response()
        .await
        .map_err(|e| MailError::Unreachable(server.address(), e))?
        .map(|_| ())
        .ok_or_else(|| MailError::Protocol(format!("{} sent no greeting", server.address())))
}

/// An IMAP quoted string for a user-supplied name or search term. CR, LF and
/// NUL cannot be quoted and are refused instead of passed on.
pub fn quote(value: &str) -> Result<String, MailError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(MailError::Protocol(
            "line breaks are not allowed here".into(),
        ));
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_hostile_names() {
        assert_eq!(quote("INBOX").ok().as_deref(), Some("\"INBOX\""));
        assert_eq!(quote("a\"b\\c").ok().as_deref(), Some("\"a\\\"b\\\\c\""));
        assert!(quote("x\r\nA1 DELETE INBOX").is_err());
        assert!(quote("x\0").is_err());
    }
}
