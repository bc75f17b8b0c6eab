//! The reader's defence against hostile mail: what the threat analysis
//! (`estafette-threats`) is told about the reader, and where its verdicts
//! go — the message view's banner, the list's mark, and the frame's links
//! that must pass through the warning page first.
//!
//! The list judges each row from its header alone (who sent it, who
//! vouches for that, where replies go); the message view judges the whole
//! message (its links and attachments too) when it is of a size worth
//! reading whole, and its header and attachments' names otherwise.

use std::borrow::Cow;
use std::collections::HashMap;

use estafette_mail::attachments::Part;
use estafette_mail::listing::Summary;
use estafette_threats::dkim::Verifier;
use estafette_threats::html::MAX_LINKS;
use estafette_threats::{
    analyse, assess, from_raw, needs_verification, AttachmentInput, Context, Input, Kind,
    LinkReason, LinkVerdict, Report,
};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Messages up to this size are read whole by the message view's analysis
/// (as the frame reads them); a larger one is judged by its header and its
/// attachments' names.
pub const MAX_ANALYSED_BYTES: u32 = 16 << 20;

/// Correspondents' addresses looked at for lookalikes of their domains.
const KNOWN_ADDRESSES: i64 = 5_000;

/// Estafette's own DKIM check, when `mail.verify_dkim` asks for it.
pub(crate) fn verifier(verify_dkim: bool) -> Option<Verifier> {
    if !verify_dkim {
        return None;
    }
    match Verifier::system() {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(error = %e, "DKIM cannot be checked here: no resolver");
            None
        }
    }
}

/// A link of the message that must pass through the warning page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detour {
    /// As the message has it.
    pub href: String,
    /// What its text shows (empty when it shows no host).
    pub shown: String,
}

impl Services {
    /// Who reads (their domain, the organisation's, the domains they wrote
    /// to) and whom the receiving server trusts.
    pub async fn threat_context(&self, who: &SignedIn) -> Result<Context, CoreError> {
        let mail = &self.config.mail;
        let known = self
            .store
            .written_addresses(who.account().id, KNOWN_ADDRESSES)
            .await?
            .into_iter()
            .filter_map(|a| a.rsplit_once('@').map(|(_, d)| d.to_owned()))
            .collect();
        Ok(Context {
            authserv_ids: mail.authserv_id.clone(),
            reader_domains: mail.organisation_domains.clone(),
            known_domains: known,
            verify_dkim: self.verifier.is_some(),
        }
        .with_reader(&who.account().email))
    }

    /// Marks each row with the kinds of warning its header raises.
    pub async fn mark_suspicious(
        &self,
        who: &SignedIn,
        rows: &mut [Summary],
    ) -> Result<(), CoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let ctx = Context {
            // Verifying DKIM needs the whole message: the list reads
            // trusted headers only.
            verify_dkim: false,
            ..self.threat_context(who).await?
        };
        for row in rows {
            let input = Input {
                headers: Cow::Borrowed(&row.header),
                ..Input::default()
            };
            row.warnings = kinds(&analyse(&input, &ctx));
            row.header = Vec::new();
        }
        Ok(())
    }

    /// The message view's verdicts on a message: `raw` is the whole message
    /// when it was read (see [`MAX_ANALYSED_BYTES`]); otherwise `header`
    /// and the parts BODYSTRUCTURE lists are judged.
    pub async fn threat_report(
        &self,
        who: &SignedIn,
        raw: Option<&[u8]>,
        header: &[u8],
        parts: &[Part],
    ) -> Result<Report, CoreError> {
        let ctx = self.threat_context(who).await?;
        let mut input = match raw.and_then(from_raw) {
            Some(input) => input,
            None => Input {
                headers: Cow::Borrowed(header),
                attachments: parts
                    .iter()
                    .filter(|p| !(p.inline && p.content_id.is_some()))
                    .map(|p| AttachmentInput {
                        name: p.name.clone(),
                        content_type: p.content_type.clone(),
                        size: p.size,
                        content: None,
                    })
                    .collect(),
                ..Input::default()
            },
        };
        if let (Some(raw), Some(verifier)) = (raw, &self.verifier) {
            if needs_verification(&input.headers, &ctx) {
                input.verified = Some(verifier.verify(raw).await);
            }
        }
        Ok(analyse(&input, &ctx))
    }

    /// The links of a message's bodies that must pass through the warning
    /// page: their text shows one place and they lead to another, or they
    /// lead to a lookalike domain.
    pub async fn detours(
        &self,
        who: &SignedIn,
        html: Option<&str>,
        text: Option<&str>,
    ) -> Result<Vec<Detour>, CoreError> {
        let ctx = self.threat_context(who).await?;
        let mut found: Vec<Detour> = Vec::new();
        let mut add = |href: &str, shown: &str, verdict: Option<LinkVerdict>| {
            if let Some(v) = verdict {
                if !found.iter().any(|d| d.href == href) {
                    found.push(Detour {
                        href: href.to_owned(),
                        shown: shown_of(&v, shown),
                    });
                }
            }
        };
        if let Some(html) = html {
            for link in estafette_threats::html::links(html).links {
                let href = link.href.trim();
                add(href, &link.text, assess(href, &link.text, &ctx));
            }
        }
        if let Some(text) = text {
            let words = text.split_whitespace().filter(|w| {
                let w = w.to_ascii_lowercase();
                w.starts_with("http://") || w.starts_with("https://")
            });
            for word in words.take(MAX_LINKS) {
                let href = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
                add(href, "", assess(href, "", &ctx));
            }
        }
        Ok(found)
    }

    /// The warning page's verdict on one link: where it really goes, and
    /// why it was stopped. Only web links are followed; anything else is
    /// refused.
    pub async fn check_link(
        &self,
        who: &SignedIn,
        href: &str,
        shown: &str,
    ) -> Result<LinkCheck, CoreError> {
        let refused = || CoreError::Invalid("That is not a web link.".into());
        let url = url::Url::parse(href.trim()).map_err(|_| refused())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused());
        }
        let host_ascii = url.host_str().ok_or_else(refused)?.to_owned();
        let ctx = self.threat_context(who).await?;
        let verdict = assess(url.as_str(), shown, &ctx);
        let host = estafette_threats::domain::to_unicode(&host_ascii);
        let (reason, claimed, imitates) = match verdict.map(|v| v.reason) {
            None => (None, None, None),
            Some(LinkReason::Mismatch { shown }) => (Some("mismatch"), Some(shown), None),
            Some(LinkReason::IpAddress { shown }) => (Some("ip-address"), Some(shown), None),
            Some(LinkReason::UserInfo { userinfo }) => (Some("userinfo"), Some(userinfo), None),
            Some(LinkReason::Lookalike(l)) => (Some(l.technique.as_str()), None, l.imitates),
        };
        Ok(LinkCheck {
            href: url.to_string(),
            host_ascii: (host_ascii != host).then_some(host_ascii),
            host,
            reason,
            claimed,
            imitates,
        })
    }
}

/// Where a link really leads, as the warning page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCheck {
    /// The link, normalised (what "go on" opens).
    pub href: String,
    /// Its host, decoded, and its ASCII form when that differs.
    pub host: String,
    pub host_ascii: Option<String>,
    /// Why it was stopped (`mismatch`, `ip-address`, `userinfo`, or a
    /// lookalike's technique); `None` when nothing is wrong with it.
    pub reason: Option<&'static str>,
    /// What the link claimed to be (its text, or its `user@` part).
    pub claimed: Option<String>,
    /// The known domain a lookalike imitates.
    pub imitates: Option<String>,
}

/// The text a link showed, as the warning page repeats it.
fn shown_of(v: &LinkVerdict, text: &str) -> String {
    match &v.reason {
        LinkReason::Mismatch { shown } | LinkReason::IpAddress { shown } => shown.clone(),
        LinkReason::UserInfo { userinfo } => userinfo.clone(),
        LinkReason::Lookalike(_) => text.chars().take(200).collect(),
    }
}

/// The kinds a report raises, each once, as `inspect-eml` names them.
pub fn kinds(report: &Report) -> Vec<String> {
    let mut kinds: Vec<Kind> = report.warnings.iter().map(|w| w.kind).collect();
    kinds.sort();
    kinds.dedup();
    kinds.into_iter().map(|k| k.as_str().to_owned()).collect()
}

/// A page's rows' links to the warning page, for the sanitiser: each
/// detour's `href` → the page's URL, made by `url`.
pub fn detour_map(detours: &[Detour], url: impl Fn(&Detour) -> String) -> HashMap<String, String> {
    detours.iter().map(|d| (d.href.clone(), url(d))).collect()
}
