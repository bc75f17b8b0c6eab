//! Labels: IMAP keywords (RFC 3501 §2.3.2) on messages, as Thunderbird
//! keeps them (`$label1`…`$label5`, and any other keyword). What a folder
//! lets be stored comes from its `PERMANENTFLAGS`: a server that does not
//! allow new keywords there (`\*`), or any change of them, is refused
//! before the STORE, since a server may answer such a STORE "OK" and keep
//! nothing.

use async_imap::types::Flag;
use futures::TryStreamExt;

use crate::imap::ImapSession;
use crate::MailError;

/// The longest keyword set here.
pub const MAX_KEYWORD: usize = 64;

/// Keywords clients and servers set for their own purposes: not labels.
const NOT_LABELS: &[&str] = &[
    "$forwarded",
    "$mdnsent",
    "$junk",
    "$notjunk",
    "junk",
    "nonjunk",
    "notjunk",
    "$phishing",
    "$submitpending",
    "$submitted",
    "$hasattachment",
    "$hasnoattachment",
    "$autojunk",
    "$autonotjunk",
];

/// An atom that is not a system flag (`\Seen`), at most [`MAX_KEYWORD`] bytes.
pub fn is_keyword(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_KEYWORD
        && value
            .bytes()
            .all(|b| (33..=126).contains(&b) && !b"(){%*\"\\]".contains(&b))
}

/// A keyword shown as a label (not one of [`NOT_LABELS`]).
pub fn is_label(keyword: &str) -> bool {
    is_keyword(keyword) && !NOT_LABELS.contains(&keyword.to_ascii_lowercase().as_str())
}

/// The labels among a message's or a folder's flags.
pub fn labels_of<'a>(flags: impl IntoIterator<Item = &'a Flag<'a>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for flag in flags {
        if let Flag::Custom(k) = flag {
            push_label(&mut out, k);
        }
    }
    out
}

fn push_label(out: &mut Vec<String>, k: &str) {
    if is_label(k) && !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
        out.push(k.to_owned());
    }
}

/// What the selected folder keeps of keywords (its `PERMANENTFLAGS`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permanent {
    /// Any keyword, new ones included (`\*`).
    pub any: bool,
    /// The keywords it keeps when not `any`.
    pub keywords: Vec<String>,
}

impl Permanent {
    pub fn from_flags(flags: &[Flag<'_>]) -> Permanent {
        Permanent {
            // An empty list is what a folder that keeps no flags sends
            // (`PERMANENTFLAGS ()`, read-only or without the right); the
            // client library gives the same when the server sent none,
            // which servers do not do in practice: nothing is kept.
            any: flags.contains(&Flag::MayCreate),
            keywords: labels_of(flags),
        }
    }

    pub fn keeps(&self, keyword: &str) -> bool {
        self.any
            || self
                .keywords
                .iter()
                .any(|k| k.eq_ignore_ascii_case(keyword))
    }
}

/// The labels of a folder: those defined in it (its `FLAGS`), and whether
/// new ones can be added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderLabels {
    pub defined: Vec<String>,
    pub new_allowed: bool,
    /// Whether labels can be changed at all here.
    pub changeable: bool,
}

/// What `folder` has and allows.
pub async fn of_folder(imap: &mut ImapSession, folder: &str) -> Result<FolderLabels, MailError> {
    imap.ensure_current(folder).await?;
    let (permanent, defined) = imap.selected_labels();
    Ok(FolderLabels {
        defined: defined.to_vec(),
        new_allowed: permanent.any,
        changeable: permanent.any || !permanent.keywords.is_empty(),
    })
}

/// Adds (`on`) or removes `keyword` on messages of `folder`.
pub async fn set(
    imap: &mut ImapSession,
    folder: &str,
    uids: &[u32],
    keyword: &str,
    on: bool,
) -> Result<(), MailError> {
    if !is_keyword(keyword) {
        return Err(MailError::BadMessage(format!(
            "A label is one word of at most {MAX_KEYWORD} letters, digits and simple signs."
        )));
    }
    let set = crate::actions::uid_set(uids)?;
    imap.ensure_selected(folder).await?;
    let (permanent, _) = imap.selected_labels();
    if !permanent.keeps(keyword) {
        let why = if permanent.keywords.is_empty() {
            "This folder's mail server does not keep labels."
        } else {
            "This folder's mail server keeps only the labels it has: choose one of them."
        };
        return Err(MailError::BadMessage(why.into()));
    }
    let op = if on { "+FLAGS.SILENT" } else { "-FLAGS.SILENT" };
    let _: Vec<_> = imap
        .uid_store(&set, format!("{op} ({keyword})"))
        .await?
        .try_collect()
        .await?;
    if on {
        imap.note_label(keyword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyword_is_an_atom_and_not_a_system_flag() {
        for good in ["$label1", "Work", "projet-x", "a.b_c+d"] {
            assert!(is_keyword(good), "{good}");
        }
        for bad in [
            "",
            "\\Seen",
            "two words",
            "a\r\nb",
            "a)",
            "(a",
            "a*",
            "a%",
            "\"a\"",
            "a]",
            "a{1}",
            "été",
            &"x".repeat(65),
        ] {
            assert!(!is_keyword(bad), "{bad:?}");
        }
        assert!(!is_label("$Forwarded") && !is_label("NonJunk") && is_label("$label3"));
    }

    #[test]
    fn permanentflags_decide_what_is_kept() {
        let all = Permanent::from_flags(&[Flag::Seen, Flag::MayCreate]);
        assert!(all.keeps("Anything"));
        let none_kept = Permanent::from_flags(&[]);
        assert!(
            !none_kept.keeps("Anything"),
            "PERMANENTFLAGS (): nothing is kept"
        );
        let fixed = Permanent::from_flags(&[Flag::Seen, Flag::Custom("$label1".into())]);
        assert!(fixed.keeps("$LABEL1") && !fixed.keeps("Work"));
        let nothing = Permanent::from_flags(&[Flag::Deleted, Flag::Seen]);
        assert!(!nothing.keeps("$label1"));
        assert_eq!(
            labels_of(&[
                Flag::Custom("$label2".into()),
                Flag::Custom("$Forwarded".into()),
                Flag::Custom("$LABEL2".into())
            ]),
            vec!["$label2".to_owned()]
        );
    }
}
