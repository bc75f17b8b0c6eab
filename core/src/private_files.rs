//! Files only the server may read: directories 0700, files 0600 (uploads,
//! and messages while they are sent).

use std::path::Path;

/// Creates `dir` (and its parents) readable by the server only.
pub(crate) async fn dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir).await
}

/// A new file readable by the server only.
pub(crate) async fn create(path: &Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}

/// No room left on the disk, or in the server's quota.
pub(crate) fn no_room(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(28) | Some(122))
}
