//! Domains made to pass for others: Unicode confusables (the UTS 39
//! skeleton of the decoded name, which also catches `rn`→`m`, `1`→`l`,
//! `0`→`o`, `vv`→`w`), labels that mix scripts, and names one edit away.
//! Compared with the reader's own domains, the domains they correspond
//! with, and the brands most impersonated (`brands.txt`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use unicode_security::{skeleton, MixedScript};

use crate::domain;

/// Labels shorter than this are never compared by edit distance: `ups` and
/// `ubs`, `apple` and `apply` are different firms.
pub const MIN_EDIT_LABEL: usize = 6;
/// The reader's own domain is worth a closer look: from five letters.
pub const MIN_EDIT_LABEL_OWN: usize = 5;

/// The most impersonated brands' domains, one a line.
pub const BRANDS: &str = include_str!("brands.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    /// Reads the same as a known domain (homoglyphs, `rn` for `m`, …).
    Confusable,
    /// One letter added, removed, changed or two swapped.
    OneEdit,
    /// Letters of several scripts in one label, imitating nothing known.
    MixedScript,
}

impl Technique {
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::Confusable => "confusable",
            Technique::OneEdit => "one-edit",
            Technique::MixedScript => "mixed-script",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// The host as the reader sees it (decoded).
    pub domain: String,
    /// Its ASCII form (punycode).
    pub ascii: String,
    /// The known domain it imitates (decoded).
    pub imitates: Option<String>,
    pub technique: Technique,
    /// Some label mixes scripts (Latin and Cyrillic, …).
    pub mixed_script: bool,
}

#[derive(Debug)]
struct Entry {
    ascii: String,
    label: Vec<char>,
    suffix: String,
    min_edit: usize,
}

/// What a name is folded to before comparing: the confusable skeleton,
/// lowercased, with `i` read as `l` (an uppercase `I` looks like `l`).
fn fold(s: &str) -> String {
    let lower = s.to_lowercase();
    skeleton(&lower)
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'i' { 'l' } else { c })
        .collect()
}

fn entry(ascii: &str, min_edit: usize) -> (Entry, String) {
    let unicode = domain::to_unicode(ascii);
    let (label, suffix) = domain::split_suffix(&unicode);
    (
        Entry {
            ascii: ascii.to_owned(),
            label: label.chars().collect(),
            suffix: suffix.to_owned(),
            min_edit,
        },
        fold(&unicode),
    )
}

#[derive(Debug, Default)]
struct Set {
    entries: Vec<Entry>,
    skeletons: HashMap<String, usize>,
    exact: HashSet<String>,
}

impl Set {
    fn add(&mut self, ascii: &str, min_edit: usize) {
        if !self.exact.insert(ascii.to_owned()) {
            return;
        }
        let (e, skel) = entry(ascii, min_edit);
        self.skeletons.entry(skel).or_insert(self.entries.len());
        self.entries.push(e);
    }
}

fn brands() -> &'static Set {
    static BRAND_SET: OnceLock<Set> = OnceLock::new();
    BRAND_SET.get_or_init(|| {
        let mut set = Set::default();
        for line in BRANDS.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(ascii) = domain::to_ascii(line) {
                set.add(&ascii, MIN_EDIT_LABEL);
            }
        }
        set
    })
}

/// The domains a message is compared with: the reader's, the known
/// correspondents', and the brands.
#[derive(Debug, Default)]
pub struct Protected {
    own: Set,
}

impl Protected {
    /// `reader` and `known` are registrable ASCII domains.
    pub fn new(reader: &HashSet<String>, known: &HashSet<String>) -> Protected {
        let mut own = Set::default();
        for d in reader {
            own.add(d, MIN_EDIT_LABEL_OWN);
        }
        for d in known {
            own.add(d, MIN_EDIT_LABEL);
        }
        Protected { own }
    }

    fn sets(&self) -> [&Set; 2] {
        [&self.own, brands()]
    }

    /// Whether `host` (ASCII) imitates a protected domain, or mixes scripts.
    pub fn check(&self, host: &str) -> Option<Lookalike> {
        let reg = domain::registrable(host);
        let shown = domain::to_unicode(host);
        let mixed_script = shown
            .split('.')
            .any(|label| !label.is_ascii() && !label.is_single_script());
        let is_known = self.sets().iter().any(|s| s.exact.contains(&reg));
        let found = if is_known {
            None
        } else {
            let reg_unicode = domain::to_unicode(&reg);
            let skel = fold(&reg_unicode);
            let confusable = self
                .sets()
                .into_iter()
                .find_map(|s| s.skeletons.get(&skel).map(|i| &s.entries[*i]));
            match confusable {
                Some(e) => Some((e, Technique::Confusable)),
                None => self.one_edit(&reg_unicode).map(|e| (e, Technique::OneEdit)),
            }
        };
        let (imitates, technique) = match found {
            Some((e, t)) => (Some(domain::to_unicode(&e.ascii)), t),
            None if mixed_script => (None, Technique::MixedScript),
            None => return None,
        };
        Some(Lookalike {
            domain: shown,
            ascii: host.to_owned(),
            imitates,
            technique,
            mixed_script,
        })
    }

    fn one_edit(&self, reg_unicode: &str) -> Option<&Entry> {
        let (label, suffix) = domain::split_suffix(reg_unicode);
        let label: Vec<char> = label.chars().collect();
        self.sets().into_iter().find_map(|s| {
            s.entries.iter().find(|e| {
                e.suffix == suffix
                    && label.len() >= e.min_edit
                    && e.label.len() >= e.min_edit
                    && label.len().abs_diff(e.label.len()) <= 1
                    && one_edit_apart(&label, &e.label)
            })
        })
    }
}

/// Exactly one insertion, deletion, substitution or swap of neighbours
/// (optimal string alignment distance 1).
fn one_edit_apart(a: &[char], b: &[char]) -> bool {
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .min(a.len())
        .min(b.len());
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    match (a.len(), b.len()) {
        (1, 1) | (0, 1) | (1, 0) => true,
        (2, 2) => a[0] == b[1] && a[1] == b[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(reader: &[&str], known: &[&str]) -> Protected {
        let set = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        Protected::new(&set(reader), &set(known))
    }

    fn check(p: &Protected, host: &str) -> Option<Lookalike> {
        p.check(&domain::to_ascii(host).expect("a host"))
    }

    #[test]
    fn the_brand_list_is_long_and_clean() {
        let set = brands();
        assert!(set.entries.len() >= 200, "{}", set.entries.len());
        for e in &set.entries {
            assert_eq!(domain::registrable(&e.ascii), e.ascii, "not registrable");
        }
        let lines = BRANDS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(lines, set.entries.len(), "a line is invalid or repeated");
    }

    #[test]
    fn lookalikes_are_caught() {
        let p = protected(&["example.org"], &["partner-firm.fr"]);
        let table: &[(&str, &str, Technique)] = &[
            ("paypa1.com", "paypal.com", Technique::Confusable),
            ("rnicrosoft.com", "microsoft.com", Technique::Confusable),
            ("xn--pple-43d.com", "apple.com", Technique::Confusable),
            (
                "secure.xn--pple-43d.com",
                "apple.com",
                Technique::Confusable,
            ),
            ("arnazon.com", "amazon.com", Technique::Confusable),
            ("g00gle.com", "google.com", Technique::Confusable),
            ("appIe.com", "apple.com", Technique::Confusable),
            ("paypai.com", "paypal.com", Technique::Confusable),
            ("paypall.com", "paypal.com", Technique::OneEdit),
            ("netfilx.com", "netflix.com", Technique::Confusable),
            ("netflex.com", "netflix.com", Technique::OneEdit),
            ("exarnple.org", "example.org", Technique::Confusable),
            ("exampel.org", "example.org", Technique::OneEdit),
            ("exemple.org", "example.org", Technique::OneEdit),
            ("mail.examples.org", "example.org", Technique::OneEdit),
            ("partner-flrm.fr", "partner-firm.fr", Technique::Confusable),
            ("partnerfirm.fr", "partner-firm.fr", Technique::OneEdit),
        ];
        for (host, imitates, technique) in table {
            let l = check(&p, host);
            assert_eq!(
                l.as_ref().map(|l| (l.imitates.as_deref(), l.technique)),
                Some((Some(*imitates), *technique)),
                "{host}"
            );
        }
        let cyrillic = check(&p, "xn--pple-43d.com").expect("flagged");
        assert_eq!(cyrillic.domain, "\u{430}pple.com");
        assert!(cyrillic.mixed_script);
        // Mixed scripts imitating nothing known are flagged too.
        let mixed = check(&p, "b\u{430}nk-of-somewhere.test").expect("mixed");
        assert_eq!(
            (mixed.technique, mixed.imitates),
            (Technique::MixedScript, None)
        );
    }

    #[test]
    fn ordinary_domains_are_not() {
        let p = protected(&["example.org"], &["ubs.com", "mail.com"]);
        for host in [
            "apple.com",
            "www.apple.com",
            "example.org",
            "lists.example.org",
            "münchen.de",
            "xn--mnchen-3ya.de",
            "яндекс.рф",
            "例え.jp",
            "ubs.com",
            "ups.com",
            "abc.com",
            "apply.com",
            "ample.com",
            "hp.de",
            "mail.com",
            "gmail.com",
            "amazon.de",
            "paypal.co.uk",
            "wikipedia.org",
            "example.net",
            "exam.org",
            "sample.org",
        ] {
            assert_eq!(check(&p, host), None, "{host}");
        }
    }

    #[test]
    fn edits_are_counted_exactly() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(one_edit_apart(&c("paypal"), &c("paypol")));
        assert!(one_edit_apart(&c("paypal"), &c("paypl")));
        assert!(one_edit_apart(&c("paypal"), &c("payppal")));
        assert!(one_edit_apart(&c("paypal"), &c("papyal")));
        assert!(one_edit_apart(&c("aa"), &c("a")));
        assert!(!one_edit_apart(&c("paypal"), &c("paypal")));
        assert!(!one_edit_apart(&c("paypal"), &c("pyapla")));
        assert!(!one_edit_apart(&c("paypal"), &c("paypalxx")));
        assert!(!one_edit_apart(&c("abc"), &c("cba")));
    }
}
