//! A rule applied to the messages already in a folder (Sieve only acts on
//! new mail): IMAP SEARCH with the rule's conditions, narrowed by reading
//! the headers when a test is exact, then the rule's actions. Forwarding
//! applies to new mail only.

use std::collections::BTreeSet;

use estafette_mail::filtering;
use estafette_mail::folders::{self, SpecialUse};
use estafette_mail::imap::{quote, ImapSession};
use estafette_mail::MailError;

use super::rules::{ActionKind, Condition, Field, Op, Rule};
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// The messages a search may touch at once.
const MAX_APPLIED: usize = 5_000;

/// The SEARCH criteria a condition is narrowed to, and the headers to read
/// to decide exactly (for `is` and `matches`).
fn criteria(c: &Condition) -> Result<(String, Vec<&'static str>), MailError> {
    let value = |v: &str| quote(v);
    // For `matches`, the longest run without wildcards narrows the search.
    let fragment = match c.op {
        Op::Matches => c
            .value
            .split(['*', '?'])
            .max_by_key(|p| p.len())
            .unwrap_or_default()
            .to_owned(),
        _ => c.value.clone(),
    };
    let exact = matches!(c.op, Op::Is | Op::Matches);
    let (search, headers): (String, Vec<&'static str>) = match c.field {
        Field::From => (format!("FROM {}", value(&fragment)?), vec!["From"]),
        Field::ToCc => {
            let v = value(&fragment)?;
            (format!("OR TO {v} CC {v}"), vec!["To", "Cc"])
        }
        Field::Subject => (format!("SUBJECT {}", value(&fragment)?), vec!["Subject"]),
        Field::Header => (
            format!("HEADER {} {}", value(&c.header)?, value(&fragment)?),
            Vec::new(),
        ),
        Field::Body => (format!("BODY {}", value(&c.value)?), Vec::new()),
        Field::Size => {
            let bytes = c.kilobytes() * 1024;
            let key = if c.op == Op::Over {
                "LARGER"
            } else {
                "SMALLER"
            };
            return Ok((format!("{key} {bytes}"), Vec::new()));
        }
    };
    let search = if c.op == Op::NotContains {
        format!("NOT {search}")
    } else {
        search
    };
    Ok((search, if exact { headers } else { Vec::new() }))
}

/// Sieve's `:matches` with `*` and `?`, ignoring ASCII case.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (
        pattern.to_lowercase().chars().collect(),
        text.to_lowercase().chars().collect(),
    );
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn fits(c: &Condition, values: &[String]) -> bool {
    values.iter().any(|v| match c.op {
        Op::Is => v.trim().eq_ignore_ascii_case(c.value.trim()),
        Op::Matches => wildcard(&c.value, v.trim()),
        _ => true,
    })
}

/// The UIDs of `folder` a condition holds for.
async fn matching(
    imap: &mut ImapSession,
    folder: &str,
    c: &Condition,
) -> Result<BTreeSet<u32>, MailError> {
    let (search, headers) = criteria(c)?;
    let found = filtering::search(imap, folder, &search).await?;
    if headers.is_empty() {
        return Ok(found.into_iter().collect());
    }
    let read = filtering::header_values(imap, folder, &found, &headers).await?;
    Ok(read
        .into_iter()
        .filter(|(_, values)| fits(c, values))
        .map(|(uid, _)| uid)
        .collect())
}

async fn run(imap: &mut ImapSession, folder: &str, rule: &Rule) -> Result<usize, MailError> {
    let mut uids: Option<BTreeSet<u32>> = None;
    for c in &rule.conditions {
        let these = matching(imap, folder, c).await?;
        uids = Some(match uids {
            None => these,
            Some(so_far) if rule.match_all => so_far.intersection(&these).copied().collect(),
            Some(so_far) => so_far.union(&these).copied().collect(),
        });
    }
    let uids: Vec<u32> = match uids {
        Some(set) => set.into_iter().collect(),
        None => filtering::search(imap, folder, "ALL").await?,
    };
    if uids.is_empty() {
        return Ok(0);
    }
    if uids.len() > MAX_APPLIED {
        return Err(MailError::BadSearch(format!(
            "This rule matches more than {MAX_APPLIED} messages here; apply it in smaller folders."
        )));
    }
    let mut actions: Vec<_> = rule.actions.iter().collect();
    actions.sort_by_key(|a| a.kind);
    let flags: Vec<String> = actions
        .iter()
        .filter_map(|a| match a.kind {
            ActionKind::MarkRead => Some("\\Seen".to_owned()),
            ActionKind::Flag => Some("\\Flagged".to_owned()),
            ActionKind::Keyword => Some(a.value.clone()),
            _ => None,
        })
        .collect();
    filtering::add_flags(imap, folder, &uids, &flags).await?;
    for a in actions {
        match a.kind {
            ActionKind::Copy => filtering::copy(imap, folder, &uids, &a.value).await?,
            ActionKind::Move => {
                for chunk in uids.chunks(estafette_mail::actions::MAX_BATCH) {
                    estafette_mail::actions::move_to(imap, folder, chunk, &a.value).await?;
                }
                break;
            }
            ActionKind::Discard => {
                if let Some(trash) = folders::special(imap, SpecialUse::Trash).await? {
                    if trash != folder {
                        for chunk in uids.chunks(estafette_mail::actions::MAX_BATCH) {
                            estafette_mail::actions::move_to(imap, folder, chunk, &trash).await?;
                        }
                    }
                }
                break;
            }
            ActionKind::Stop => break,
            _ => {}
        }
    }
    Ok(uids.len())
}

/// What "filter messages like this" starts from: a message's sender, list
/// and subject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Like {
    pub from: String,
    pub list_id: String,
    pub subject: String,
}

impl Services {
    pub async fn message_like(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Like, CoreError> {
        self.with_imap(&who.0, |imap| {
            let folder = folder.to_owned();
            Box::pin(async move {
                let mut like = Like::default();
                for (name, slot) in [
                    ("From", &mut like.from),
                    ("List-Id", &mut like.list_id),
                    ("Subject", &mut like.subject),
                ] {
                    let read = filtering::header_values(imap, &folder, &[uid], &[name]).await?;
                    let Some((_, values)) = read.into_iter().next() else {
                        return Err(MailError::NoSuchMessage(uid));
                    };
                    *slot = values.into_iter().next().unwrap_or_default();
                    slot.retain(|c| !c.is_control());
                }
                Ok(like)
            })
        })
        .await
    }

    /// Applies `rule` to the messages now in `folder`; returns how many it took.
    pub async fn apply_rule(
        &self,
        who: &SignedIn,
        folder: &str,
        rule: Rule,
    ) -> Result<usize, CoreError> {
        let rule = rule.checked()?;
        self.with_imap(&who.0, |imap| {
            let (folder, rule) = (folder.to_owned(), rule.clone());
            Box::pin(async move { run(imap, &folder, &rule).await })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_sieve_does() {
        assert!(wildcard("*@example.test", "Bob@Example.TEST"));
        assert!(wildcard("b?b@*", "bob@x"));
        assert!(!wildcard("b?b@*", "bobby@x"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a*c", "abd"));
    }

    #[test]
    fn conditions_become_quoted_searches() {
        let c = Condition {
            field: Field::Subject,
            header: String::new(),
            op: Op::NotContains,
            value: "x\") ALL (\"".into(),
        };
        assert_eq!(
            criteria(&c).map(|(s, _)| s).ok().as_deref(),
            Some("NOT SUBJECT \"x\\\") ALL (\\\"\"")
        );
        let c = Condition {
            field: Field::From,
            header: String::new(),
            op: Op::Matches,
            value: "*@lists.example".into(),
        };
        assert_eq!(
            criteria(&c).ok(),
            Some(("FROM \"@lists.example\"".to_owned(), vec!["From"]))
        );
    }
}
