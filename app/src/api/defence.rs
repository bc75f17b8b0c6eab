//! The threat analysis' verdicts as the pages show them: the sender's
//! check and the warnings of a message (worded by the page, in the
//! reader's language, from their kind and facts), and the warning page a
//! suspicious link passes through.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Who vouches for the sender: `pass`, `fail` or `none`, about `domain`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderCheck {
    pub verdict: String,
    pub domain: Option<String>,
}

/// One warning: its kind (`auth-fail`, `link-mismatch`, …, as
/// `inspect-eml` names them), the facts behind it, and the English
/// sentence for a reason the page has no words of its own for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatNote {
    pub kind: String,
    pub reason: Option<String>,
    pub claimed: Option<String>,
    pub actual: Option<String>,
    pub domain: Option<String>,
    pub ascii: Option<String>,
    pub imitates: Option<String>,
    pub attachment: Option<String>,
    pub entry: Option<String>,
    pub place: Option<String>,
    pub detail: String,
}

#[cfg(feature = "ssr")]
impl From<&estafette_threats::Authentication> for SenderCheck {
    fn from(a: &estafette_threats::Authentication) -> Self {
        let verdict = match a.verdict {
            estafette_threats::Verdict::Pass => "pass",
            estafette_threats::Verdict::Fail => "fail",
            estafette_threats::Verdict::None => "none",
        };
        SenderCheck {
            verdict: verdict.into(),
            domain: a.domain.clone(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<&estafette_threats::Warning> for ThreatNote {
    fn from(w: &estafette_threats::Warning) -> Self {
        let f = &w.facts;
        ThreatNote {
            kind: w.kind.as_str().into(),
            reason: f.reason.map(str::to_owned),
            claimed: f.claimed.clone(),
            actual: f.actual.clone(),
            domain: f.domain.clone(),
            ascii: f.ascii.clone(),
            imitates: f.imitates.clone(),
            attachment: f.attachment.clone(),
            entry: f.entry.clone(),
            place: f.place.map(str::to_owned),
            detail: w.detail.clone(),
        }
    }
}

/// Where a link really leads, for the warning page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCheck {
    pub href: String,
    pub host: String,
    pub host_ascii: Option<String>,
    /// Why it was stopped; `None` when nothing is wrong with it.
    pub reason: Option<String>,
    pub claimed: Option<String>,
    pub imitates: Option<String>,
}

/// The warning page's verdict on the link `to`, whose text showed `shown`.
#[server(prefix = "/api", endpoint = "check_link")]
pub async fn check_link(to: String, shown: String) -> Result<LinkCheck, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let c = services()?.check_link(&who, &to, &shown).await?;
    Ok(LinkCheck {
        href: c.href,
        host: c.host,
        host_ascii: c.host_ascii,
        reason: c.reason.map(str::to_owned),
        claimed: c.claimed,
        imitates: c.imitates,
    })
}
