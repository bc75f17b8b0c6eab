use estafette_core::{ConfigError, CoreError};
use estafette_store::StoreError;
use thiserror::Error;

/// What stops the `estafette` command; printed once, with a non-zero exit.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Core(#[from] CoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// A command ran and found something wrong (exit 1).
    #[error("{0}")]
    Failed(String),
}

impl ServerError {
    /// 2 for a bad configuration or usage, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServerError::Config(_) | ServerError::Usage(_) => 2,
            _ => 1,
        }
    }
}
