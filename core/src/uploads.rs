//! Attachments being composed: streamed to files as they arrive (in
//! `server.upload_dir`, apart from the database), one directory per session,
//! never held whole in memory while uploading. A file over the size limit,
//! or past the session's count or total, is refused while it streams and
//! leaves nothing behind; so is one the disk has no room for. Directories are
//! the server's only (0700), files too (0600).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::visitor::SignedIn;
use crate::{files, CoreError};

/// An uploaded file, as the compose form knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

pub struct Uploads {
    dir: PathBuf,
    /// Files a session may hold, and their total size.
    max_files: usize,
    max_bytes: u64,
}

/// The session's total is looked at again after this many bytes of a file.
const CHECK_EVERY: u64 = 1 << 20;

fn internal(e: std::io::Error) -> CoreError {
    if files::no_room(&e) {
        return CoreError::TooLarge(
            "The server has no room for this file right now. Try again later, or tell your administrator."
                .into(),
        );
    }
    CoreError::Internal(format!("upload storage: {e}"))
}

fn session_full(max_bytes: u64) -> CoreError {
    CoreError::TooLarge(format!(
        "The files waiting to be sent take {} MB at most; send or remove some first.",
        max_bytes / (1024 * 1024)
    ))
}

/// Files (`.bin`) of a session's directory, and their total size.
async fn usage(dir: &Path) -> (usize, u64) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return (0, 0);
    };
    let (mut files, mut bytes) = (0, 0);
    while let Ok(Some(e)) = entries.next_entry().await {
        if e.path().extension().is_some_and(|x| x == "bin") {
            files += 1;
            bytes += e.metadata().await.map(|m| m.len()).unwrap_or(0);
        }
    }
    (files, bytes)
}

/// Creates `dir` (and its parents) readable by the server only.
async fn private_dir(dir: &Path) -> Result<(), CoreError> {
    files::create_dir(dir).await.map_err(internal)
}

/// A new file readable by the server only.
async fn private_file(path: &Path) -> Result<tokio::fs::File, CoreError> {
    files::create(path).await.map_err(internal)
}

fn too_large(limit: u64) -> CoreError {
    CoreError::TooLarge(format!(
        "A message can carry at most {} MB of attachments.",
        limit / (1024 * 1024)
    ))
}

pub(crate) fn gone() -> CoreError {
    CoreError::NotFound("That attachment is gone; add it again.".into())
}

/// An id we made: 32 hex digits (so never a path).
fn checked(id: &str) -> Result<&str, CoreError> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(CoreError::NotFound("There is no such attachment.".into()))
    }
}

impl Uploads {
    pub fn new(dir: &Path, limits: &crate::config::LimitsConfig) -> Self {
        Uploads {
            dir: dir.to_owned(),
            max_files: limits.max_uploads_per_session as usize,
            max_bytes: limits.max_upload_mb_per_session * 1024 * 1024,
        }
    }

    fn session_dir(&self, who: &SignedIn) -> PathBuf {
        let hash = who.0.token.id_hash();
        self.dir.join(&hash[..hash.len().min(32)])
    }

    /// Streams `body` to a new file; refuses it once it passes `limit` bytes.
    pub async fn save<E: std::fmt::Display>(
        &self,
        who: &SignedIn,
        name: &str,
        content_type: &str,
        body: impl Stream<Item = Result<impl AsRef<[u8]>, E>>,
        limit: u64,
    ) -> Result<Upload, CoreError> {
        let name: String = name
            .chars()
            .filter(|c| !c.is_control() && *c != '"' && *c != '/' && *c != '\\')
            .take(255)
            .collect();
        let name = if name.trim().is_empty() {
            "attachment".to_owned()
        } else {
            name
        };
        let content_type = if content_type.contains('/')
            && content_type.len() < 200
            && !content_type.contains(['\r', '\n'])
        {
            content_type.to_ascii_lowercase()
        } else {
            "application/octet-stream".to_owned()
        };
        let dir = self.session_dir(who);
        private_dir(&dir).await?;
        let id = format!("{:032x}", rand::random::<u128>());
        let data = dir.join(format!("{id}.bin"));
        let mut file = private_file(&data).await?;
        // Counted with the file made, so that uploads sent at once count each other.
        let outcome = self.stream_to(&dir, &mut file, body, limit).await;
        let size = match outcome {
            Ok(size) => size,
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(&data).await;
                return Err(e);
            }
        };
        file.flush().await.map_err(internal)?;
        let upload = Upload {
            id,
            name,
            content_type,
            size,
        };
        let meta = serde_json::to_vec(&upload).map_err(|e| CoreError::Internal(e.to_string()))?;
        let written = async {
            let mut f = private_file(&dir.join(format!("{}.json", upload.id))).await?;
            f.write_all(&meta).await.map_err(internal)?;
            f.flush().await.map_err(internal)
        };
        if let Err(e) = written.await {
            self.forget(&dir, &upload.id).await;
            return Err(e);
        }
        Ok(upload)
    }

    /// Writes `body` to `file` under the file's limit and the session's
    /// count and total (looked at as it streams, and at the end); its size.
    async fn stream_to<E: std::fmt::Display>(
        &self,
        dir: &Path,
        file: &mut tokio::fs::File,
        body: impl Stream<Item = Result<impl AsRef<[u8]>, E>>,
        limit: u64,
    ) -> Result<u64, CoreError> {
        if usage(dir).await.0 > self.max_files {
            return Err(CoreError::Invalid(format!(
                "At most {} files can wait to be sent; send or remove some first.",
                self.max_files
            )));
        }
        let mut size: u64 = 0;
        let mut unchecked: u64 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let bytes =
                chunk.map_err(|e| CoreError::Invalid(format!("The upload was cut off: {e}")))?;
            let len = bytes.as_ref().len() as u64;
            size += len;
            unchecked += len;
            if size > limit {
                return Err(too_large(limit));
            }
            file.write_all(bytes.as_ref()).await.map_err(internal)?;
            if unchecked >= CHECK_EVERY {
                unchecked = 0;
                if usage(dir).await.1 > self.max_bytes {
                    return Err(session_full(self.max_bytes));
                }
            }
        }
        file.flush().await.map_err(internal)?;
        if usage(dir).await.1 > self.max_bytes {
            return Err(session_full(self.max_bytes));
        }
        Ok(size)
    }

    async fn forget(&self, dir: &Path, id: &str) {
        for ext in ["bin", "json"] {
            let _ = tokio::fs::remove_file(dir.join(format!("{id}.{ext}"))).await;
        }
    }

    /// An upload of this session and the file that holds its bytes.
    pub(crate) async fn find(
        &self,
        who: &SignedIn,
        id: &str,
    ) -> Result<(Upload, PathBuf), CoreError> {
        let id = checked(id)?;
        let dir = self.session_dir(who);
        let meta = tokio::fs::read(dir.join(format!("{id}.json")))
            .await
            .map_err(|_| gone())?;
        let upload: Upload =
            serde_json::from_slice(&meta).map_err(|e| CoreError::Internal(e.to_string()))?;
        let data = dir.join(format!("{id}.bin"));
        tokio::fs::metadata(&data).await.map_err(|_| gone())?;
        Ok((upload, data))
    }

    /// An upload of this session and its bytes (an image the text shows).
    pub async fn read(&self, who: &SignedIn, id: &str) -> Result<(Upload, Vec<u8>), CoreError> {
        let (upload, path) = self.find(who, id).await?;
        let data = tokio::fs::read(path).await.map_err(|_| gone())?;
        Ok((upload, data))
    }

    /// Forgets an upload (removed from the form, or sent).
    pub async fn remove(&self, who: &SignedIn, id: &str) -> Result<(), CoreError> {
        let id = checked(id)?;
        self.forget(&self.session_dir(who), id).await;
        Ok(())
    }

    /// Files of this session (what an abandoned form left).
    pub async fn count(&self, who: &SignedIn) -> usize {
        let Ok(mut entries) = tokio::fs::read_dir(self.session_dir(who)).await else {
            return 0;
        };
        let mut n = 0;
        while let Ok(Some(_)) = entries.next_entry().await {
            n += 1;
        }
        n
    }

    /// Files waiting to be sent, of every session, and their total size.
    pub async fn on_disk(&self) -> (usize, u64) {
        let Ok(mut sessions) = tokio::fs::read_dir(&self.dir).await else {
            return (0, 0);
        };
        let (mut files, mut bytes) = (0, 0);
        while let Ok(Some(session)) = sessions.next_entry().await {
            let (f, b) = usage(&session.path()).await;
            files += f;
            bytes += b;
        }
        (files, bytes)
    }

    /// Removes uploads older than `age` (forms that were never sent).
    pub async fn sweep(&self, age: Duration) -> usize {
        let mut removed = 0;
        let Ok(mut sessions) = tokio::fs::read_dir(&self.dir).await else {
            return 0;
        };
        while let Ok(Some(session)) = sessions.next_entry().await {
            let Ok(mut files) = tokio::fs::read_dir(session.path()).await else {
                continue;
            };
            while let Ok(Some(file)) = files.next_entry().await {
                let old = file
                    .metadata()
                    .await
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|a| a > age);
                if old && tokio::fs::remove_file(file.path()).await.is_ok() {
                    removed += 1;
                }
            }
            let _ = tokio::fs::remove_dir(session.path()).await;
        }
        removed
    }
}
