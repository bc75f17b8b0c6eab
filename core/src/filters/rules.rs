//! A filter rule as the visual editor makes it: conditions on the message,
//! all or any of them, and what to do with it. Checked before it becomes
//! Sieve (see `script`), so that every value fits where it goes.

use serde::{Deserialize, Serialize};

use crate::CoreError;

pub const MAX_RULES: usize = 200;
const MAX_CONDITIONS: usize = 20;
const MAX_ACTIONS: usize = 10;
const MAX_NAME_CHARS: usize = 100;
const MAX_VALUE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    /// All conditions must hold (`true`), or any one of them.
    pub match_all: bool,
    /// None: every message.
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    From,
    /// To or Cc.
    ToCc,
    Subject,
    /// The header named in `Condition::header`.
    Header,
    Body,
    /// The size in KB, with `Over` or `Under`.
    Size,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Contains,
    NotContains,
    Is,
    /// With `*` and `?` wildcards.
    Matches,
    Over,
    Under,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: Field,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header: String,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    // In the order they run: marks first, so that they go with the message
    // wherever it is filed; stopping last.
    MarkRead,
    Flag,
    /// Adds the keyword in `value`.
    Keyword,
    /// Forwards a copy to the address in `value`.
    Forward,
    /// Copies into the folder in `value`.
    Copy,
    /// Moves into the folder in `value`.
    Move,
    Discard,
    Stop,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

/// One line of text, of reasonable length, without control characters;
/// `refusal` otherwise.
fn one_line(value: &str, refusal: &str) -> Result<(), CoreError> {
    if value.chars().any(char::is_control) || value.chars().count() > MAX_VALUE_CHARS {
        return Err(invalid(refusal));
    }
    Ok(())
}

/// A header's name as RFC 5322 allows it: printable ASCII, no colon.
fn header_name(name: &str) -> Result<(), CoreError> {
    let ok = !name.is_empty()
        && name.len() <= 76
        && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!("`{name}` is not a header name.")))
    }
}

/// An IMAP keyword: an atom, not a system flag.
pub fn keyword(value: &str) -> Result<(), CoreError> {
    if estafette_mail::labels::is_keyword(value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{value}` cannot be a keyword: letters, digits and simple signs only."
        )))
    }
}

/// A folder's name, to file into.
pub fn folder(value: &str) -> Result<(), CoreError> {
    if value.trim().is_empty() {
        return Err(invalid("Choose a folder."));
    }
    one_line(
        value,
        "A folder name is one line of at most 500 characters.",
    )
}

impl Condition {
    fn check(&self) -> Result<(), CoreError> {
        match (self.field, self.op) {
            (Field::Size, Op::Over | Op::Under) => {
                let kb: u64 = self.value.trim().parse().map_err(|_| {
                    invalid(format!("`{}` is not a size in KB.", self.value.trim()))
                })?;
                if !(1..=10_000_000).contains(&kb) {
                    return Err(invalid("A size is between 1 KB and 10 GB."));
                }
                return Ok(());
            }
            (Field::Size, _) | (_, Op::Over | Op::Under) => {
                return Err(invalid("Sizes are over or under a number of KB."))
            }
            (Field::Body, Op::Is | Op::Matches) => {
                return Err(invalid(
                    "The text of a message can be tested with contains or does not contain.",
                ))
            }
            (Field::Header, _) => header_name(self.header.trim())?,
            _ => {}
        }
        if self.value.is_empty() {
            return Err(invalid("A condition needs a value."));
        }
        one_line(
            &self.value,
            "A condition's value is one line of at most 500 characters.",
        )
    }

    /// The size in KB of a size condition.
    pub fn kilobytes(&self) -> u64 {
        self.value.trim().parse().unwrap_or(0)
    }
}

impl Action {
    fn check(&self) -> Result<(), CoreError> {
        match self.kind {
            ActionKind::Move | ActionKind::Copy => folder(&self.value),
            ActionKind::Keyword => keyword(&self.value),
            ActionKind::Forward => crate::accounts::validate_email(&self.value)
                .map(|_| ())
                .map_err(|_| invalid(format!("`{}` is not an email address.", self.value))),
            _ => Ok(()),
        }
    }
}

impl Rule {
    /// The rule as it will be kept: trimmed, checked, addresses in lower case.
    pub fn checked(mut self) -> Result<Rule, CoreError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(invalid("A rule needs a name."));
        }
        if self.name.chars().count() > MAX_NAME_CHARS {
            return Err(invalid(format!(
                "A rule's name has at most {MAX_NAME_CHARS} characters."
            )));
        }
        if self.conditions.len() > MAX_CONDITIONS || self.actions.len() > MAX_ACTIONS {
            return Err(invalid(format!(
                "A rule has at most {MAX_CONDITIONS} conditions and {MAX_ACTIONS} actions."
            )));
        }
        if self.actions.is_empty() {
            return Err(invalid("A rule needs at least one action."));
        }
        for c in &mut self.conditions {
            c.header = c.header.trim().to_owned();
            if c.field != Field::Header {
                c.header.clear();
            }
            c.check()?;
        }
        for a in &mut self.actions {
            match a.kind {
                ActionKind::Forward => a.value = crate::accounts::validate_email(&a.value)?,
                ActionKind::Move | ActionKind::Copy | ActionKind::Keyword => {
                    a.value = a.value.trim().to_owned()
                }
                _ => a.value.clear(),
            }
            a.check()?;
        }
        Ok(self)
    }

    /// The addresses it forwards to.
    pub fn forwards(&self) -> impl Iterator<Item = &str> {
        self.actions
            .iter()
            .filter(|a| a.kind == ActionKind::Forward)
            .map(|a| a.value.as_str())
    }
}

/// Checks a whole list.
pub fn checked(rules: Vec<Rule>) -> Result<Vec<Rule>, CoreError> {
    if rules.len() > MAX_RULES {
        return Err(invalid(format!("At most {MAX_RULES} rules.")));
    }
    rules.into_iter().map(Rule::checked).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn rule(conditions: Vec<Condition>, actions: Vec<Action>) -> Rule {
        Rule {
            name: "Test".into(),
            enabled: true,
            match_all: true,
            conditions,
            actions,
        }
    }

    fn cond(field: Field, op: Op, value: &str) -> Condition {
        Condition {
            field,
            header: String::new(),
            op,
            value: value.into(),
        }
    }

    fn act(kind: ActionKind, value: &str) -> Action {
        Action {
            kind,
            value: value.into(),
        }
    }

    #[test]
    fn values_that_do_not_fit_are_refused() {
        let bad = [
            rule(
                vec![cond(Field::From, Op::Contains, "a\r\nb")],
                vec![act(ActionKind::Stop, "")],
            ),
            rule(
                vec![cond(Field::Size, Op::Contains, "10")],
                vec![act(ActionKind::Stop, "")],
            ),
            rule(
                vec![cond(Field::Size, Op::Over, "ten")],
                vec![act(ActionKind::Stop, "")],
            ),
            rule(
                vec![cond(Field::Body, Op::Matches, "*")],
                vec![act(ActionKind::Stop, "")],
            ),
            rule(
                vec![cond(Field::Header, Op::Is, "x")],
                vec![act(ActionKind::Stop, "")],
            ),
            rule(vec![], vec![act(ActionKind::Move, "In\nbox")]),
            rule(vec![], vec![act(ActionKind::Keyword, "two words")]),
            rule(vec![], vec![act(ActionKind::Keyword, "\\Seen")]),
            rule(vec![], vec![act(ActionKind::Forward, "x@y\r\nBcc: z@w")]),
            rule(vec![], vec![]),
        ];
        for r in bad {
            assert!(r.clone().checked().is_err(), "{r:?}");
        }
        let mut header = cond(Field::Header, Op::Is, "x");
        header.header = "List-Id".into();
        let ok = rule(
            vec![header, cond(Field::Size, Op::Under, "100")],
            vec![
                act(ActionKind::Forward, " Bob@Example.TEST "),
                act(ActionKind::Flag, "junk"),
            ],
        )
        .checked();
        let ok = ok.map_err(|e| e.to_string());
        assert!(ok.is_ok(), "{ok:?}");
        if let Ok(r) = ok {
            assert_eq!(r.actions[0].value, "bob@example.test");
            assert_eq!(r.actions[1].value, "");
        }
    }
}
