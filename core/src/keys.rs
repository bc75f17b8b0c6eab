//! The server's own key, which encrypts TOTP secrets at rest: from
//! `auth.secret_key`, or a key file made on first start.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::{Config, CoreError};

pub fn decode(text: &str) -> Result<[u8; 32], String> {
    STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            "must be 32 bytes in base64 (make one with `head -c 32 /dev/urandom | base64`)".into()
        })
}

/// The configured key, or the key file in the data directory (created, mode 0600).
pub fn load(config: &Config) -> Result<[u8; 32], CoreError> {
    if !config.auth.secret_key.is_empty() {
        return decode(&config.auth.secret_key).map_err(CoreError::Invalid);
    }
    let path = config.server.data_dir.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            decode(&text).map_err(|e| CoreError::Invalid(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(CoreError::Internal(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn create(path: &Path) -> Result<[u8; 32], CoreError> {
    let key: [u8; 32] = rand::random();
    let io =
        |e: std::io::Error| CoreError::Internal(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        crate::files::private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(STANDARD.encode(key).as_bytes())
        .map_err(io)?;
    tracing::info!(path = %path.display(), "created the server key");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_a_key_once_and_reads_it_back() {
        let dir = tempfile::tempdir().expect("dir");
        let mut config = Config::default();
        config.server.data_dir = dir.path().to_owned();
        let first = load(&config).expect("created");
        assert_eq!(load(&config).expect("read"), first);
        config.auth.secret_key = STANDARD.encode([7u8; 32]);
        assert_eq!(load(&config).expect("configured"), [7u8; 32]);
        assert!(decode("too short").is_err());
    }
}
