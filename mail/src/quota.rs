//! The mailbox's storage quota (RFC 9208, `GETQUOTAROOT`), where the server
//! keeps one.

use async_imap::types::QuotaResourceName;

use crate::imap::ImapSession;
use crate::MailError;

/// Storage used and allowed, in bytes (the servers count in units of 1024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storage {
    pub used: u64,
    pub limit: u64,
}

/// The storage quota of the user's INBOX: the tightest of its quota roots
/// that has a storage limit. `None` where the server has no QUOTA
/// extension, no quota root for INBOX, or no storage limit in it.
pub async fn storage(imap: &mut ImapSession) -> Result<Option<Storage>, MailError> {
    if !imap.has("QUOTA") {
        return Ok(None);
    }
    let quotas = match imap.get_quota_root("INBOX").await {
        Ok((_, quotas)) => quotas,
        // A server may refuse the command for a mailbox without a root.
        Err(async_imap::error::Error::No(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(quotas
        .iter()
        .flat_map(|q| &q.resources)
        .filter(|r| r.name == QuotaResourceName::Storage && r.limit > 0)
        .map(|r| Storage {
            used: r.usage.saturating_mul(1024),
            limit: r.limit.saturating_mul(1024),
        })
        .min_by_key(|s| s.limit.saturating_sub(s.used)))
}
