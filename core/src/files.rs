//! Estafette's files at rest: the data directory (the SQLite database, the
//! server key, held messages) and the uploads' directory are the server's
//! only: directories are made 0700 and files 0600, and `check-config` warns
//! about an existing one that other users can read.

use std::path::{Path, PathBuf};

use crate::{Config, CoreError};

/// Makes `dir` (and its parents) if missing, the last readable by the server only.
pub fn private_dir(dir: &Path) -> Result<(), CoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| CoreError::Internal(format!("cannot make {}: {e}", dir.display())))
}

/// Makes a file just created readable by the server only.
pub fn make_private(file: &Path) -> Result<(), CoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CoreError::Internal(format!("cannot protect {}: {e}", file.display())))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

// At run time (uploads, messages while they are sent), asynchronously.
/// Creates `dir` (and its parents) readable by the server only.
pub(crate) async fn create_dir(dir: &Path) -> std::io::Result<()> {
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

/// The SQLite file the configuration names, if it names one.
pub fn sqlite_file(config: &Config) -> Option<PathBuf> {
    let url = config.database_url();
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// What other users of the machine can read of Estafette's files: one line
/// each, with the command that mends it.
pub fn exposed(config: &Config) -> Vec<String> {
    let mut places = vec![
        config.server.data_dir.clone(),
        config.server.data_dir.join("secret.key"),
        config.upload_dir(),
    ];
    places.extend(sqlite_file(config));
    places
        .iter()
        .filter_map(|p| {
            let mode = world_readable(p)?;
            let fix = if p.is_dir() { "chmod 700" } else { "chmod 600" };
            Some(format!(
                "{} can be read by other users of this machine (mode {mode:o}); `{fix} {}`",
                p.display(),
                p.display()
            ))
        })
        .collect()
}

/// The permission bits of `path` when others may read it.
fn world_readable(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o004 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_data_directory_is_private_and_exposure_is_told() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        private_dir(&data).expect("made");
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode(&data).ok(), Some(0o700));
        let mut config = Config::default();
        config.server.data_dir = data.clone();
        config.server.upload_dir = dir.path().join("uploads");
        assert!(exposed(&config).is_empty(), "{:?}", exposed(&config));

        let db = data.join("estafette.db");
        std::fs::write(&db, b"").expect("db");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let told = exposed(&config);
        assert_eq!(told.len(), 2, "{told:?}");
        assert!(
            told[0].contains("chmod 700") && told[1].contains("chmod 600"),
            "{told:?}"
        );
        make_private(&db).expect("private");
        assert_eq!(mode(&db).ok(), Some(0o600));
        assert_eq!(sqlite_file(&config), Some(db));
    }
}
