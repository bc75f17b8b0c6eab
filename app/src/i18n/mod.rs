//! Every string of the interface, per language. A language is one Fluent
//! file in `app/locales` (`en.ftl`, `fr.ftl`), which the build turns into a
//! `Locale` variant and a `Texts` value (see `app/build.rs`): a message
//! missing from a language fails the build, and adding a language is adding
//! a file.
//!
//! The locale is the account's preference (the browser's `Accept-Language`
//! until one is recorded), rendered by the server and carried to the browser
//! with the other preferences, so that both sides render the same words.

use leptos::prelude::*;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

impl Locale {
    /// The language of a tag (`fr`, `fr-CA`, `fr_ca`): the one of that exact
    /// code, or else of its primary language.
    pub fn from_code(code: &str) -> Option<Locale> {
        let code = code.trim().replace('_', "-");
        let find = |c: &str| {
            Locale::ALL
                .into_iter()
                .find(|l| l.code().eq_ignore_ascii_case(c))
        };
        find(&code).or_else(|| find(code.split('-').next()?))
    }

    /// The best language of an `Accept-Language` header (by q-value, then order).
    #[cfg(feature = "ssr")]
    pub fn negotiate(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or_default();
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::from_code(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or(Locale::En)
    }
}

/// The language in force (chosen by the preferences, see `crate::prefs`).
pub fn current() -> Locale {
    use_context::<RwSignal<Locale>>()
        .map(|l| l.get_untracked())
        .unwrap_or(Locale::En)
}

/// The current language's strings. Read once by each component: when the
/// language changes, the application is rendered anew (see `App`).
pub fn use_texts() -> &'static Texts {
    current().texts()
}

/// A message from the server in the language of `t`: the first template of
/// `t.server_messages` it fits, its values (`{name}` in the templates)
/// carried over; as it came otherwise.
pub fn translate(message: &str, t: &Texts) -> String {
    t.server_messages
        .iter()
        .find_map(|(english, local)| {
            let values = fit(english, message)?;
            // In one pass: a value is never read as a template.
            let (first, rest) = pieces(local);
            let mut out = first.to_owned();
            for (name, text) in rest {
                let value = values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("", |(_, v)| v);
                out.push_str(value);
                out.push_str(text);
            }
            Some(out)
        })
        .unwrap_or_else(|| message.to_owned())
}

/// A template's pieces: text, then a variable's name and more text, in turn.
fn pieces(template: &str) -> (&str, Vec<(&str, &str)>) {
    let mut parts = template.split('{');
    let first = parts.next().unwrap_or_default();
    let rest = parts
        .map(|p| p.split_once('}').unwrap_or((p, "")))
        .collect();
    (first, rest)
}

/// The values, by name, that make `message` out of `template`, if it fits.
fn fit<'t, 'm>(template: &'t str, message: &'m str) -> Option<Vec<(&'t str, &'m str)>> {
    let (first, variables) = pieces(template);
    let mut rest = message.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, (name, piece)) in variables.iter().enumerate() {
        let at = if i + 1 == variables.len() {
            // The last piece ends the message.
            rest.strip_suffix(piece).map(str::len)?
        } else {
            rest.find(piece)?
        };
        values.push((*name, &rest[..at]));
        rest = &rest[at + piece.len()..];
    }
    rest.is_empty().then_some(values)
}

/// A whole number with the language's digit grouping (`12,345`, `12 345`).
pub fn number(n: u64) -> String {
    number_in(n, use_texts())
}

/// A size in the user's language (`1.5 MB`, `1,5 Mo`, `10 GB`).
pub fn human_size(bytes: u64) -> String {
    let t = use_texts();
    let tenths = |unit: u64| (bytes as f64 / unit as f64 * 10.0).round() as u64;
    let decimal = |tenths: u64, unit: &str| {
        if tenths.is_multiple_of(10) {
            format!("{} {unit}", number(tenths / 10))
        } else {
            format!(
                "{}{}{} {unit}",
                number(tenths / 10),
                t.decimal_mark,
                tenths % 10
            )
        }
    };
    match bytes {
        b if b < 1024 => format!("{b} {}", t.unit_bytes),
        b if b < 1 << 20 => format!("{} {}", number(b / 1024), t.unit_kb),
        b if b < 1 << 30 => decimal(tenths(1 << 20), t.unit_mb),
        _ => decimal(tenths(1 << 30), t.unit_gb),
    }
}

/// A whole number with the digit grouping of the language of `t`.
pub fn number_in(n: u64, t: &Texts) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(t.thousands_separator);
        }
        out.push(c);
    }
    out
}

/// `template` with each `{name}` of `values` filled in, in one pass (a
/// value is never read as a template).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_never_read_as_a_template() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{unknown} {a", &[("a", "1")]), "{unknown} {a");
    }

    #[test]
    fn negotiates_the_browser_language() {
        assert_eq!(Locale::negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Locale::Fr);
        // (Klingon, `tlh`, stands for a language the interface lacks.)
        assert_eq!(Locale::negotiate("tlh-KL,en;q=0.5,fr;q=0.7"), Locale::Fr);
        assert_eq!(Locale::negotiate("tlh-KL"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::from_code("FR_ca"), Some(Locale::Fr));
        assert_eq!(Locale::from_code("fr"), Some(Locale::Fr));
        assert_eq!(Locale::from_code("tlh"), None);
    }

    #[test]
    fn every_language_fills_every_string() {
        for l in Locale::ALL {
            let t = l.texts();
            assert_eq!(t.lang, l.code());
            for s in [
                t.email,
                t.password,
                t.sign_in,
                t.authentication_code,
                t.verify,
                t.enable,
            ] {
                assert!(!s.trim().is_empty());
            }
            assert!(
                t.error_locked.contains("{seconds}"),
                "the lock message shows the seconds"
            );
        }
        assert_ne!(Locale::Fr.texts().password, Locale::En.texts().password);
    }

    /// The refusals the domain words for users (`CoreError::Invalid` and
    /// the `invalid(…)` helpers, outside its tests; not the operator's
    /// configuration and key files), as written in `core/src`.
    fn domain_refusals() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src");
        let mut files = Vec::new();
        walk(&root, &mut files);
        let mut found = Vec::new();
        for file in files {
            let name = file.display().to_string();
            if name.ends_with("config.rs") || name.ends_with("keys.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            for (at, _) in code.match_indices("nvalid(") {
                let Some(called) = code[..at].chars().last() else {
                    continue;
                };
                let before = &code[..at - called.len_utf8()];
                let domain = called == 'I' && before.ends_with("CoreError::");
                let helper = called == 'i'
                    && !before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                    && !before.ends_with("fn ");
                if !(domain || helper) {
                    continue;
                }
                let rest = code[at + 7..].trim_start();
                let rest = rest.strip_prefix("format!(").unwrap_or(rest).trim_start();
                let Some(literal) = rest.strip_prefix('"') else {
                    continue;
                };
                let mut text = String::new();
                let mut chars = literal.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '"' => break,
                        c => text.push(c),
                    }
                }
                found.push((name.clone(), text));
            }
        }
        found
    }

    #[test]
    fn every_refusal_of_the_domain_is_in_every_language() {
        let refusals = domain_refusals();
        assert!(refusals.len() > 50, "the scan finds the domain's refusals");
        for (file, template) in refusals {
            // What a user would read: each value filled in.
            let mut message = String::new();
            let (first, rest) = pieces(&template);
            message.push_str(first);
            for (_, after) in rest {
                message.push('X');
                message.push_str(after);
            }
            // English is the text itself; every other language translates it.
            for l in Locale::ALL.iter().filter(|l| l.code() != "en") {
                let known = l
                    .texts()
                    .server_messages
                    .iter()
                    .any(|(english, _)| fit(english, &message).is_some());
                assert!(
                    known,
                    "{file}: {template:?} has no server- message in {}",
                    l.code()
                );
            }
        }
    }

    #[test]
    fn a_language_is_a_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("app/locales")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".ftl").map(str::to_owned))
            .collect();
        files.sort();
        let mut codes: Vec<String> = Locale::ALL.map(|l| l.code().to_owned()).to_vec();
        codes.sort();
        assert_eq!(codes, files);
        assert_eq!(Locale::ALL[0], Locale::En, "English is the reference");
    }

    #[test]
    fn server_messages_are_translated_with_their_values() {
        let fr = Locale::Fr.texts();
        assert_eq!(
            translate("To: `bob@` is not an email address.", fr),
            "À : « bob@ » n’est pas une adresse e-mail."
        );
        assert_eq!(
            translate("A message can carry at most 25 MB of attachments.", fr),
            "Un message peut porter au plus 25 Mo de pièces jointes."
        );
        assert_eq!(
            translate("Add at least one recipient.", fr),
            "Ajoutez au moins un destinataire."
        );
        assert_eq!(
            translate(
                "A message can have at most 1000 recipients a day; this one has 1200.",
                fr
            ),
            "Un message peut avoir au plus 1000 destinataires par jour ; celui-ci en a 1200."
        );
        assert_eq!(
            translate("Something nobody wrote down.", fr),
            "Something nobody wrote down.",
            "unknown messages come as they are"
        );
        assert_eq!(
            translate("Add at least one recipient. Or two.", fr),
            "Add at least one recipient. Or two."
        );
        let en = Locale::En.texts();
        assert_eq!(
            translate("Add at least one recipient.", en),
            "Add at least one recipient."
        );
        assert_eq!(
            translate("Unknown theme: neon.", fr),
            "Valeur inconnue (theme) : neon.",
            "two values, each where the template names it"
        );
        assert_eq!(
            translate("Unknown {value}: neon.", fr),
            "Valeur inconnue ({value}) : neon.",
            "a value is not read as a template"
        );
        for t in Locale::ALL.map(Locale::texts) {
            for (english, local) in t.server_messages {
                let names = |s: &str| {
                    let mut n: Vec<String> =
                        pieces(s).1.iter().map(|(n, _)| n.to_string()).collect();
                    n.sort();
                    n
                };
                assert_eq!(names(english), names(local), "{english} / {local}");
            }
        }
    }
}
