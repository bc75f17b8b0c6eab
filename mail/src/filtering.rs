//! What a filter rule does to messages already in a folder (Sieve acts on
//! new mail only): search, read the headers a test needs, then mark, copy
//! or move. Messages are named by UID.

use futures::TryStreamExt;
use mail_parser::{HeaderValue, MessageParser};

use crate::actions::MAX_BATCH;
use crate::imap::ImapSession;
use crate::MailError;

/// UIDs of the selected `folder` matching SEARCH `criteria` (already quoted).
pub async fn search(
    imap: &mut ImapSession,
    folder: &str,
    criteria: &str,
) -> Result<Vec<u32>, MailError> {
    imap.select_folder(folder).await?;
    if criteria.contains(['\r', '\n']) {
        return Err(MailError::BadSearch(
            "line breaks are not allowed in a search".into(),
        ));
    }
    imap.numbers(&format!("UID SEARCH {criteria}")).await
}

/// The values of header `name` in each message (for address headers, the
/// addresses), decoded.
pub async fn header_values(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    names: &[&str],
) -> Result<Vec<(u32, Vec<String>)>, MailError> {
    imap.ensure_selected(folder).await?;
    let mut out = Vec::new();
    for chunk in uids.chunks(MAX_BATCH) {
        let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let fetched: Vec<_> = imap
            .uid_fetch(set.join(","), "(UID BODY.PEEK[HEADER])")
            .await?
            .try_collect()
            .await?;
        for f in &fetched {
            let (Some(uid), Some(bytes)) = (f.uid, f.header()) else {
                continue;
            };
            out.push((uid, values(bytes, names)));
        }
    }
    Ok(out)
}

fn values(header: &[u8], names: &[&str]) -> Vec<String> {
    let Some(message) = MessageParser::default().parse_headers(header) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let wanted = |n: &str| names.iter().any(|w| w.eq_ignore_ascii_case(n));
    for h in message.headers().iter().filter(|h| wanted(h.name())) {
        match h.value() {
            HeaderValue::Address(a) => {
                out.extend(a.iter().filter_map(|a| a.address()).map(str::to_owned))
            }
            HeaderValue::Text(t) => out.push(t.to_string()),
            HeaderValue::TextList(l) => out.extend(l.iter().map(|t| t.to_string())),
            _ => {
                if let Some(raw) = header.get(h.offset_start() as usize..h.offset_end() as usize) {
                    out.push(String::from_utf8_lossy(raw).trim().to_owned());
                }
            }
        }
    }
    out
}

/// Adds flags (`\Seen`, `\Flagged`) and keywords to messages of `folder`.
pub async fn add_flags(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    flags: &[String],
) -> Result<(), MailError> {
    if flags.is_empty() || uids.is_empty() {
        return Ok(());
    }
    let is_flag = |f: &String| crate::labels::is_keyword(f.strip_prefix('\\').unwrap_or(f));
    if !flags.iter().all(is_flag) {
        return Err(MailError::BadMessage("That is not a keyword.".into()));
    }
    imap.ensure_selected(folder).await?;
    for chunk in uids.chunks(MAX_BATCH) {
        let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let _: Vec<_> = imap
            .uid_store(
                set.join(","),
                format!("+FLAGS.SILENT ({})", flags.join(" ")),
            )
            .await?
            .try_collect()
            .await?;
    }
    Ok(())
}

/// Copies messages of `folder` into `target`.
pub async fn copy(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    target: &str,
) -> Result<(), MailError> {
    imap.ensure_selected(folder).await?;
    let wire = crate::utf7::encode(target);
    for chunk in uids.chunks(MAX_BATCH) {
        let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
        imap.uid_copy(set.join(","), &wire)
            .await
            .map_err(|e| match e {
                async_imap::error::Error::No(_) | async_imap::error::Error::Validate(_) => {
                    MailError::NoSuchFolder(target.chars().take(200).collect())
                }
                other => other.into(),
            })?;
    }
    Ok(())
}
