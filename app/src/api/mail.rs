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

/// A row of the message list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    pub uid: u32,
    pub from: String,
    pub subject: String,
    pub date: Option<i64>,
    pub size: u32,
    pub unread: bool,
    pub flagged: bool,
    pub has_attachments: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
    pub rows: Vec<MessageRow>,
}

/// Page `page` (0 = newest) of a folder.
#[server(prefix = "/api", endpoint = "messages")]
pub async fn messages(folder: String, page: u32) -> Result<MessagePage, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let listing = services()?.messages(&who, &folder, page).await?;
    Ok(MessagePage {
        total: listing.total,
        page: listing.page,
        page_size: listing.page_size,
        rows: listing
            .messages
            .into_iter()
            .map(|m| MessageRow {
                uid: m.uid,
                from: m.from,
                subject: m.subject,
                date: m.date,
                size: m.size,
                unread: !m.seen,
                flagged: m.flagged,
                has_attachments: m.has_attachments,
            })
            .collect(),
    })
}
