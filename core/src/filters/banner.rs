//! The mail view's banner while the automatic reply is on: what was last
//! read of it, per account, for a short while, so that pages do not each
//! ask the ManageSieve server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{sieve_error, state, Vacation};
use crate::visitor::SignedIn;
use crate::Services;

/// How long the mail view trusts what it last read of the reply.
const BANNER_TTL: Duration = Duration::from_secs(120);
/// How long the mail view waits for the ManageSieve server.
const BANNER_WAIT: Duration = Duration::from_secs(3);

/// The reply's state per account, for the mail view's banner.
#[derive(Default)]
pub struct BannerCache {
    entries: Mutex<HashMap<i64, (Instant, Option<Vacation>)>>,
}

impl BannerCache {
    pub(super) fn get(&self, account: i64) -> Option<Option<Vacation>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&account)
            .filter(|(at, _)| at.elapsed() < BANNER_TTL)
            .map(|(_, v)| v.clone())
    }

    pub(super) fn set(&self, account: i64, vacation: Option<Vacation>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(account, (Instant::now(), vacation));
    }

    pub(super) fn forget(&self, account: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&account);
    }
}

impl Services {
    /// The reply while it is on (and its last day not past), for the mail
    /// view's banner. Quiet when the server cannot say.
    pub async fn vacation_banner(&self, who: &SignedIn) -> Option<Vacation> {
        let account = who.0.account.id;
        let vacation = match self.banner_cache.get(account) {
            Some(v) => v,
            None => {
                // The mail view does not wait long for it; a server that
                // cannot say is asked again after the cache's time.
                let read = tokio::time::timeout(
                    BANNER_WAIT,
                    self.with_sieve(who, async |ms| state(ms).await.map_err(sieve_error)),
                )
                .await;
                let v = match read {
                    Ok(Ok(state)) => state.parts.and_then(|p| p.vacation).filter(|v| v.enabled),
                    _ => None,
                };
                self.banner_cache.set(account, v.clone());
                v
            }
        }?;
        let today = self.today(who).await;
        (!vacation.over(&today)).then_some(vacation)
    }

    /// Today in the user's time zone, `YYYY-MM-DD`.
    async fn today(&self, who: &SignedIn) -> String {
        let zone = self
            .preferences(who)
            .await
            .map(|p| p.choices.time_zone)
            .unwrap_or_default();
        let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::now()
            .to_zoned_datetime(tz)
            .date()
            .to_string()
    }
}
