//! The folder list with unread counts; special-use folders recognised from
//! SPECIAL-USE attributes, or from their usual names when the server has none.

use async_imap::imap_proto::NameAttribute;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::imap::ImapSession;
use crate::utf7::{decode, encode};
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

/// Lists every folder, special-use ones first in the usual order, then by
/// name, with its counts.
pub async fn list(imap: &mut ImapSession) -> Result<Vec<Folder>, MailError> {
    // A STATUS of the selected folder answers from the session's view of it.
    imap.sync().await?;
    let mut folders = names(imap).await?;
    for f in folders.iter_mut().filter(|f| f.selectable) {
        let status = imap.status(encode(&f.name), "(MESSAGES UNSEEN)").await?;
        f.total = status.exists;
        f.unread = status.unseen.unwrap_or(0);
    }
    Ok(folders)
}

/// The name of the folder for `role` (e.g. the Trash), if there is one.
pub async fn special(
    imap: &mut ImapSession,
    role: SpecialUse,
) -> Result<Option<String>, MailError> {
    Ok(names(imap)
        .await?
        .into_iter()
        .find(|f| f.selectable && f.special_use == Some(role))
        .map(|f| f.name))
}

/// A folder name the reader typed, checked.
fn checked_name(name: &str) -> Result<&str, MailError> {
    let name = name.trim();
    let bad = |why: &str| Err(MailError::BadFolderName(why.to_owned()));
    if name.is_empty() {
        return bad("A folder needs a name.");
    }
    if name.chars().count() > 200 {
        return bad("A folder name has at most 200 characters.");
    }
    if name.chars().any(|c| c.is_control() || c == '*' || c == '%') {
        return bad("A folder name cannot hold line breaks, control characters, * or %.");
    }
    if name.eq_ignore_ascii_case("INBOX") {
        return bad("INBOX already exists.");
    }
    Ok(name)
}

pub async fn create(imap: &mut ImapSession, name: &str) -> Result<(), MailError> {
    let name = checked_name(name)?;
    imap.create(encode(name))
        .await
        .map_err(|e| refused(e, "create", name))?;
    let _ = imap.subscribe(encode(name)).await;
    Ok(())
}

pub async fn rename(imap: &mut ImapSession, from: &str, to: &str) -> Result<(), MailError> {
    let to = checked_name(to)?;
    imap.forget_selection();
    imap.rename(encode(from), encode(to))
        .await
        .map_err(|e| refused(e, "rename", from))?;
    let _ = imap.unsubscribe(encode(from)).await;
    let _ = imap.subscribe(encode(to)).await;
    Ok(())
}

pub async fn delete(imap: &mut ImapSession, name: &str) -> Result<(), MailError> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Err(MailError::BadFolderName("INBOX cannot be deleted.".into()));
    }
    imap.forget_selection();
    imap.delete(encode(name))
        .await
        .map_err(|e| refused(e, "delete", name))?;
    let _ = imap.unsubscribe(encode(name)).await;
    Ok(())
}

/// The server's own reason when it says no to a folder change.
fn refused(e: async_imap::error::Error, what: &str, name: &str) -> MailError {
    match e {
        async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason) => {
            MailError::BadFolderName(format!(
                "The mail server would not {what} `{}`: {}",
                name.chars().take(200).collect::<String>(),
                reason.chars().take(300).collect::<String>()
            ))
        }
        async_imap::error::Error::Validate(_) => {
            MailError::BadFolderName("A folder name cannot hold line breaks.".into())
        }
        other => other.into(),
    }
}

/// Every folder without counts (one LIST).
async fn names(imap: &mut ImapSession) -> Result<Vec<Folder>, MailError> {
    let names: Vec<_> = imap.list(Some(""), Some("*")).await?.try_collect().await?;
    let mut folders = Vec::with_capacity(names.len());
    for n in &names {
        let selectable = !n
            .attributes()
            .iter()
            .any(|a| matches!(a, NameAttribute::NoSelect));
        folders.push(Folder {
            name: decode(n.name()),
            delimiter: n.delimiter().map(str::to_owned),
            special_use: special_use_of(&decode(n.name()), n.attributes()),
            selectable,
            total: 0,
            unread: 0,
        });
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
