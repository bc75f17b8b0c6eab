//! The keyboard shortcuts: one table for the mail page, the message view and
//! the `?` help (PRODUCT's keys). A page asks what a key means and does it;
//! the help lists the same table.

use crate::i18n::Texts;

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Compose,
    Search,
    Next,
    Previous,
    Open,
    Archive,
    Delete,
    ToggleFlag,
    MarkUnread,
    /// Thunderbird's label 1 to 5, added or removed.
    Label(u32),
    Help,
}

use Command::*;

/// Every shortcut, in the order the help lists them.
const KEYS: &[(&str, Command)] = &[
    ("c", Compose),
    ("/", Search),
    ("j", Next),
    ("k", Previous),
    ("Enter", Open),
    ("e", Archive),
    ("#", Delete),
    ("s", ToggleFlag),
    ("u", MarkUnread),
    ("1", Label(1)),
    ("2", Label(2)),
    ("3", Label(3)),
    ("4", Label(4)),
    ("5", Label(5)),
    ("?", Help),
];

/// What `key` (a `KeyboardEvent.key`) does, if anything.
#[cfg(any(feature = "hydrate", test))]
pub fn command(key: &str) -> Option<Command> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

impl Command {
    /// What the help says it does.
    pub fn describe(self, t: &Texts) -> &'static str {
        match self {
            Compose => t.key_compose,
            Search => t.key_search,
            Next | Previous => t.key_next_previous,
            Open => t.key_open,
            Archive => t.archive,
            Delete => t.delete,
            ToggleFlag => t.key_flag,
            MarkUnread => t.mark_unread,
            Label(_) => t.key_label,
            Help => t.key_help,
        }
    }

    /// The key that does it, for a button's tooltip.
    pub fn key(self) -> &'static str {
        KEYS.iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(k, _)| *k)
    }
}

/// A button's tooltip: what it does, and the key that does the same.
pub fn tip(label: &str, command: Command) -> String {
    format!("{label} ({})", command.key())
}

/// The help's lines: keys that are described alike shown together
/// (`j / k`, `1 … 5`).
pub fn help(t: &Texts) -> Vec<(String, &'static str)> {
    let mut lines: Vec<(Vec<&str>, &'static str)> = Vec::new();
    for (key, command) in KEYS {
        let what = command.describe(t);
        match lines.last_mut() {
            Some((keys, said)) if *said == what => keys.push(key),
            _ => lines.push((vec![key], what)),
        }
    }
    lines
        .into_iter()
        .map(|(keys, what)| {
            let shown = match keys.as_slice() {
                [one] => (*one).to_owned(),
                [a, b] => format!("{a} / {b}"),
                [first, .., last] => format!("{first} … {last}"),
                [] => String::new(),
            };
            (shown, what)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn the_help_lists_every_key_of_the_table() {
        let t = Locale::En.texts();
        let help = help(t);
        let shown: Vec<&str> = help.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            shown,
            ["c", "/", "j / k", "Enter", "e", "#", "s", "u", "1 … 5", "?"]
        );
        for (key, c) in KEYS {
            assert_eq!(command(key), Some(*c));
            assert!(help.iter().any(|(_, what)| *what == c.describe(t)));
        }
        assert_eq!(command("x"), None);
        assert_eq!(tip("Archive", Archive), "Archive (e)");
    }
}
