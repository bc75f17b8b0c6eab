//! The user's Sieve script as Estafette writes it: readable Sieve, with a
//! marker comment before each part that holds the part's settings, so that
//! Estafette reads its own rules back. A script is Estafette's only if
//! writing its markers again gives the very same text: one edited elsewhere
//! is shown as text and left as it is.
//!
//! Every value goes into the script as a Sieve quoted string (backslash and
//! double quote escaped); the markers are JSON on one comment line, so no
//! line break of a name can end the comment.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::rules::{ActionKind, Condition, Field, Op, Rule};
use super::vacation::Vacation;

/// The name of the script Estafette writes.
pub const SCRIPT_NAME: &str = "estafette";

const HEADER: &str = "# Estafette's filters, made in Settings → Filters. Estafette reads them back\n# from the `estafette:` lines; a script changed elsewhere is left as it is.\n";
const RULE: &str = "# estafette:rule ";
const VACATION: &str = "# estafette:vacation ";
const INCLUDE: &str = "# estafette:include ";

/// What Estafette's script holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub vacation: Option<Vacation>,
    pub rules: Vec<Rule>,
    /// Another script, written elsewhere, that runs after these rules.
    pub include: Option<String>,
}

/// A Sieve quoted string.
pub fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A name on one comment line: line breaks and other controls become spaces.
fn comment_text(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn marker<T: serde::Serialize>(prefix: &str, value: &T) -> String {
    // serde_json escapes every control character: the marker is one line.
    let json = serde_json::to_string(value).unwrap_or_default();
    format!("{prefix}{json}\n")
}

fn test(c: &Condition) -> String {
    let value = quoted(&c.value);
    let match_type = match c.op {
        Op::Is => ":is",
        Op::Matches => ":matches",
        _ => ":contains",
    };
    let exact = matches!(c.op, Op::Is | Op::Matches);
    let positive = match c.field {
        // Exact tests look at the addresses; "contains" at the whole header,
        // names included.
        Field::From if exact => format!("address :all {match_type} \"from\" {value}"),
        Field::ToCc if exact => format!("address :all {match_type} [\"to\", \"cc\"] {value}"),
        Field::From => format!("header {match_type} \"from\" {value}"),
        Field::ToCc => format!("header {match_type} [\"to\", \"cc\"] {value}"),
        Field::Subject => format!("header {match_type} \"subject\" {value}"),
        Field::Header => format!("header {match_type} {} {value}", quoted(&c.header)),
        Field::Body => format!("body :text :contains {value}"),
        Field::Size => {
            let over = if c.op == Op::Over { ":over" } else { ":under" };
            return format!("size {over} {}K", c.kilobytes());
        }
    };
    if c.op == Op::NotContains {
        format!("not {positive}")
    } else {
        positive
    }
}

fn rule_code(rule: &Rule, out: &mut String) {
    let tests: Vec<String> = rule.conditions.iter().map(test).collect();
    let condition = match tests.len() {
        0 => "true".to_owned(),
        1 => tests[0].clone(),
        _ => {
            let all = if rule.match_all { "allof" } else { "anyof" };
            format!("{all} (\n    {}\n)", tests.join(",\n    "))
        }
    };
    let _ = writeln!(out, "if {condition} {{");
    let mut actions: Vec<_> = rule.actions.iter().collect();
    actions.sort_by_key(|a| a.kind);
    for a in actions {
        let line = match a.kind {
            ActionKind::MarkRead => "addflag \"\\\\Seen\";".to_owned(),
            ActionKind::Flag => "addflag \"\\\\Flagged\";".to_owned(),
            ActionKind::Keyword => format!("addflag {};", quoted(&a.value)),
            ActionKind::Forward => format!("redirect :copy {};", quoted(&a.value)),
            ActionKind::Copy => format!("fileinto :copy {};", quoted(&a.value)),
            ActionKind::Move => format!("fileinto {};", quoted(&a.value)),
            ActionKind::Discard => "discard;".to_owned(),
            ActionKind::Stop => "stop;".to_owned(),
        };
        let _ = writeln!(out, "    {line}");
    }
    out.push_str("}\n");
}

/// The extensions a script of these parts needs.
fn requires(parts: &Parts) -> BTreeSet<&'static str> {
    let mut needs = BTreeSet::new();
    if let Some(v) = parts.vacation.as_ref().filter(|v| v.enabled) {
        needs.insert("vacation");
        if v.has_dates() {
            needs.extend(["date", "relational"]);
        }
    }
    for rule in parts.rules.iter().filter(|r| r.enabled) {
        if rule.conditions.iter().any(|c| c.field == Field::Body) {
            needs.insert("body");
        }
        for a in &rule.actions {
            needs.extend(match a.kind {
                ActionKind::MarkRead | ActionKind::Flag | ActionKind::Keyword => {
                    &["imap4flags"][..]
                }
                ActionKind::Forward => &["copy"][..],
                ActionKind::Copy => &["fileinto", "copy"][..],
                ActionKind::Move => &["fileinto"][..],
                ActionKind::Discard | ActionKind::Stop => &[][..],
            });
        }
    }
    if parts.include.is_some() {
        needs.insert("include");
    }
    needs
}

/// The script of these parts.
pub fn generate(parts: &Parts) -> String {
    let mut out = HEADER.to_owned();
    let needs = requires(parts);
    if !needs.is_empty() {
        let list: Vec<String> = needs.iter().map(|n| quoted(n)).collect();
        let _ = writeln!(out, "require [{}];", list.join(", "));
    }
    if let Some(v) = &parts.vacation {
        out.push('\n');
        out.push_str(&marker(VACATION, v));
        if v.enabled {
            out.push_str(&super::vacation::code(v));
        }
    }
    for (i, rule) in parts.rules.iter().enumerate() {
        out.push('\n');
        let state = if rule.enabled { "" } else { " (off)" };
        let _ = writeln!(out, "# Rule {}: {}{state}", i + 1, comment_text(&rule.name));
        out.push_str(&marker(RULE, rule));
        if rule.enabled {
            rule_code(rule, &mut out);
        }
    }
    if let Some(name) = &parts.include {
        out.push('\n');
        out.push_str(&marker(INCLUDE, name));
        let _ = writeln!(out, "include :personal {};", quoted(name));
    }
    out
}

/// The parts of a script Estafette wrote and nobody changed since; `None`
/// for any other script.
pub fn read(script: &str) -> Option<Parts> {
    if !script.starts_with(HEADER) {
        return None;
    }
    let mut parts = Parts::default();
    for line in script.lines() {
        if let Some(json) = line.strip_prefix(RULE) {
            parts.rules.push(serde_json::from_str(json).ok()?);
        } else if let Some(json) = line.strip_prefix(VACATION) {
            parts.vacation = Some(serde_json::from_str(json).ok()?);
        } else if let Some(json) = line.strip_prefix(INCLUDE) {
            parts.include = Some(serde_json::from_str(json).ok()?);
        }
    }
    (generate(&parts) == script).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filters::rules::{Action, Condition};

    fn sample() -> Parts {
        Parts {
            vacation: None,
            rules: vec![
                Rule {
                    name: "Lists\r\nkeep;\r\n# x".into(),
                    enabled: true,
                    match_all: false,
                    conditions: vec![
                        Condition {
                            field: Field::Header,
                            header: "List-Id".into(),
                            op: Op::Contains,
                            value: "a\"b\\c".into(),
                        },
                        Condition {
                            field: Field::From,
                            header: String::new(),
                            op: Op::Is,
                            value: "x@example.test".into(),
                        },
                    ],
                    actions: vec![
                        Action {
                            kind: ActionKind::Move,
                            value: "Lists\"; discard; \"".into(),
                        },
                        Action {
                            kind: ActionKind::MarkRead,
                            value: String::new(),
                        },
                    ],
                },
                Rule {
                    name: "Off".into(),
                    enabled: false,
                    match_all: true,
                    conditions: vec![],
                    actions: vec![Action {
                        kind: ActionKind::Discard,
                        value: String::new(),
                    }],
                },
            ],
            include: Some("roundcube".into()),
        }
    }

    #[test]
    fn writes_readable_sieve_and_reads_it_back() {
        let script = generate(&sample());
        assert!(
            script.contains("require [\"fileinto\", \"imap4flags\", \"include\"];"),
            "{script}"
        );
        assert!(script.contains(
            "if anyof (\n    header :contains \"List-Id\" \"a\\\"b\\\\c\",\n    address :all :is \"from\" \"x@example.test\"\n) {\n    addflag \"\\\\Seen\";\n    fileinto \"Lists\\\"; discard; \\\"\";\n}\n"
        ), "{script}");
        assert!(script.contains("# Rule 2: Off (off)\n"));
        assert!(
            !script.contains("discard;\n}"),
            "a rule that is off has no code"
        );
        assert!(script.ends_with("include :personal \"roundcube\";\n"));
        assert_eq!(read(&script), Some(sample()));
    }

    #[test]
    fn a_name_cannot_leave_its_comment() {
        let script = generate(&sample());
        // Every line that is not Sieve Estafette wrote is a comment.
        for line in script.lines() {
            assert!(
                !line.trim_start().starts_with("keep;"),
                "a name broke out of its comment: {script}"
            );
        }
        assert!(script.contains("# Rule 1: Lists  keep;  # x\n"), "{script}");
    }

    #[test]
    fn a_script_changed_elsewhere_is_not_estafettes() {
        let script = generate(&sample());
        assert_eq!(read(&script.replace("fileinto", "fileinto :copy")), None);
        assert_eq!(read(&format!("{script}keep;\n")), None);
        assert_eq!(read("require \"fileinto\";\nfileinto \"x\";\n"), None);
        assert_eq!(read(&script.replacen("Lists", "Other", 1)), None);
    }
}
