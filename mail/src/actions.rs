//! What the reader does to messages: flags, moving between folders, and
//! removing for good. Messages are named by UID, never by sequence number.

use futures::TryStreamExt;

use crate::imap::ImapSession;
use crate::MailError;

/// The most messages one action takes.
pub const MAX_BATCH: usize = 1_000;

pub use estafette_wire::Mark;

/// UIDs written `1,5,7` or `10:14` (both may mix), at most [`MAX_BATCH`].
pub fn parse_uids(text: &str) -> Option<Vec<u32>> {
    let mut uids = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once(':') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || (b - a) as usize >= MAX_BATCH {
                    return None;
                }
                uids.extend(a..=b);
            }
            None => uids.push(part.parse().ok()?),
        }
        if uids.len() > MAX_BATCH {
            return None;
        }
    }
    Some(uids)
}

pub(crate) fn uid_set(uids: &[u32]) -> Result<String, MailError> {
    if uids.is_empty() || uids.len() > MAX_BATCH || uids.contains(&0) {
        return Err(MailError::BadSearch(format!(
            "choose between 1 and {MAX_BATCH} messages"
        )));
    }
    Ok(uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(","))
}

/// Sets or clears `mark` on messages of `folder`.
pub async fn set_mark(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    mark: Mark,
    on: bool,
) -> Result<(), MailError> {
    let set = uid_set(uids)?;
    imap.ensure_selected(folder).await?;
    let flag = match mark {
        Mark::Seen => "\\Seen",
        Mark::Flagged => "\\Flagged",
    };
    let op = if on { "+FLAGS.SILENT" } else { "-FLAGS.SILENT" };
    let _: Vec<_> = imap
        .uid_store(&set, format!("{op} ({flag})"))
        .await?
        .try_collect()
        .await?;
    Ok(())
}

/// The next UID `folder` will give, if the server says.
async fn uid_next(imap: &mut ImapSession, wire: &str) -> Option<u32> {
    imap.status(wire, "(UIDNEXT)").await.ok()?.uid_next
}

/// Moves messages from `folder` to `target` (MOVE when the server has it;
/// otherwise copy, then remove the originals). Returns the UIDs they have in
/// `target` as `first:last` when that is certain (nothing else arrived there
/// meanwhile), so that the move can be undone.
pub async fn move_to(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    target: &str,
) -> Result<Option<String>, MailError> {
    let set = uid_set(uids)?;
    if folder == target {
        return Ok(None);
    }
    let wire = crate::utf7::encode(target);
    let before = uid_next(imap, &wire).await;
    imap.ensure_selected(folder).await?;
    let result = if imap.has("MOVE") {
        imap.uid_mv(&set, &wire).await
    } else {
        imap.uid_copy(&set, &wire).await
    };
    match result {
        Ok(()) => {}
        Err(async_imap::error::Error::No(_) | async_imap::error::Error::Validate(_)) => {
            return Err(MailError::NoSuchFolder(target.chars().take(200).collect()))
        }
        Err(e) => return Err(e.into()),
    }
    if !imap.has("MOVE") {
        remove(imap, &set).await?;
    }
    let after = uid_next(imap, &wire).await;
    Ok(match (before, after) {
        (Some(b), Some(a)) if a.checked_sub(b) == Some(uids.len() as u32) => {
            Some(format!("{b}:{}", a - 1))
        }
        _ => None,
    })
}

/// Removes messages of `folder` for good.
pub async fn expunge(imap: &mut ImapSession, folder: &str, uids: &[u32]) -> Result<(), MailError> {
    let set = uid_set(uids)?;
    imap.ensure_selected(folder).await?;
    remove(imap, &set).await
}

/// Marks the selected folder's `set` deleted and expunges exactly those
/// (UID EXPUNGE with UIDPLUS; a plain EXPUNGE otherwise).
async fn remove(imap: &mut ImapSession, set: &str) -> Result<(), MailError> {
    let _: Vec<_> = imap
        .uid_store(set, "+FLAGS.SILENT (\\Deleted)")
        .await?
        .try_collect()
        .await?;
    // The EXPUNGEs are read as the command's answer, out of order with the
    // EXISTS queued meanwhile: the count is learnt afresh by a SELECT.
    imap.forget_selection();
    let _: Vec<_> = if imap.has("UIDPLUS") {
        imap.uid_expunge(set).await?.try_collect().await?
    } else {
        imap.expunge().await?.try_collect().await?
    };
    Ok(())
}

/// Stores the `size` bytes `message` reads in `folder` (e.g. a sent message
/// in Sent), marked read, streamed as they are read.
pub async fn append(
    imap: &mut ImapSession,
    folder: &str,
    size: u64,
    message: impl tokio::io::AsyncRead + Unpin,
) -> Result<(), MailError> {
    imap.append_from(&crate::utf7::encode(folder), "(\\Seen)", size, message)
        .await
}

/// UIDs in the selected `folder` whose header `name` is `value`.
pub async fn find_by_header(
    imap: &mut ImapSession,
    folder: &str,
    name: &str,
    value: &str,
) -> Result<Vec<u32>, MailError> {
    imap.select_folder(folder).await?;
    let (name, value) = (crate::imap::quote(name)?, crate::imap::quote(value)?);
    imap.numbers(&format!("UID SEARCH HEADER {name} {value}"))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_read_as_lists_and_ranges() {
        assert_eq!(parse_uids("1, 5,7"), Some(vec![1, 5, 7]));
        assert_eq!(parse_uids("10:12,3"), Some(vec![10, 11, 12, 3]));
        assert_eq!(parse_uids(""), Some(vec![]));
        for bad in ["a", "5:1", "1:100000", "1:-2", "4294967295:4294967295x"] {
            assert_eq!(parse_uids(bad), None, "{bad}");
        }
    }
}
