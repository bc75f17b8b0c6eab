//! One-click unsubscribe (RFC 8058): when the reader asks, and only then,
//! the server POSTs `List-Unsubscribe=One-Click` to the address the
//! message's own header names (read again from the mail server, never
//! taken from the browser), through `estafette_web`'s checks and without
//! following a redirect. Each account asks each list once: the same
//! request however many times at once, or again within a day, is not sent
//! again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use estafette_mail::unsubscribe::Unsubscribe;
use estafette_web::WebError;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// How long an unsubscribe is remembered as done.
const REMEMBERED: Duration = Duration::from_secs(24 * 3600);
/// Unsubscribes remembered at most (older ones are forgotten first).
const MAX_REMEMBERED: usize = 10_000;

/// What the click did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsubscribed {
    /// The list's server accepted the request just now.
    Asked { host: String },
    /// This account asked this list already (the request was not sent again).
    AlreadyAsked { host: String },
}

#[derive(Debug, Clone, Copy)]
enum Asking {
    UnderWay,
    Done(Instant),
}

/// The unsubscribes asked or under way, per account and address.
#[derive(Default)]
pub(crate) struct Unsubscribes(Mutex<HashMap<(i64, String), Asking>>);

enum Begin {
    Go,
    UnderWay,
    Done,
}

impl Unsubscribes {
    fn begin(&self, key: &(i64, String)) -> Begin {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match map.get(key) {
            Some(Asking::UnderWay) => return Begin::UnderWay,
            Some(Asking::Done(at)) if now.duration_since(*at) < REMEMBERED => return Begin::Done,
            _ => {}
        }
        if map.len() >= MAX_REMEMBERED {
            map.retain(|_, a| match a {
                Asking::UnderWay => true,
                Asking::Done(at) => now.duration_since(*at) < REMEMBERED,
            });
        }
        if map.len() >= MAX_REMEMBERED {
            let oldest = map
                .iter()
                .filter_map(|(k, a)| match a {
                    Asking::Done(at) => Some((*at, k.clone())),
                    Asking::UnderWay => None,
                })
                .min()
                .map(|(_, k)| k);
            match oldest {
                Some(k) => {
                    map.remove(&k);
                }
                None => return Begin::UnderWay,
            }
        }
        map.insert(key.clone(), Asking::UnderWay);
        Begin::Go
    }

    fn end(&self, key: &(i64, String), asked: bool) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if asked {
            map.insert(key.clone(), Asking::Done(Instant::now()));
        } else {
            map.remove(key);
        }
    }
}

/// The host a web address names (empty when it names none).
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Services {
    /// Unsubscribes from the list that sent message `uid` of `folder`, by
    /// its one-click address.
    pub async fn unsubscribe(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Unsubscribed, CoreError> {
        let shown = self.shown(who, folder, uid).await?;
        let url = estafette_mail::unsubscribe::offered(&shown.header)
            .and_then(|o| o.one_click)
            .ok_or_else(|| {
                CoreError::Invalid("This message offers no one-click unsubscribe.".into())
            })?;
        let host = host_of(&url);
        let key = (who.0.account.id, url);
        match self.unsubscribes.begin(&key) {
            Begin::Go => {}
            Begin::UnderWay => return Err(CoreError::Busy),
            Begin::Done => return Ok(Unsubscribed::AlreadyAsked { host }),
        }
        // On its own: a reader who goes away mid-request does not leave
        // it "under way" for ever, nor half asked.
        let (services, asking) = (Arc::clone(self), key.clone());
        let asked = tokio::spawn(async move {
            let asked = services.web.one_click(&asking.1).await;
            services.unsubscribes.end(&asking, asked.is_ok());
            asked
        })
        .await
        .unwrap_or_else(|_| Err(WebError::Unreachable(host.clone())));
        match asked {
            Ok(status) => {
                tracing::info!(%host, status, "unsubscribed with one click");
                Ok(Unsubscribed::Asked { host })
            }
            Err(WebError::Refused(why)) => {
                tracing::info!(%host, reason = %why, "refused a one-click unsubscribe");
                Err(CoreError::Invalid(format!(
                    "The list's unsubscribe address cannot be used ({why})."
                )))
            }
            Err(e) => Err(CoreError::Invalid(format!(
                "The list did not accept the request: {e}."
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_per_account_and_list() {
        let u = Unsubscribes::default();
        let a = (1, "https://list.example/u".to_owned());
        let b = (2, "https://list.example/u".to_owned());
        assert!(matches!(u.begin(&a), Begin::Go));
        assert!(matches!(u.begin(&a), Begin::UnderWay));
        assert!(
            matches!(u.begin(&b), Begin::Go),
            "another account asks for itself"
        );
        u.end(&a, true);
        assert!(matches!(u.begin(&a), Begin::Done));
        // A failed request can be tried again.
        u.end(&b, false);
        assert!(matches!(u.begin(&b), Begin::Go));
    }
}
