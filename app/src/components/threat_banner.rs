//! The message view's warnings: who vouches for the sender, and each thing
//! in the message made to deceive, in the reader's language (worded here
//! from the warning's kind and facts; the English sentence of the analysis
//! only for a reason this page has no words for).

use leptos::prelude::*;

use crate::api::defence::{SenderCheck, ThreatNote};
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{fill, use_texts, Texts};

fn risk(reason: &str, t: &Texts) -> Option<&'static str> {
    Some(match reason {
        "executable" => t.risk_executable,
        "script" => t.risk_script,
        "macro" => t.risk_macro,
        "disk-image" => t.risk_disk_image,
        "html" => t.risk_html,
        "shortcut" => t.risk_shortcut,
        "double-extension" => t.risk_double_extension,
        "bidi-control" => t.risk_bidi_control,
        "archive-content" => t.risk_archive_content,
        "encrypted-archive" => t.risk_encrypted_archive,
        "unreadable-archive" => t.risk_unreadable_archive,
        "archive-too-large" => t.risk_archive_too_large,
        "archive-limits" => t.risk_archive_limits,
        "unknown-archive" => t.risk_unknown_archive,
        _ => return None,
    })
}

/// The sentence of one warning.
pub fn sentence(n: &ThreatNote, t: &Texts) -> String {
    let get = |v: &Option<String>| v.clone().unwrap_or_default();
    let (claimed, actual) = (get(&n.claimed), get(&n.actual));
    // The authentication warnings name the claimed domain as `claimed`.
    let domain = get(&n.domain.clone().or_else(|| n.claimed.clone()));
    let (imitates, attachment, entry) = (get(&n.imitates), get(&n.attachment), get(&n.entry));
    let values = [
        ("claimed", claimed.as_str()),
        ("actual", actual.as_str()),
        ("domain", domain.as_str()),
        ("imitates", imitates.as_str()),
        ("attachment", attachment.as_str()),
        ("entry", entry.as_str()),
    ];
    let reason = n.reason.as_deref().unwrap_or_default();
    let link = n.place.as_deref() == Some("link");
    let template = match (n.kind.as_str(), reason) {
        ("auth-fail", "dmarc") => Some(t.threat_auth_fail_dmarc),
        ("auth-fail", _) => Some(t.threat_auth_fail_spf),
        ("auth-unverified", _) => Some(t.threat_auth_unverified),
        ("display-name-spoof", _) => Some(t.threat_display_name),
        ("link-mismatch", "ip-address") => Some(t.threat_link_ip),
        ("link-mismatch", "userinfo") => Some(t.threat_link_userinfo),
        ("link-mismatch", _) => Some(t.threat_link_mismatch),
        ("lookalike-domain", _) if imitates.is_empty() => Some(if link {
            t.threat_lookalike_link_mixed
        } else {
            t.threat_lookalike_sender_mixed
        }),
        ("lookalike-domain", "one-edit") => Some(if link {
            t.threat_lookalike_link_edit
        } else {
            t.threat_lookalike_sender_edit
        }),
        ("lookalike-domain", _) => Some(if link {
            t.threat_lookalike_link
        } else {
            t.threat_lookalike_sender
        }),
        ("reply-to-differs", _) => Some(t.threat_reply_to),
        ("risky-attachment", r) => {
            if let Some(why) = risk(r, t) {
                let why = fill(why, &values);
                return fill(
                    t.threat_attachment,
                    &[("attachment", &attachment), ("why", &why)],
                );
            }
            None
        }
        _ => None,
    };
    let Some(template) = template else {
        return n.detail.clone();
    };
    let mut text = fill(template, &values);
    if let (Some(ascii), "lookalike-domain") = (&n.ascii, n.kind.as_str()) {
        text.push(' ');
        text.push_str(&fill(t.threat_written_as, &[("ascii", ascii)]));
    }
    text
}

/// How the sender is vouched for, in one line.
#[component]
pub fn SenderLine(sender: SenderCheck) -> impl IntoView {
    let t = use_texts();
    let domain = sender.domain.clone().unwrap_or_default();
    let (class, icon, text) = match sender.verdict.as_str() {
        "pass" if !domain.is_empty() => (
            "sender-check pass",
            Glyph::Check,
            fill(t.sender_verified, &[("domain", &domain)]),
        ),
        "fail" if !domain.is_empty() => (
            "sender-check fail",
            Glyph::Cross,
            fill(t.sender_failed, &[("domain", &domain)]),
        ),
        _ => (
            "sender-check none",
            Glyph::Question,
            t.sender_unverified.to_owned(),
        ),
    };
    view! {
        <p class=class>
            <Icon glyph=icon/>" "{text}
        </p>
    }
}

/// The warnings above a message; nothing for an ordinary one.
#[component]
pub fn ThreatBanner(warnings: Vec<ThreatNote>) -> impl IntoView {
    let t = use_texts();
    if warnings.is_empty() {
        return ().into_any();
    }
    let mut lines: Vec<String> = Vec::new();
    for w in &warnings {
        let line = sentence(w, t);
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    view! {
        <section class="threat-banner" aria-labelledby="threats-heading">
            <h2 id="threats-heading">
                <Icon glyph=Glyph::Warning/>" "{t.threats_heading}
            </h2>
            <ul aria-label=t.threats_label>
                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_worded_in_every_language() {
        use crate::i18n::Locale;
        let kinds = [
            ("auth-fail", "dmarc", None),
            ("auth-fail", "spf", None),
            ("auth-unverified", "own-domain", None),
            ("display-name-spoof", "address", None),
            ("link-mismatch", "mismatch", Some("link")),
            ("link-mismatch", "ip-address", Some("link")),
            ("link-mismatch", "userinfo", Some("link")),
            ("lookalike-domain", "confusable", Some("sender")),
            ("lookalike-domain", "one-edit", Some("link")),
            ("reply-to-differs", "domain", None),
            ("risky-attachment", "executable", None),
            ("risky-attachment", "archive-content", None),
        ];
        for locale in Locale::ALL {
            for (kind, reason, place) in kinds {
                let note = ThreatNote {
                    kind: kind.into(),
                    reason: Some(reason.into()),
                    claimed: Some("paypal.com".into()),
                    actual: Some("evil.test".into()),
                    domain: kind.starts_with("lookalike").then(|| "paypa1.com".into()),
                    imitates: Some("paypal.com".into()),
                    attachment: Some("invoice.zip".into()),
                    entry: Some("run.exe".into()),
                    place: place.map(str::to_owned),
                    detail: "ENGLISH FALLBACK".into(),
                    ..ThreatNote::default()
                };
                let text = sentence(&note, locale.texts());
                assert!(
                    !text.contains("ENGLISH FALLBACK"),
                    "{kind}/{reason}: {text}"
                );
                assert!(!text.contains('{'), "{kind}/{reason}: {text}");
            }
        }
        let unknown = ThreatNote {
            kind: "risky-attachment".into(),
            reason: Some("something-new".into()),
            detail: "The fallback".into(),
            ..ThreatNote::default()
        };
        assert_eq!(sentence(&unknown, Locale::En.texts()), "The fallback");
    }
}
