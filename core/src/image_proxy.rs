//! The image proxy: when a reader loads a message's remote images, the
//! frame asks Estafette for them (`/image?u=…&t=…`) and Estafette fetches
//! them (`estafette_web`: public addresses only, images only, size and
//! time limits, no cookies or referrer). The sender learns neither the
//! reader's address nor, beyond the first fetch, when the message is read
//! again: each image is kept here for a day, shared by everyone who reads
//! it, and fetched once however many ask at the same moment.
//!
//! Only URLs this server put in a frame can be fetched: each carries a MAC
//! under the server's key, valid for at most 12 hours (the same for six
//! hours, so the browser's cache holds too).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use estafette_web::{Image, Web, WebError};
use futures::future::{BoxFuture, FutureExt, Shared};
use tokio::sync::Semaphore;

use crate::CoreError;

const PURPOSE: &str = "image proxy";
/// Tokens change every so often, and hold for one more step.
const TOKEN_STEP: u64 = 6 * 3600;
/// How long a fetched image is kept, and a failure remembered.
const KEPT: Duration = Duration::from_secs(24 * 3600);
const FAILURE_KEPT: Duration = Duration::from_secs(60);
/// What the cache holds at most.
const MAX_CACHE_BYTES: u64 = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 4_096;
/// Fetches under way at once (the others wait their turn).
const AT_ONCE: usize = 8;
/// The longest an image may take, its wait for a turn and every redirect
/// included: then it is a failure like any other.
const DEADLINE: Duration = Duration::from_secs(20);
/// The longest URL fetched.
pub const MAX_URL: usize = 4_096;

type Fetched = Result<Arc<Image>, WebError>;
type Fetch = Shared<BoxFuture<'static, Fetched>>;

struct Entry {
    fetch: Fetch,
    /// Set when the fetch ended: until when it is kept, and its size.
    kept_until: Option<Instant>,
    size: u64,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    bytes: u64,
}

impl Cache {
    fn remove(&mut self, url: &str) {
        if let Some(old) = self.entries.remove(url) {
            self.bytes = self.bytes.saturating_sub(old.size);
        }
    }

    /// Drops ended entries, the first to expire first, while over a limit.
    fn make_room(&mut self, entries: usize) {
        while self.bytes > MAX_CACHE_BYTES || self.entries.len() > entries {
            let oldest = self
                .entries
                .iter()
                .filter_map(|(url, e)| e.kept_until.map(|t| (t, url)))
                .min()
                .map(|(_, url)| url.clone());
            match oldest {
                Some(url) => self.remove(&url),
                None => break,
            }
        }
    }

    /// Records how a fetch ended.
    fn settle(&mut self, url: &str, fetched: &Fetched) {
        let Some(entry) = self.entries.get_mut(url) else {
            return;
        };
        if entry.kept_until.is_some() {
            return;
        }
        let (kept, size) = match fetched {
            Ok(image) => (KEPT, image.bytes.len() as u64),
            Err(_) => (FAILURE_KEPT, 0),
        };
        entry.kept_until = Some(Instant::now() + kept);
        entry.size = size;
        self.bytes += size;
        self.make_room(MAX_ENTRIES);
    }
}

pub struct ImageProxy {
    web: Web,
    key: [u8; 32],
    max_bytes: u64,
    cache: Arc<Mutex<Cache>>,
    permits: Arc<Semaphore>,
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn lock(cache: &Mutex<Cache>) -> MutexGuard<'_, Cache> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

impl ImageProxy {
    pub fn new(web: Web, key: [u8; 32], max_bytes: u64) -> ImageProxy {
        ImageProxy {
            web,
            key,
            max_bytes,
            cache: Arc::default(),
            permits: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }

    /// The token a frame's URL for `url` carries.
    pub fn token(&self, url: &str) -> String {
        let expires = (now_seconds() / TOKEN_STEP + 2) * TOKEN_STEP;
        estafette_auth::signed::sign(&self.key, PURPOSE, url, expires)
    }

    /// The image at `url`, when `token` is this server's for it.
    pub async fn image(&self, url: &str, token: &str) -> Result<Arc<Image>, CoreError> {
        let genuine = url.len() <= MAX_URL
            && estafette_auth::signed::verify(&self.key, PURPOSE, url, token, now_seconds());
        if !genuine {
            return Err(CoreError::NotFound("no such image".into()));
        }
        let fetched = self.fetch(url)?.await;
        let outcome = match &fetched {
            Ok(_) => "shown",
            Err(WebError::Refused(_)) => "refused",
            Err(WebError::NotImage) => "not_an_image",
            Err(WebError::TooLarge(_)) => "too_large",
            Err(_) => "unreachable",
        };
        metrics::counter!("estafette_image_proxy_total", "outcome" => outcome).increment(1);
        fetched.map_err(|e| match e {
            WebError::Refused(why) => {
                tracing::info!(reason = %why, "the image proxy refused an image");
                CoreError::Forbidden
            }
            WebError::TooLarge(_) => CoreError::TooLarge("the image is too large".into()),
            WebError::NotImage => CoreError::Invalid("not an image".into()),
            other => CoreError::NotFound(format!("the image could not be fetched: {other}")),
        })
    }

    /// The fetch of `url`: the one kept or under way, or a new one.
    fn fetch(&self, url: &str) -> Result<Fetch, CoreError> {
        let mut cache = lock(&self.cache);
        let now = Instant::now();
        if let Some(entry) = cache.entries.get(url) {
            if entry.kept_until.is_none_or(|t| t > now) {
                return Ok(entry.fetch.clone());
            }
        }
        cache.remove(url);
        cache.make_room(MAX_ENTRIES - 1);
        if cache.entries.len() >= MAX_ENTRIES {
            // All under way: too many at once.
            return Err(CoreError::Busy);
        }
        let (web, permits, shared, owned, max) = (
            self.web.clone(),
            self.permits.clone(),
            self.cache.clone(),
            url.to_owned(),
            self.max_bytes,
        );
        // Run on its own: a reader who goes away does not leave it half
        // done, holding its turn, for the next who asks.
        let failed = WebError::Unreachable(owned.clone());
        let task = tokio::spawn(async move {
            let fetching = async {
                let _permit = permits.acquire_owned().await.ok()?;
                Some(web.image(&owned, max).await.map(Arc::new))
            };
            let fetched = tokio::time::timeout(DEADLINE, fetching)
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(WebError::Unreachable(owned.clone())));
            lock(&shared).settle(&owned, &fetched);
            fetched
        });
        let fetch = async move { task.await.unwrap_or(Err(failed)) }
            .boxed()
            .shared();
        cache.entries.insert(
            url.to_owned(),
            Entry {
                fetch: fetch.clone(),
                kept_until: None,
                size: 0,
            },
        );
        Ok(fetch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy() -> ImageProxy {
        let web = Web::new(estafette_web::Limits {
            allow: Vec::new(),
            ports: vec![80, 443],
            timeout: Duration::from_secs(1),
        });
        ImageProxy::new(web, [3; 32], 1024)
    }

    #[tokio::test]
    async fn only_urls_it_signed_are_fetched() {
        let p = proxy();
        let url = "http://127.0.0.1/x.png";
        let forged = estafette_auth::signed::sign(&[4; 32], PURPOSE, url, now_seconds() + 60);
        assert!(matches!(
            p.image(url, &forged).await,
            Err(CoreError::NotFound(_))
        ));
        let other = p.token("http://127.0.0.2/x.png");
        assert!(matches!(
            p.image(url, &other).await,
            Err(CoreError::NotFound(_))
        ));
        // Signed, and then refused where it leads.
        assert!(matches!(
            p.image(url, &p.token(url)).await,
            Err(CoreError::Forbidden)
        ));
    }

    #[test]
    fn a_token_lasts_six_to_twelve_hours() {
        let p = proxy();
        let t = p.token("https://a.example/x.png");
        let expires: u64 = t
            .split_once('.')
            .and_then(|(e, _)| e.parse().ok())
            .unwrap_or_default();
        let left = expires - now_seconds();
        assert!((TOKEN_STEP..=2 * TOKEN_STEP).contains(&left), "{left}");
    }

    #[test]
    fn the_cache_keeps_to_its_bytes_and_drops_the_oldest_first() {
        let mut cache = Cache::default();
        let image = |n: usize| -> Fetched {
            Ok(Arc::new(Image {
                content_type: "image/png",
                bytes: vec![0; n].into(),
            }))
        };
        let pending = || futures::future::pending::<Fetched>().boxed().shared();
        let big = (MAX_CACHE_BYTES / 3) as usize;
        for url in ["a", "b", "c", "d"] {
            cache.entries.insert(
                url.into(),
                Entry {
                    fetch: pending(),
                    kept_until: None,
                    size: 0,
                },
            );
            cache.settle(url, &image(big));
        }
        assert!(cache.bytes <= MAX_CACHE_BYTES);
        assert!(!cache.entries.contains_key("a"), "the oldest went first");
        assert!(cache.entries.contains_key("d"));
        // Under way entries are never dropped to make room.
        cache.entries.insert(
            "e".into(),
            Entry {
                fetch: pending(),
                kept_until: None,
                size: 0,
            },
        );
        cache.make_room(0);
        assert_eq!(cache.entries.len(), 1);
        assert_eq!(cache.bytes, 0);
    }
}
