//! Messages as files while they are sent: written as they are built, read
//! as they are submitted and filed in Sent — a held message until it goes
//! out — in the data directory's `outbox/` (0700; files 0600). The directory
//! has an id of its own (`outbox/id`, made once): a held message's row names
//! it, and an instance claims only messages of its own directory, so that
//! instances sharing a database deliver each other's messages when they
//! share this directory too, and each its own otherwise.

use std::collections::HashSet;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use estafette_mail::compose::Prepared;
use estafette_mail::{MailError, WriteError};
use tokio::io::BufReader;

use crate::{files, uploads, CoreError};

const EXTENSION: &str = "eml";

pub struct MessageFiles {
    dir: PathBuf,
    id: String,
}

/// A message written out. Dropped, its file is removed, unless it is kept
/// (a held message) or it was found rather than written.
pub(crate) struct MessageFile {
    name: String,
    source: Source,
    remove_on_drop: bool,
}

/// Where a message's bytes are read from, and how many there are.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    path: PathBuf,
    size: u64,
}

impl Source {
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Its bytes, from the start (read as they are sent).
    pub(crate) async fn open(&self) -> Result<BufReader<tokio::fs::File>, MailError> {
        let file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| MailError::BadMessage(format!("the message could not be read: {e}")))?;
        Ok(BufReader::with_capacity(64 * 1024, file))
    }
}

impl MessageFile {
    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// Keeps the file (a held message's): its name, for the outbox's row.
    pub(crate) fn keep(mut self) -> String {
        self.remove_on_drop = false;
        std::mem::take(&mut self.name)
    }

    /// Removes the file now (its message went out, or failed for good).
    pub(crate) fn discard(mut self) {
        self.remove_on_drop = true;
    }
}

impl Drop for MessageFile {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_file(&self.source.path);
        }
    }
}

fn storage(e: std::io::Error) -> CoreError {
    if files::no_room(&e) {
        return CoreError::TooLarge(
            "The server has no room for this message right now. Try again later, or tell your administrator."
                .into(),
        );
    }
    CoreError::Internal(format!("message storage: {e}"))
}

/// A name we made: 32 hex digits and the extension (so never a path).
fn ours(name: &str) -> bool {
    name.strip_suffix(".eml")
        .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl MessageFiles {
    /// The directory under `data_dir`, made (with its id) when missing.
    pub fn open(data_dir: &Path) -> Result<Self, CoreError> {
        let dir = data_dir.join("outbox");
        let io = |e: std::io::Error| {
            CoreError::Internal(format!("cannot prepare {}: {e}", dir.display()))
        };
        files::private_dir(&dir)?;
        let id_file = dir.join("id");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let id = match options.open(&id_file) {
            Ok(mut file) => {
                let id = format!("{:032x}", rand::random::<u128>());
                file.write_all(id.as_bytes()).map_err(io)?;
                id
            }
            // Made before, by this instance or one sharing the directory.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => std::fs::read_to_string(&id_file)
                .map_err(io)?
                .trim()
                .to_owned(),
            Err(e) => return Err(io(e)),
        };
        if id.is_empty() {
            return Err(CoreError::Internal(format!(
                "{} is empty; remove it to make a new one",
                id_file.display()
            )));
        }
        Ok(MessageFiles { dir, id })
    }

    /// The directory's id, which held messages' rows name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Writes `message` to a new file as it is built (its attachments read
    /// from their uploads a chunk at a time).
    pub(crate) async fn write(&self, message: &Prepared) -> Result<MessageFile, CoreError> {
        let name = format!("{:032x}.{EXTENSION}", rand::random::<u128>());
        let path = self.dir.join(&name);
        let file = files::create(&path).await.map_err(storage)?;
        // Removed if anything below fails.
        let mut written = MessageFile {
            name,
            source: Source { path, size: 0 },
            remove_on_drop: true,
        };
        let mut out = tokio::io::BufWriter::with_capacity(64 * 1024, file);
        message.write_to(&mut out).await.map_err(|e| match e {
            WriteError::File(_, ref io) if io.kind() == ErrorKind::NotFound => uploads::gone(),
            WriteError::File(..) => CoreError::Internal(e.to_string()),
            WriteError::Output(io) => storage(io),
        })?;
        written.source.size = tokio::fs::metadata(&written.source.path)
            .await
            .map_err(storage)?
            .len();
        Ok(written)
    }

    /// The file a held message's row names.
    pub(crate) async fn find(&self, name: &str) -> std::io::Result<MessageFile> {
        if !ours(name) {
            return Err(std::io::Error::new(
                ErrorKind::NotFound,
                "not a message file of this server",
            ));
        }
        let path = self.dir.join(name);
        let size = tokio::fs::metadata(&path).await?.len();
        Ok(MessageFile {
            name: name.to_owned(),
            source: Source { path, size },
            remove_on_drop: false,
        })
    }

    /// Removes a held message's file (taken back).
    pub(crate) async fn remove(&self, name: &str) {
        if ours(name) {
            let _ = tokio::fs::remove_file(self.dir.join(name)).await;
        }
    }

    /// Removes the files older than `age` that no held message names (left
    /// by a stop in the middle of a send, or by an interrupted send failed
    /// since); returns how many.
    pub(crate) async fn sweep(&self, named: &HashSet<String>, age: Duration) -> usize {
        let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await else {
            return 0;
        };
        let mut removed = 0;
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !ours(&name) || named.contains(&name) {
                continue;
            }
            let old = entry
                .metadata()
                .await
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|a| a > age);
            if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_keeps_its_id_and_only_its_names_are_read() {
        let dir = tempfile::tempdir().expect("dir");
        let first = MessageFiles::open(dir.path()).expect("made");
        let again = MessageFiles::open(dir.path()).expect("opened");
        assert_eq!(first.id(), again.id(), "one id per directory");
        assert_eq!(first.id().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("outbox"))
                .expect("dir")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert!(ours("0123456789abcdef0123456789abcdef.eml"));
        for bad in [
            "../secret.key",
            "id",
            "0123456789abcdef0123456789abcdef.bin",
        ] {
            assert!(!ours(bad), "{bad}");
        }
    }
}
