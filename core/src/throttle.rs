//! Throttling of guesses, per key, shared by every instance through the
//! database. The keys:
//!
//! - `account:EMAIL` — passwords tried for an account from browsers that
//!   never signed in to it (no device cookie for it);
//! - `device:ID` — passwords tried from a browser with the account's device
//!   cookie (see `estafette_auth::device`), so the owner's own browser still
//!   gets in while strangers are locked out;
//! - `address:IP` — passwords tried from one client address without a device
//!   cookie (behind a trusted proxy, the client's own address);
//! - `code:ACCOUNT` and `code:ACCOUNT:device:ID` — second-factor codes, the
//!   same way.
//!
//! The state machine of one key:
//!
//! ```text
//!  Open ──attempt──▶ Counting(1)       (reserved before it is judged)
//!  Counting(n) ──attempt, n+1 < max──▶ Counting(n+1)
//!  Counting(n) ──attempt, n+1 = max──▶ Held(n+1)   locked while it is judged
//!  Locked ──attempt──▶ Locked            refused, not judged, not counted;
//!                                        one audit row counts the refusals
//!  Locked ──time passes──▶ Counting(n)   the next attempt is held again
//!  Held(n) ──judged wrong──▶ Locked(now + base · 2^(n − max))   capped
//!  Held(n) / Counting(n) ──judged right──▶ Open (account, device, code keys)
//!                                   or its reservation given back (address)
//!  any attempt ──not judged (mail server down)──▶ its reservation given back
//!  Counting ──a window with no failure──▶ Open
//! ```
//!
//! Because an attempt is counted by one atomic statement before the slow
//! check (argon2, IMAP, a code), a thousand attempts sent at once are counted
//! as they arrive: no more than `max` are ever judged within a window. An
//! instance also judges one attempt per key at a time (the others get
//! "busy"). Locks always end (back-off, not a permanent lock).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use estafette_store::{now, NewAuditEntry, Reservation, ThrottleRules};

use crate::{ClientInfo, CoreError, Services};

/// How long the last allowed attempt holds its key while it is judged (a
/// judge that never returns, a crash, keeps the key locked this long).
const HOLD_SECS: i64 = 60;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub base_lock_secs: i64,
    pub max_lock_secs: i64,
}

/// How long a key with `failures` failures stays locked.
pub(crate) fn lock_secs(failures: i64, policy: Policy) -> i64 {
    let doublings = (failures - policy.max_failures).clamp(0, 20) as u32;
    policy
        .base_lock_secs
        .saturating_mul(1 << doublings)
        .min(policy.max_lock_secs)
}

/// What happens to a key when its attempt was judged right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnSuccess {
    /// Forget the key's failures (the account, device and code keys).
    Clear,
    /// Give this attempt's reservation back only (a client address, shared).
    Release,
}

/// One key of an attempt, reserved.
#[derive(Debug)]
struct Reserved {
    key: String,
    policy: Policy,
    on_success: OnSuccess,
    reservation: Reservation,
}

impl Reserved {
    /// This attempt took the lock while it is judged.
    fn holds(&self) -> bool {
        self.reservation.failures >= self.policy.max_failures
    }
}

/// The keys an attempt counts against, reserved, and its turn to be judged
/// on this instance. Dropped unfinished (an error before the verdict), its
/// reservations are kept: a failure that was not judged is still a guess.
pub(crate) struct Attempt {
    keys: Vec<Reserved>,
    _turn: Option<Turn>,
}

/// How long an attempt waits for its turn before it is told to try again.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// Attempts being judged on this instance: one per key at a time, the
/// others wait their turn (a while, then "busy").
#[derive(Default)]
pub(crate) struct InFlight(Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>);

struct Turn {
    held: Option<OwnedMutexGuard<()>>,
    map: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
    key: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.held.take();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Forget the key's lock when no one else holds or waits for it.
        if map
            .get(&self.key)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            map.remove(&self.key);
        }
    }
}

impl InFlight {
    async fn turn(&self, key: &str, wait: Duration) -> Result<Turn, CoreError> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key.to_owned()).or_default().clone()
        };
        let mut turn = Turn {
            held: None,
            map: self.0.clone(),
            key: key.to_owned(),
        };
        let held = tokio::time::timeout(wait, lock.lock_owned())
            .await
            .map_err(|_| CoreError::Busy)?;
        turn.held = Some(held);
        Ok(turn)
    }
}

/// What a failure led to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterFailure {
    Counting,
    /// The key named was locked for this many seconds.
    Locked(String, u64),
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

    /// Reserves an attempt on each key, then waits for its turn to be judged
    /// (one at a time per first key, on this instance). A locked key refuses
    /// the attempt: the keys reserved before it are given back, the refusal is
    /// counted in the lock's audit row, and the error says how long the lock
    /// lasts. An attempt that waited too long is given back and told "busy".
    pub(crate) async fn reserve(
        &self,
        keys: &[(String, Policy, OnSuccess)],
        client: &ClientInfo,
        who: &str,
    ) -> Result<Attempt, CoreError> {
        let mut attempt = Attempt {
            keys: Vec::with_capacity(keys.len()),
            _turn: None,
        };
        for (key, policy, on_success) in keys {
            let t = now();
            let rules = ThrottleRules {
                max_failures: policy.max_failures,
                window_secs: policy.window_secs,
                hold_secs: HOLD_SECS.min(policy.max_lock_secs).max(1),
            };
            let reservation = self.store.reserve_attempt(key, t, rules).await?;
            if reservation.refused {
                self.attempt_not_judged(attempt).await?;
                self.count_refusal(key, reservation, client, who).await;
                return Err(CoreError::Locked(
                    (reservation.locked_until - t).max(1) as u64
                ));
            }
            attempt.keys.push(Reserved {
                key: key.clone(),
                policy: *policy,
                on_success: *on_success,
                reservation,
            });
        }
        let Some(first) = attempt.keys.first().map(|r| r.key.clone()) else {
            return Err(CoreError::Internal("an attempt without a key".into()));
        };
        match self.in_flight.turn(&first, TURN_WAIT).await {
            Ok(turn) => {
                attempt._turn = Some(turn);
                Ok(attempt)
            }
            Err(e) => {
                self.attempt_not_judged(attempt).await?;
                Err(e)
            }
        }
    }

    /// The first refusal of a lock writes an audit row; the next ones count in it.
    async fn count_refusal(&self, key: &str, r: Reservation, client: &ClientInfo, who: &str) {
        let result = if r.refusals == 1 {
            let entry = NewAuditEntry {
                actor: Some(who),
                action: "sign_in_refused_locked",
                target: Some(who),
                client_address: client.address.as_deref(),
                detail: Some(key),
            };
            match self.store.audit(entry).await {
                Ok(id) => self.store.name_refusals_row(key, id).await,
                Err(e) => Err(e),
            }
        } else {
            self.store.count_refusals(key).await
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "could not count a refused attempt in the audit log");
        }
    }

    /// The attempt was judged wrong: its reservations stay, and a key whose
    /// count reached its maximum is locked for its back-off.
    pub(crate) async fn attempt_failed(
        &self,
        attempt: Attempt,
    ) -> Result<Vec<AfterFailure>, CoreError> {
        let mut after = Vec::with_capacity(attempt.keys.len());
        for r in &attempt.keys {
            if r.holds() {
                let secs = lock_secs(r.reservation.failures, r.policy);
                self.store.set_lock(&r.key, now() + secs).await?;
                after.push(AfterFailure::Locked(r.key.clone(), secs as u64));
            } else {
                after.push(AfterFailure::Counting);
            }
        }
        Ok(after)
    }

    /// The attempt was judged right.
    pub(crate) async fn attempt_succeeded(&self, attempt: Attempt) -> Result<(), CoreError> {
        for r in &attempt.keys {
            match r.on_success {
                OnSuccess::Clear => self.store.clear_throttle(&r.key).await?,
                OnSuccess::Release => self.store.release_attempt(&r.key, r.holds()).await?,
            }
        }
        Ok(())
    }

    /// The attempt could not be judged (the mail server is down): not a guess.
    pub(crate) async fn attempt_not_judged(&self, attempt: Attempt) -> Result<(), CoreError> {
        for r in &attempt.keys {
            self.store.release_attempt(&r.key, r.holds()).await?;
        }
        Ok(())
    }

    /// Forgets keys quiet for longer than any window (failures on addresses
    /// without an account, old locks); returns how many.
    pub async fn purge_throttle(&self) -> Result<u64, CoreError> {
        let longest = self
            .sign_in_policy(false)
            .window_secs
            .max(self.code_policy().window_secs);
        Ok(self.store.purge_throttle(longest).await?)
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
    fn locks_back_off_and_cap() {
        assert_eq!(lock_secs(3, P), 60);
        assert_eq!(lock_secs(4, P), 120);
        assert_eq!(lock_secs(5, P), 240);
        assert_eq!(lock_secs(8, P), 900, "capped");
        assert_eq!(lock_secs(1_000_000, P), 900, "no overflow");
        assert_eq!(lock_secs(1, P), 60, "never less than the first lock");
    }

    #[tokio::test]
    async fn one_attempt_per_key_at_a_time() {
        let in_flight = InFlight::default();
        let wait = Duration::from_millis(50);
        let first = in_flight.turn("account:a", wait).await.expect("free");
        assert!(matches!(
            in_flight.turn("account:a", wait).await,
            Err(CoreError::Busy)
        ));
        assert!(
            in_flight.turn("account:b", wait).await.is_ok(),
            "other keys are free"
        );
        drop(first);
        assert!(
            in_flight.turn("account:a", wait).await.is_ok(),
            "free again"
        );
        let map = in_flight.0.lock().unwrap_or_else(|p| p.into_inner());
        assert!(map.is_empty(), "nothing kept for keys nobody waits on");
    }
}
