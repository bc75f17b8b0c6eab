//! DKIM and DMARC alignment checked by Estafette itself (stalwartlabs'
//! mail-auth), for servers that write no `Authentication-Results` of their
//! own (`mail.verify_dkim`). It needs the whole message (the signature
//! covers the body) and DNS; a result is kept per message, so a message is
//! checked once however often it is opened.
//!
//! SPF cannot be checked here (the connecting address is not known), so a
//! message is never *failed* by this check: an aligned, valid signature
//! verifies the sender; anything else leaves it unverified.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::Dmarc;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, DnsError, MessageAuthenticator, Parameters,
    ResolverCache, SpfOutput, SpfResult, Txt,
};
use sha2::{Digest, Sha256};

use crate::auth_results::{MethodResult, Results};
use crate::report::Authentication;

/// DKIM signatures checked per message (each costs a DNS lookup).
pub const MAX_SIGNATURES: usize = 5;
/// Results and DNS answers kept; past this the oldest half is dropped.
pub const MAX_CACHED: usize = 10_000;
/// How long a DNS answer is kept at most.
const DNS_TTL: Duration = Duration::from_secs(3600);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// DNS TXT answers (DKIM keys, DMARC records), kept for an hour; those
/// given by [`Verifier::preload`] are kept for good. Offline, a name not
/// given does not exist.
/// An answer, and until when it holds (`None`: for good).
type Answer = (Txt, Option<Instant>);

#[derive(Default)]
struct TxtCache {
    map: Mutex<HashMap<Box<str>, Answer>>,
    offline: bool,
}

impl ResolverCache<Box<str>, Txt> for TxtCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let map = lock(&self.map);
        match map.get(name) {
            Some((_, Some(until))) if *until < Instant::now() => None,
            Some((txt, _)) => Some(txt.clone()),
            None if self.offline => Some(Txt::Error(mail_auth::Error::Dns(
                DnsError::RecordNotFound(ResponseCode::NXDomain),
            ))),
            None => None,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        lock(&self.map).remove(name).map(|(t, _)| t)
    }

    fn insert(&self, key: Box<str>, value: Txt, valid_until: Instant) {
        let mut map = lock(&self.map);
        if map.len() >= MAX_CACHED {
            map.retain(|_, (_, until)| until.is_none());
        }
        let until = valid_until.min(Instant::now() + DNS_TTL);
        map.insert(key, (value, Some(until)));
    }
}

/// Checks DKIM and DMARC alignment, one result kept per message.
pub struct Verifier {
    authenticator: MessageAuthenticator,
    txt: TxtCache,
    results: Mutex<HashMap<[u8; 32], Authentication>>,
}

impl Verifier {
    /// With the system's resolver (`/etc/resolv.conf`), short timeouts.
    pub fn system() -> Result<Verifier, String> {
        let (config, mut opts) = mail_auth::hickory_resolver::system_conf::read_system_conf()
            .map_err(|e| format!("cannot read the system's DNS configuration: {e}"))?;
        opts.timeout = Duration::from_secs(3);
        opts.attempts = 1;
        Self::with(config, opts, false)
    }

    /// With no name server: only the records given by [`Verifier::preload`]
    /// answer (tests, and machines without DNS).
    pub fn offline() -> Result<Verifier, String> {
        Self::with(
            ResolverConfig::from_parts(None, vec![], vec![]),
            ResolverOpts::default(),
            true,
        )
    }

    fn with(config: ResolverConfig, opts: ResolverOpts, offline: bool) -> Result<Verifier, String> {
        Ok(Verifier {
            authenticator: MessageAuthenticator::new(config, opts)
                .map_err(|e| format!("cannot make a DNS resolver: {e}"))?,
            txt: TxtCache {
                map: Mutex::default(),
                offline,
            },
            results: Mutex::new(HashMap::new()),
        })
    }

    /// Gives a DNS TXT answer in advance: a DKIM key at
    /// `selector._domainkey.domain`, or a DMARC record at `_dmarc.domain`.
    pub fn preload(&self, name: &str, record: &str) -> Result<(), String> {
        let mut key = name.trim().to_ascii_lowercase();
        if !key.ends_with('.') {
            key.push('.');
        }
        let txt = if key.starts_with("_dmarc.") {
            Dmarc::parse(record.as_bytes()).map(Txt::from)
        } else if key.contains("._domainkey.") {
            DomainKey::parse(record.as_bytes()).map(Txt::from)
        } else {
            return Err(format!("{name}: neither a DKIM key nor a DMARC record"));
        };
        let txt = txt.map_err(|e| format!("{name}: {e}"))?;
        lock(&self.txt.map).insert(key.into_boxed_str(), (txt, None));
        Ok(())
    }

    /// The message's authentication by its DKIM signatures and the From
    /// domain's DMARC record; the same message is checked once.
    pub async fn verify(&self, raw: &[u8]) -> Authentication {
        let key: [u8; 32] = Sha256::digest(raw).into();
        if let Some(found) = lock(&self.results).get(&key) {
            return found.clone();
        }
        let result = self.check(raw).await;
        let mut results = lock(&self.results);
        if results.len() >= MAX_CACHED {
            results.clear();
        }
        results.insert(key, result.clone());
        result
    }

    async fn check(&self, raw: &[u8]) -> Authentication {
        let Some(mut message) = AuthenticatedMessage::parse(raw) else {
            return Authentication::none(None);
        };
        message.dkim_headers.truncate(MAX_SIGNATURES);
        let from = message
            .from
            .first()
            .and_then(|f| crate::domain::of_address(f));
        let dkim = self
            .authenticator
            .verify_dkim(Parameters::new(&message).with_txt_cache(&self.txt))
            .await;
        let mail_from = from.clone().unwrap_or_default();
        let spf = SpfOutput::new(mail_from.clone()).with_result(SpfResult::None);
        let dmarc = self
            .authenticator
            .verify_dmarc(
                Parameters::new(DmarcParameters::new(&message, &dkim, &mail_from, &spf))
                    .with_txt_cache(&self.txt),
            )
            .await;
        let dkim_results = dkim
            .iter()
            .map(|o| MethodResult {
                method: "dkim".into(),
                result: match o.result() {
                    DkimResult::Pass => "pass",
                    DkimResult::Fail(_) => "fail",
                    DkimResult::Neutral(_) => "neutral",
                    DkimResult::TempError(_) => "temperror",
                    DkimResult::PermError(_) => "permerror",
                    DkimResult::None => "none",
                }
                .into(),
                reason: None,
                properties: o
                    .signature()
                    .map(|s| vec![("header.d".to_owned(), s.d.clone())])
                    .unwrap_or_default(),
            })
            .collect();
        // Without SPF a DMARC failure is not known: only a pass is said.
        let aligned = matches!(dmarc.dkim_result(), DmarcResult::Pass);
        let results = Results {
            authserv_id: None,
            spf: None,
            dkim: dkim_results,
            dmarc: aligned.then(|| MethodResult {
                method: "dmarc".into(),
                result: "pass".into(),
                reason: None,
                properties: Vec::new(),
            }),
            auth: None,
        };
        let mut auth = crate::auth::verdict(&results, from.as_deref());
        if auth.verdict == crate::report::Verdict::Fail {
            auth = Authentication::none(auth.domain);
        }
        auth
    }
}
