//! How full the user's mailbox is, and when to warn about it.

use estafette_mail::quota;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// From this share of the limit on, the reader is warned.
const WARN_AT_PERCENT: u8 = 90;

/// The mailbox's storage: used and allowed, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub used: u64,
    pub limit: u64,
    /// Used, in whole percent of the limit (at most 100).
    pub percent: u8,
    /// At or above `WARN_AT_PERCENT`: new mail may soon be refused.
    pub nearly_full: bool,
}

impl Quota {
    fn of(used: u64, limit: u64) -> Quota {
        let percent = (u128::from(used) * 100 / u128::from(limit.max(1))).min(100) as u8;
        Quota {
            used,
            limit,
            percent,
            nearly_full: percent >= WARN_AT_PERCENT,
        }
    }
}

impl Services {
    /// The mailbox's quota, or `None` where the mail server keeps none.
    pub async fn quota(&self, who: &SignedIn) -> Result<Option<Quota>, CoreError> {
        let storage = self
            .with_imap(&who.0, |imap| Box::pin(quota::storage(imap)))
            .await?;
        Ok(storage.map(|s| Quota::of(s.used, s.limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_from_nine_tenths_and_never_passes_a_hundred() {
        let q = Quota::of(899, 1000);
        assert_eq!((q.percent, q.nearly_full), (89, false));
        let q = Quota::of(900, 1000);
        assert_eq!((q.percent, q.nearly_full), (90, true));
        // Servers let the last message in over the limit.
        let q = Quota::of(1500, 1000);
        assert_eq!((q.percent, q.nearly_full), (100, true));
        let q = Quota::of(u64::MAX, u64::MAX);
        assert_eq!(q.percent, 100);
    }
}
