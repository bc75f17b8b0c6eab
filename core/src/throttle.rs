//! Throttling of guesses, per key (`account:EMAIL`, `address:IP`,
//! `code:ACCOUNT`), shared by every instance through the database.
//!
//! The state machine of one key:
//!
//! ```text
//!  Open ──failure──▶ Counting(n)                 while n < max
//!  Counting ──failure, n reaches max──▶ Locked(now + base · 2^(n − max))  capped
//!  Locked ──attempt before the end──▶ refused, not counted, never reaches IMAP
//!  Locked ──time passes──▶ Counting(n)            the next failure locks longer
//!  Counting ──a window with no failure──▶ Open
//!  any ──success──▶ Open                          (account and code keys)
//! ```
//!
//! Locks always end (back-off, not a permanent lock), so a stranger cannot lock
//! a victim out for long; the per-address key slows one client guessing many
//! accounts.

use estafette_store::{now, ThrottleRow};

use crate::{CoreError, Services};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub base_lock_secs: i64,
    pub max_lock_secs: i64,
}

/// What a failure led to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterFailure {
    Counting(i64),
    Locked(u64),
}

pub(crate) fn on_failure(row: ThrottleRow, policy: Policy, t: i64) -> (ThrottleRow, AfterFailure) {
    // Quiet for a whole window after the last failure (or lock): start over.
    let quiet_since = row.last_failure_at.max(row.locked_until);
    let failures = if row.failures == 0 || t - quiet_since > policy.window_secs {
        1
    } else {
        row.failures + 1
    };
    if failures < policy.max_failures {
        let row = ThrottleRow {
            failures,
            last_failure_at: t,
            locked_until: 0,
        };
        return (row, AfterFailure::Counting(failures));
    }
    let doublings = (failures - policy.max_failures).min(20) as u32;
    let secs = policy
        .base_lock_secs
        .saturating_mul(1 << doublings)
        .min(policy.max_lock_secs);
    let row = ThrottleRow {
        failures,
        last_failure_at: t,
        locked_until: t + secs,
    };
    (row, AfterFailure::Locked(secs as u64))
}

impl Services {
    pub(crate) fn sign_in_policy(&self, per_address: bool) -> Policy {
        let a = &self.config.auth;
        let max = if per_address {
            a.max_failures_per_address
        } else {
            a.max_failures
        };
        Policy {
            max_failures: i64::from(max),
            window_secs: a.failure_window_minutes as i64 * 60,
            base_lock_secs: a.lockout_seconds as i64,
            max_lock_secs: a.max_lockout_minutes as i64 * 60,
        }
    }

    /// A few wrong codes lock code entry until the steps a code could still be
    /// accepted for have passed (this one and, with skew, the next), then longer.
    pub(crate) fn code_policy(&self) -> Policy {
        Policy {
            max_failures: 3,
            window_secs: 300,
            base_lock_secs: 60 - now() % 30,
            max_lock_secs: 15 * 60,
        }
    }

    /// Refuses when the key is locked.
    pub(crate) async fn check_throttle(&self, key: &str) -> Result<(), CoreError> {
        let row = self.store.throttle(key).await?;
        let left = row.locked_until - now();
        if left > 0 {
            return Err(CoreError::Locked(left as u64));
        }
        Ok(())
    }

    pub(crate) async fn record_failure(
        &self,
        key: &str,
        policy: Policy,
    ) -> Result<AfterFailure, CoreError> {
        let row = self.store.throttle(key).await?;
        let (row, after) = on_failure(row, policy, now());
        self.store.set_throttle(key, row).await?;
        Ok(after)
    }

    pub(crate) async fn clear_throttle(&self, key: &str) -> Result<(), CoreError> {
        Ok(self.store.clear_throttle(key).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy {
        max_failures: 3,
        window_secs: 900,
        base_lock_secs: 60,
        max_lock_secs: 900,
    };

    #[test]
    fn locks_after_max_then_backs_off_and_caps() {
        let mut row = ThrottleRow::default();
        let mut t = 1_000;
        let mut outcomes = vec![];
        for _ in 0..8 {
            let (next, after) = on_failure(row, P, t);
            row = next;
            outcomes.push(after);
            t = row.locked_until.max(t) + 1;
        }
        assert_eq!(outcomes[0], AfterFailure::Counting(1));
        assert_eq!(outcomes[1], AfterFailure::Counting(2));
        assert_eq!(outcomes[2], AfterFailure::Locked(60));
        assert_eq!(outcomes[3], AfterFailure::Locked(120));
        assert_eq!(outcomes[4], AfterFailure::Locked(240));
        assert_eq!(outcomes[7], AfterFailure::Locked(900), "capped");
    }

    #[test]
    fn the_window_forgets_old_failures() {
        let (row, _) = on_failure(ThrottleRow::default(), P, 1_000);
        let (row, _) = on_failure(row, P, 1_010);
        let (_, after) = on_failure(row, P, 1_010 + 901);
        assert_eq!(after, AfterFailure::Counting(1));
    }
}
