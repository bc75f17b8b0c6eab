//! One pass over a message: the sender's authentication, then every
//! warning. The message view and `estafette inspect-eml` both call
//! [`analyse`].

use std::collections::HashSet;

use mail_parser::{Message, MessageParser};

use crate::archive::Budget;
use crate::auth_results;
use crate::context::{Context, Prepared};
use crate::domain;
use crate::input::Input;
use crate::links::{assess_prepared, LinkReason, LinkVerdict};
use crate::lookalike::{Lookalike, Technique};
use crate::report::{Authentication, Facts, Kind, Report, Verdict, Warning};
use crate::sender::{self, Claim, Sender};
use crate::{attachments, html};

/// The header section read; a longer one is cut at a line.
pub const MAX_HEADER_BYTES: usize = 1 << 20;
/// Warnings reported per message, and per kind.
pub const MAX_WARNINGS: usize = 50;
const MAX_PER_KIND: usize = 10;
/// URLs of the plain text looked at.
const MAX_TEXT_URLS: usize = html::MAX_LINKS;

struct Warnings {
    list: Vec<Warning>,
    seen: HashSet<(Kind, Facts)>,
}

impl Warnings {
    fn push(&mut self, kind: Kind, detail: String, facts: Facts) {
        let per_kind = self.list.iter().filter(|w| w.kind == kind).count();
        if self.list.len() >= MAX_WARNINGS || per_kind >= MAX_PER_KIND {
            return;
        }
        if self.seen.insert((kind, facts.clone())) {
            self.list.push(Warning {
                kind,
                detail,
                facts,
            });
        }
    }
}

fn header_section(headers: &[u8]) -> &[u8] {
    if headers.len() <= MAX_HEADER_BYTES {
        return headers;
    }
    let cut = &headers[..MAX_HEADER_BYTES];
    let end = cut.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    &cut[..end]
}

/// A header section alone, ended by the blank line mail-parser expects.
fn header_block(headers: &[u8]) -> Vec<u8> {
    let mut block = header_section(headers).to_vec();
    block.extend_from_slice(b"\r\n\r\n");
    block
}

fn trusted(parsed: &Message<'_>, authserv_ids: &[String]) -> Option<auth_results::Results> {
    auth_results::trusted(
        parsed
            .headers_raw()
            .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
            .map(|(_, value)| value),
        authserv_ids,
    )
}

/// Whether Estafette should check DKIM itself ([`crate::dkim::Verifier`]):
/// `verify_dkim` is on and no trusted `Authentication-Results` header
/// exists in `headers`.
pub fn needs_verification(headers: &[u8], ctx: &Context) -> bool {
    let block = header_block(headers);
    ctx.verify_dkim
        && MessageParser::default()
            .parse_headers(&block)
            .and_then(|m| trusted(&m, &ctx.authserv_ids))
            .is_none()
}

/// The verdicts on a message.
pub fn analyse(input: &Input<'_>, ctx: &Context) -> Report {
    let prepared = Prepared::new(ctx);
    let mut w = Warnings {
        list: Vec::new(),
        seen: HashSet::new(),
    };
    let block = header_block(&input.headers);
    let parsed = MessageParser::default().parse_headers(&block);
    let from = parsed.as_ref().and_then(sender::from);
    let from_domain = from.as_ref().and_then(|s| s.domain.clone());
    let trusted = parsed
        .as_ref()
        .and_then(|m| trusted(m, &prepared.authserv_ids));
    let authentication = match (trusted, &input.verified) {
        (Some(results), _) => crate::auth::verdict(&results, from_domain.as_deref()),
        (None, Some(verified)) => verified.clone(),
        (None, None) => Authentication::none(
            from_domain
                .as_deref()
                .map(|d| domain::to_unicode(&domain::registrable(d))),
        ),
    };
    authentication_warnings(&authentication, from.as_ref(), &prepared, &mut w);
    if let Some(sender) = &from {
        display_name(sender, &mut w);
        if let Some(d) = &sender.domain {
            if let Some(l) = prepared.protected.check(d) {
                lookalike(&l, "sender", &mut w);
            }
        }
    }
    if let Some(m) = &parsed {
        let list = sender::list_post(m);
        let replies: Vec<String> = sender::reply_to(m)
            .into_iter()
            .filter(|a| Some(a.to_ascii_lowercase()) != list)
            .collect();
        reply_to(from_domain.as_deref(), &replies, &prepared, &mut w);
    }
    if let Some(body) = &input.html {
        let found = html::links(body);
        for link in &found.links {
            if let Some(v) = assess_prepared(&link.href, &link.text, &prepared) {
                link_warning(&v, &mut w);
            }
        }
    }
    if let Some(text) = &input.text {
        for url in text_urls(text) {
            if let Some(v) = assess_prepared(url, "", &prepared) {
                link_warning(&v, &mut w);
            }
        }
    }
    let mut budget = Budget::default();
    for a in input.attachments.iter().take(crate::input::MAX_ATTACHMENTS) {
        if let Some(f) = attachments::assess(a, &mut budget) {
            let facts = Facts {
                reason: Some(f.reason),
                attachment: Some(crate::report::printable(&a.name)),
                entry: f.entry,
                ..Facts::default()
            };
            w.push(Kind::RiskyAttachment, capitalised(&f.detail), facts);
        }
    }
    Report {
        authentication,
        warnings: w.list,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn authentication_warnings(
    auth: &Authentication,
    from: Option<&Sender>,
    ctx: &Prepared,
    w: &mut Warnings,
) {
    let shown = auth.domain.clone();
    if auth.verdict == Verdict::Fail {
        let reason = if auth.dmarc.as_deref() == Some("fail") {
            "dmarc"
        } else {
            "spf"
        };
        let why = match reason {
            "dmarc" => "its DMARC check failed",
            _ => "its SPF check failed and no signature of the domain passed",
        };
        w.push(
            Kind::AuthFail,
            format!("{} ({why})", auth.summary),
            Facts {
                reason: Some(reason),
                claimed: shown.clone(),
                ..Facts::default()
            },
        );
    }
    let own = from
        .and_then(|s| s.domain.as_deref())
        .is_some_and(|d| ctx.is_readers(d));
    if own && auth.verdict != Verdict::Pass {
        let d = shown.clone().unwrap_or_default();
        w.push(
            Kind::AuthUnverified,
            format!(
                "This message claims to come from your own domain {d}, but nothing confirms it was sent from there"
            ),
            Facts {
                reason: Some("own-domain"),
                claimed: shown,
                ..Facts::default()
            },
        );
    }
}

fn display_name(sender: &Sender, w: &mut Warnings) {
    let (Some(name), Some(address), Some(d)) = (&sender.name, &sender.address, &sender.domain)
    else {
        return;
    };
    let real = domain::registrable(d);
    for claim in sender::claims(name) {
        let (reason, claimed, claimed_domain) = match claim {
            Claim::Address(a, d) => ("address", a, d),
            Claim::Domain(d) => ("domain", domain::to_unicode(&d), d),
        };
        if domain::registrable(&claimed_domain) == real {
            continue;
        }
        let claimed = crate::report::printable(&claimed);
        let actual = crate::report::printable(address);
        w.push(
            Kind::DisplayNameSpoof,
            format!("The sender's name shows {claimed}, but the message comes from {actual}"),
            Facts {
                reason: Some(reason),
                claimed: Some(claimed),
                actual: Some(actual),
                ..Facts::default()
            },
        );
    }
}

fn reply_to(from: Option<&str>, replies: &[String], ctx: &Prepared, w: &mut Warnings) {
    let Some(from) = from else { return };
    let from_reg = domain::registrable(from);
    for address in replies {
        let Some(d) = domain::of_address(address) else {
            continue;
        };
        let reg = domain::registrable(&d);
        if reg == from_reg || ctx.is_readers(&d) {
            continue;
        }
        let address = crate::report::printable(address);
        let from_shown = domain::to_unicode(&from_reg);
        w.push(
            Kind::ReplyToDiffers,
            format!("Replies go to {address}, not to the sender's domain {from_shown}"),
            Facts {
                reason: Some("domain"),
                claimed: Some(from_shown),
                actual: Some(address),
                domain: Some(domain::to_unicode(&reg)),
                ..Facts::default()
            },
        );
    }
}

fn lookalike(l: &Lookalike, place: &'static str, w: &mut Warnings) {
    let ascii = (l.ascii != l.domain).then(|| l.ascii.clone());
    let written = ascii
        .as_deref()
        .map(|a| format!(" (written {a})"))
        .unwrap_or_default();
    let subject = match place {
        "sender" => format!("The sender's domain {}{written}", l.domain),
        _ => format!("A link leads to {}{written}, which", l.domain),
    };
    let mixed = if l.mixed_script {
        " mixes alphabets and"
    } else {
        ""
    };
    let detail = match (&l.imitates, l.technique) {
        (Some(known), Technique::OneEdit) => {
            format!("{subject}{mixed} is one letter away from {known}")
        }
        (Some(known), _) => format!("{subject}{mixed} looks like {known}"),
        (None, _) => format!("{subject} mixes letters of different alphabets"),
    };
    w.push(
        Kind::LookalikeDomain,
        detail,
        Facts {
            reason: Some(l.technique.as_str()),
            domain: Some(l.domain.clone()),
            ascii,
            imitates: l.imitates.clone(),
            place: Some(place),
            ..Facts::default()
        },
    );
}

fn link_warning(v: &LinkVerdict, w: &mut Warnings) {
    let dest = &v.destination;
    let (detail, claimed) = match &v.reason {
        LinkReason::Lookalike(l) => return lookalike(l, "link", w),
        LinkReason::Mismatch { shown } => (
            format!("A link shows {shown} but leads to {dest}"),
            shown.clone(),
        ),
        LinkReason::IpAddress { shown } => (
            format!("A link shows {shown} but leads to the bare address {dest}"),
            shown.clone(),
        ),
        LinkReason::UserInfo { userinfo } => (
            format!("A link seems to lead to {userinfo} but leads to {dest}"),
            userinfo.clone(),
        ),
    };
    w.push(
        Kind::LinkMismatch,
        detail,
        Facts {
            reason: Some(v.reason.as_str()),
            claimed: Some(claimed),
            actual: Some(dest.clone()),
            ascii: (v.destination_ascii != *dest).then(|| v.destination_ascii.clone()),
            place: Some("link"),
            ..Facts::default()
        },
    );
}

/// `http://` and `https://` URLs written in a plain text.
fn text_urls(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let lower_at = find_scheme(rest)?;
        let from = &rest[lower_at..];
        let end = from
            .find(|c: char| c.is_whitespace() || "<>\"'`".contains(c))
            .unwrap_or(from.len());
        rest = &from[end..];
        Some(&from[..end])
    })
    .take(MAX_TEXT_URLS)
}

fn find_scheme(s: &str) -> Option<usize> {
    let http = s.find("http://");
    let https = s.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
