//! The folder list with unread counts; special-use folders recognised from
//! SPECIAL-USE attributes, or from their usual names when the server has none.

use async_imap::imap_proto::NameAttribute;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::imap::ImapSession;
use crate::MailError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecialUse {
    Inbox,
    Drafts,
    Sent,
    Junk,
    Trash,
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    /// The IMAP name (modified UTF-7 decoding is left to the server's UTF8=ACCEPT).
    pub name: String,
    pub delimiter: Option<String>,
    pub special_use: Option<SpecialUse>,
    pub selectable: bool,
    pub total: u32,
    pub unread: u32,
}

fn special_use_of(name: &str, attrs: &[NameAttribute<'_>]) -> Option<SpecialUse> {
    for a in attrs {
        let found = match a {
            NameAttribute::Drafts => Some(SpecialUse::Drafts),
            NameAttribute::Sent => Some(SpecialUse::Sent),
            NameAttribute::Junk => Some(SpecialUse::Junk),
            NameAttribute::Trash => Some(SpecialUse::Trash),
            NameAttribute::Archive => Some(SpecialUse::Archive),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    match name.to_lowercase().as_str() {
        "inbox" => Some(SpecialUse::Inbox),
        "drafts" | "draft" | "brouillons" => Some(SpecialUse::Drafts),
        "sent" | "sent items" | "sent messages" | "envoyés" => Some(SpecialUse::Sent),
        "junk" | "spam" | "junk e-mail" | "indésirables" => Some(SpecialUse::Junk),
        "trash" | "deleted items" | "deleted messages" | "corbeille" => Some(SpecialUse::Trash),
        "archive" | "archives" => Some(SpecialUse::Archive),
        _ => None,
    }
}

/// Lists every folder, special-use ones first in the usual order, then by name.
pub async fn list(imap: &mut ImapSession) -> Result<Vec<Folder>, MailError> {
    let names: Vec<_> = imap.list(Some(""), Some("*")).await?.try_collect().await?;
    let mut folders = Vec::with_capacity(names.len());
    for n in &names {
        let selectable = !n
            .attributes()
            .iter()
            .any(|a| matches!(a, NameAttribute::NoSelect));
        folders.push(Folder {
            name: n.name().to_owned(),
            delimiter: n.delimiter().map(str::to_owned),
            special_use: special_use_of(n.name(), n.attributes()),
            selectable,
            total: 0,
            unread: 0,
        });
    }
    for f in folders.iter_mut().filter(|f| f.selectable) {
        let status = imap.status(&f.name, "(MESSAGES UNSEEN)").await?;
        f.total = status.exists;
        f.unread = status.unseen.unwrap_or(0);
    }
    folders.sort_by(|a, b| {
        let rank = |f: &Folder| f.special_use.map(|s| s as u8).unwrap_or(u8::MAX);
        rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(folders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_special_use_by_attribute_then_name() {
        assert_eq!(
            special_use_of("Papierkorb", &[NameAttribute::Trash]),
            Some(SpecialUse::Trash)
        );
        assert_eq!(special_use_of("INBOX", &[]), Some(SpecialUse::Inbox));
        assert_eq!(special_use_of("Sent Items", &[]), Some(SpecialUse::Sent));
        assert_eq!(special_use_of("Projects", &[]), None);
    }
}
