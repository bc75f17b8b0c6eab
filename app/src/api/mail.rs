use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One folder of the folder list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderView {
    pub name: String,
    /// `inbox`, `drafts`, `sent`, `junk`, `trash`, `archive`, or empty.
    pub role: String,
    pub unread: u32,
    pub total: u32,
}

#[server(prefix = "/api", endpoint = "folders")]
pub async fn folders() -> Result<Vec<FolderView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let list = services()?.folders(&who).await?;
    Ok(list
        .into_iter()
        .filter(|f| f.selectable)
        .map(|f| FolderView {
            role: f
                .special_use
                .map(|s| format!("{s:?}").to_lowercase())
                .unwrap_or_default(),
            name: f.name,
            unread: f.unread,
            total: f.total,
        })
        .collect())
}
