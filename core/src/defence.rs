//! The reader's defence against hostile mail: what the threat analysis
//! (`estafette-threats`) is told about the reader, and where its verdicts
//! go — the message view's banner, the list's mark, and the frame's links
//! that must pass through the warning page first.
//!
//! The list judges each row from its header alone (who sent it, who
//! vouches for that, where replies go); the message view judges what it
//! shows: the header, the bodies (cut where the view cuts them), the
//! attachments' names and types, and the zips small enough to open.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use estafette_mail::listing::{self, Summary};
use estafette_mail::view::Shown;
use estafette_threats::dkim::Verifier;
use estafette_threats::html::MAX_LINKS;
use estafette_threats::{
    analyse, assess, needs_verification, wants_content, AttachmentInput, Context, Input, Kind,
    LinkReason, LinkVerdict, Report, MAX_ARCHIVE_BYTES, MAX_ATTACHMENTS,
};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Messages up to this size are read whole to check their DKIM signatures
/// here (`mail.verify_dkim`); a larger one stays unverified.
pub const MAX_VERIFIED_BYTES: u32 = 8 << 20;

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

/// What the frame does with a message's web links (see [`Services::links`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkPlan {
    pub detours: Vec<Detour>,
    pub cleared: HashSet<String>,
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

    /// The message view's verdicts on a message: its header, the bodies
    /// the view shows (cut as it cuts them), and its attachments' names and
    /// types — with the bytes of the zips small enough to look inside.
    pub async fn threat_report(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        shown: &Shown,
    ) -> Result<Report, CoreError> {
        let ctx = self.threat_context(who).await?;
        let mut attachments = Vec::new();
        // Archives are read to look inside up to this much in all.
        let mut budget = MAX_ARCHIVE_BYTES;
        for p in shown
            .parts
            .iter()
            .filter(|p| !(p.inline && p.content_id.is_some()))
            .take(MAX_ATTACHMENTS)
        {
            let wanted = wants_content(&p.name, &p.content_type, p.size) && p.size <= budget;
            let content = if wanted {
                match self.part_bytes(who, folder, uid, &p.section, budget).await {
                    Ok(bytes) => {
                        budget = budget.saturating_sub(bytes.len() as u64);
                        Some(Cow::Owned(bytes))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "an archive could not be read to look inside");
                        None
                    }
                }
            } else {
                None
            };
            attachments.push(AttachmentInput {
                name: p.name.clone(),
                content_type: p.content_type.clone(),
                size: p.size,
                content,
            });
        }
        let mut input = Input {
            headers: Cow::Borrowed(&shown.header),
            html: shown.message.html.as_deref().map(Cow::Borrowed),
            text: shown.message.text.as_deref().map(Cow::Borrowed),
            attachments,
            verified: None,
        };
        if let Some(verifier) = &self.verifier {
            if needs_verification(&input.headers, &ctx) {
                // DKIM signs the whole body: only a message of a size worth
                // reading whole is checked.
                if let Ok(raw) = self.raw_if_small(who, folder, uid).await {
                    input.verified = Some(verifier.verify(&raw).await);
                }
            }
        }
        Ok(analyse(&input, &ctx))
    }

    async fn raw_if_small(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Vec<u8>, CoreError> {
        let row = self
            .with_imap(who.session(), |imap| {
                let folder = folder.to_owned();
                Box::pin(async move { listing::rows(imap, &folder, &[uid]).await })
            })
            .await?;
        if row.first().is_none_or(|r| r.size > MAX_VERIFIED_BYTES) {
            return Err(CoreError::Invalid("too large to verify here".into()));
        }
        self.raw_message(who, folder, uid, true).await
    }

    /// The web links of a message's bodies, judged: those that must pass
    /// through the warning page (their text shows one place and they lead
    /// to another, or they lead to a lookalike domain) and those found
    /// honest. The frame detours every other web link too (see
    /// `Policy::detour_others`), so a link the analysis did not reach — past
    /// its limits, or written so that it reads differently — is never
    /// followed blind.
    pub async fn links(
        &self,
        who: &SignedIn,
        html: Option<&str>,
        text: Option<&str>,
    ) -> Result<LinkPlan, CoreError> {
        let ctx = self.threat_context(who).await?;
        let mut plan = LinkPlan::default();
        let mut judge = |href: &str, shown: &str| {
            if plan.cleared.contains(href) || plan.detours.iter().any(|d| d.href == href) {
                return;
            }
            match assess(href, shown, &ctx) {
                Some(v) => plan.detours.push(Detour {
                    href: href.to_owned(),
                    shown: shown_of(&v, shown),
                }),
                None => {
                    plan.cleared.insert(href.to_owned());
                }
            }
        };
        if let Some(html) = html {
            // As the sanitiser reads it (it drops these first).
            let html = html.replace(['\0', '\u{feff}'], "");
            for link in estafette_threats::html::links(&html).links {
                judge(link.href.trim(), &link.text);
            }
        }
        if let Some(text) = text {
            // The words the plain text's view makes links of.
            let urls = text
                .lines()
                .flat_map(|l| l.split(' '))
                .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']))
                .filter(|w| {
                    let w = w.to_ascii_lowercase();
                    w.starts_with("http://") || w.starts_with("https://")
                });
            for url in urls.take(MAX_LINKS) {
                judge(url, "");
            }
        }
        Ok(plan)
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
