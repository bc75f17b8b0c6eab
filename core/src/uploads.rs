//! Attachments being composed: streamed to files in the data directory as
//! they arrive, one directory per session, never held whole in memory while
//! uploading. A file over the size limit is refused while it streams and
//! leaves nothing behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::visitor::SignedIn;
use crate::CoreError;

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
}

fn internal(e: std::io::Error) -> CoreError {
    CoreError::Internal(format!("upload storage: {e}"))
}

fn too_large(limit: u64) -> CoreError {
    CoreError::TooLarge(format!(
        "A message can carry at most {} MB of attachments.",
        limit / (1024 * 1024)
    ))
}

/// An id we made: 32 hex digits (so never a path).
fn checked(id: &str) -> Result<&str, CoreError> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(CoreError::Invalid("There is no such attachment.".into()))
    }
}

impl Uploads {
    pub fn new(data_dir: &Path) -> Self {
        Uploads {
            dir: data_dir.join("uploads"),
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
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        let id = format!("{:032x}", rand::random::<u128>());
        let data = dir.join(format!("{id}.bin"));
        let mut file = tokio::fs::File::create(&data).await.map_err(internal)?;
        let mut size: u64 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let outcome = match chunk {
                Ok(bytes) => {
                    size += bytes.as_ref().len() as u64;
                    if size > limit {
                        Err(too_large(limit))
                    } else {
                        file.write_all(bytes.as_ref()).await.map_err(internal)
                    }
                }
                Err(e) => Err(CoreError::Invalid(format!("The upload was cut off: {e}"))),
            };
            if let Err(e) = outcome {
                drop(file);
                let _ = tokio::fs::remove_file(&data).await;
                return Err(e);
            }
        }
        file.flush().await.map_err(internal)?;
        let upload = Upload {
            id,
            name,
            content_type,
            size,
        };
        let meta = serde_json::to_vec(&upload).map_err(|e| CoreError::Internal(e.to_string()))?;
        tokio::fs::write(dir.join(format!("{}.json", upload.id)), meta)
            .await
            .map_err(internal)?;
        Ok(upload)
    }

    /// An upload of this session and its bytes.
    pub async fn read(&self, who: &SignedIn, id: &str) -> Result<(Upload, Vec<u8>), CoreError> {
        let id = checked(id)?;
        let dir = self.session_dir(who);
        let missing = |_| CoreError::Invalid("That attachment is gone; add it again.".into());
        let meta = tokio::fs::read(dir.join(format!("{id}.json")))
            .await
            .map_err(missing)?;
        let upload: Upload =
            serde_json::from_slice(&meta).map_err(|e| CoreError::Internal(e.to_string()))?;
        let data = tokio::fs::read(dir.join(format!("{id}.bin")))
            .await
            .map_err(missing)?;
        Ok((upload, data))
    }

    /// Forgets an upload (removed from the form, or sent).
    pub async fn remove(&self, who: &SignedIn, id: &str) -> Result<(), CoreError> {
        let id = checked(id)?;
        let dir = self.session_dir(who);
        for ext in ["bin", "json"] {
            let _ = tokio::fs::remove_file(dir.join(format!("{id}.{ext}"))).await;
        }
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
