//! The interface's words, from the Fluent files in `locales/` (one per
//! language, named by its code: `en.ftl`, `fr.ftl`), parsed by Project
//! Fluent's own parser and turned into Rust at build time: a `Locale` enum
//! with a variant per file and a `Texts` struct with a field per message. The
//! browser gets plain strings, no runtime to parse or resolve them.
//!
//! English (`en.ftl`) is the reference. The build fails, naming the file and
//! the message, when another language lacks a message, has one English does
//! not, or uses other variables. A variable `{ $name }` becomes `{name}` in
//! the text, for the interface to fill in. Messages whose id begins with
//! `server-` translate what the server says in English (see
//! `i18n::translate`); every other id is a field of `Texts`.
//!
//! Supported Fluent: messages, terms (`-brand = …`, referenced as
//! `{ -brand }`), comments, variables and string literals (`{ " " }`,
//! `{ "\u202F" }`). Selectors, functions and attributes are refused.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

const REFERENCE: &str = "en";
const SERVER_PREFIX: &str = "server-";

/// One message: its text (variables as `{name}`) and its variables.
struct Text {
    value: String,
    variables: BTreeSet<String>,
}

struct Language {
    code: String,
    /// In the file's order.
    messages: Vec<(String, Text)>,
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let dir =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("locales");
    let out = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("locales.rs");
    match read_languages(&dir).and_then(|languages| generate(&languages)) {
        Ok(code) => std::fs::write(&out, code).expect("OUT_DIR is writable"),
        Err(errors) => {
            for e in &errors {
                println!("cargo:warning={e}");
            }
            panic!(
                "the interface's languages (app/locales) have errors:\n{}",
                errors.join("\n")
            );
        }
    }
}

fn read_languages(dir: &Path) -> Result<Vec<Language>, Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| vec![format!("{}: {e}", dir.display())])?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    let mut languages = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let code = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let name = format!("locales/{code}.ftl");
        if !valid_code(&code) {
            errors.push(format!(
                "{name}: the file's name is not a language code (such as `de` or `pt-BR`)"
            ));
            continue;
        }
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        match read_language(&source) {
            Ok(messages) => languages.push(Language { code, messages }),
            Err(es) => errors.extend(es.into_iter().map(|e| format!("{name}: {e}"))),
        }
    }
    if !languages.iter().any(|l| l.code == REFERENCE) {
        errors.push(format!(
            "locales/{REFERENCE}.ftl is missing: it is the reference language"
        ));
    }
    if errors.is_empty() {
        // The reference first: it is `Locale`'s first variant.
        languages.sort_by_key(|l| (l.code != REFERENCE, l.code.clone()));
        Ok(languages)
    } else {
        Err(errors)
    }
}

fn valid_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn read_language(source: &str) -> Result<Vec<(String, Text)>, Vec<String>> {
    let resource = fluent_syntax::parser::parse(source).map_err(|(_, errors)| {
        errors
            .iter()
            .map(|e| {
                let line = source[..e.pos.start.min(source.len())]
                    .matches('\n')
                    .count()
                    + 1;
                format!("line {line}: {}", e.kind)
            })
            .collect::<Vec<_>>()
    })?;
    let terms: HashMap<&str, &Pattern<&str>> = resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Term(t) => Some((t.id.name, &t.value)),
            _ => None,
        })
        .collect();
    let mut messages = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in &resource.body {
        let Entry::Message(m) = entry else {
            continue;
        };
        let id = m.id.name;
        if !seen.insert(id) {
            errors.push(format!("`{id}` is defined twice"));
        }
        if !m.attributes.is_empty() {
            errors.push(format!("`{id}`: attributes are not supported"));
        }
        if !id.starts_with(SERVER_PREFIX) && !rust_field(id) {
            errors.push(format!(
                "`{id}`: an id is lower case words joined by `_` (it names a field)"
            ));
        }
        let Some(pattern) = &m.value else {
            errors.push(format!("`{id}` has no text"));
            continue;
        };
        let mut text = Text {
            value: String::new(),
            variables: BTreeSet::new(),
        };
        match flatten(pattern, &terms, &mut text, 0) {
            Ok(()) => messages.push((id.to_owned(), text)),
            Err(e) => errors.push(format!("`{id}`: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(messages)
    } else {
        Err(errors)
    }
}

fn rust_field(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !matches!(
            id,
            "lang" | "server_messages" | "type" | "match" | "move" | "ref" | "self"
        )
}

fn flatten(
    pattern: &Pattern<&str>,
    terms: &HashMap<&str, &Pattern<&str>>,
    text: &mut Text,
    depth: usize,
) -> Result<(), String> {
    if depth > 8 {
        return Err("terms refer to each other in a loop".into());
    }
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => text.value.push_str(value),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(InlineExpression::StringLiteral { value }) => {
                    text.value
                        .push_str(&fluent_syntax::unicode::unescape_unicode_to_string(value));
                }
                Expression::Inline(InlineExpression::VariableReference { id }) => {
                    write!(text.value, "{{{}}}", id.name).expect("writing to a String");
                    text.variables.insert(id.name.to_owned());
                }
                Expression::Inline(InlineExpression::TermReference {
                    id,
                    attribute: None,
                    arguments: None,
                }) => {
                    let term = terms
                        .get(id.name)
                        .ok_or_else(|| format!("no term `-{}`", id.name))?;
                    flatten(term, terms, text, depth + 1)?;
                }
                Expression::Inline(InlineExpression::Placeable { expression }) => {
                    let inner = Pattern {
                        elements: vec![PatternElement::Placeable {
                            expression: (**expression).clone(),
                        }],
                    };
                    flatten(&inner, terms, text, depth + 1)?;
                }
                _ => {
                    return Err(
                        "only text, variables, terms and string literals are supported".into(),
                    )
                }
            },
        }
    }
    Ok(())
}

fn generate(languages: &[Language]) -> Result<String, Vec<String>> {
    let reference = &languages[0];
    let mut errors = Vec::new();
    let by_id: Vec<HashMap<&str, &Text>> = languages
        .iter()
        .map(|l| l.messages.iter().map(|(id, t)| (id.as_str(), t)).collect())
        .collect();
    for (language, messages) in languages.iter().zip(&by_id).skip(1) {
        let file = format!("locales/{}.ftl", language.code);
        for (id, english) in &reference.messages {
            match messages.get(id.as_str()) {
                None => errors.push(format!("{file}: `{id}` is missing")),
                Some(t) if t.variables != english.variables => errors.push(format!(
                    "{file}: `{id}` uses {:?}, English {:?}",
                    t.variables, english.variables
                )),
                Some(_) => {}
            }
        }
        for (id, _) in &language.messages {
            if !by_id[0].contains_key(id.as_str()) {
                errors.push(format!("{file}: `{id}` is not in locales/{REFERENCE}.ftl"));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let fields: Vec<&str> = reference
        .messages
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| !id.starts_with(SERVER_PREFIX))
        .collect();
    let variants: Vec<String> = languages.iter().map(|l| variant(&l.code)).collect();
    let mut code = String::from("// Generated by app/build.rs from app/locales/*.ftl.\n\n");
    code.push_str(
        "/// A language of the interface: one per file in `app/locales`.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Locale {\n",
    );
    for v in &variants {
        writeln!(code, "    {v},").expect("writing to a String");
    }
    code.push_str("}\n\nimpl Locale {\n");
    writeln!(
        code,
        "    pub const ALL: [Locale; {}] = [{}];",
        variants.len(),
        variants
            .iter()
            .map(|v| format!("Locale::{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
    .expect("writing to a String");
    code.push_str("\n    pub fn code(self) -> &'static str {\n        match self {\n");
    for (l, v) in languages.iter().zip(&variants) {
        writeln!(code, "            Locale::{v} => {:?},", l.code).expect("writing to a String");
    }
    code.push_str(
        "        }\n    }\n\n    pub fn texts(self) -> &'static Texts {\n        match self {\n",
    );
    for (l, v) in languages.iter().zip(&variants) {
        writeln!(
            code,
            "            Locale::{v} => &TEXTS_{},",
            l.code.replace('-', "_").to_uppercase()
        )
        .expect("writing to a String");
    }
    code.push_str("        }\n    }\n}\n\n");
    code.push_str(
        "/// The interface's words in one language.\npub struct Texts {\n    pub lang: &'static str,\n    \
         /// What the server says in English, and what to show instead.\n    \
         pub server_messages: &'static [(&'static str, &'static str)],\n",
    );
    for f in &fields {
        writeln!(code, "    pub {f}: &'static str,").expect("writing to a String");
    }
    code.push_str("}\n");
    for (language, messages) in languages.iter().zip(&by_id) {
        writeln!(
            code,
            "\nstatic TEXTS_{}: Texts = Texts {{\n    lang: {:?},\n    server_messages: &[",
            language.code.replace('-', "_").to_uppercase(),
            language.code
        )
        .expect("writing to a String");
        if language.code != REFERENCE {
            for (id, english) in &reference.messages {
                if id.starts_with(SERVER_PREFIX) {
                    writeln!(
                        code,
                        "        ({:?}, {:?}),",
                        english.value,
                        messages[id.as_str()].value
                    )
                    .expect("writing to a String");
                }
            }
        }
        code.push_str("    ],\n");
        for f in &fields {
            writeln!(code, "    {f}: {:?},", messages[f].value).expect("writing to a String");
        }
        code.push_str("};\n");
    }
    Ok(code)
}

/// `en` → `En`, `pt-BR` → `PtBr`.
fn variant(code: &str) -> String {
    code.split('-')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
