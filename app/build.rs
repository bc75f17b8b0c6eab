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
//! Supported Fluent: messages, terms without variables (`-brand = …`,
//! referenced as `{ -brand }`), comments, variables and string literals
//! (`{ " " }`, `{ "\u202F" }`; not braces). Selectors, functions and
//! attributes are refused.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;

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

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=locales");
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            eprintln!("the interface's languages (app/locales) have errors:");
            for e in &errors {
                println!("cargo:warning={e}");
                eprintln!("  {e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Vec<String>> {
    let var = |name: &str| std::env::var(name).map_err(|e| vec![format!("{name}: {e}")]);
    let dir = Path::new(&var("CARGO_MANIFEST_DIR")?).join("locales");
    let out = Path::new(&var("OUT_DIR")?).join("locales.rs");
    let code = generate(&read_languages(&dir)?)?;
    std::fs::write(&out, code).map_err(|e| vec![format!("{}: {e}", out.display())])
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
                "{name}: the file's name is not a language code (two or three lower-case letters, such as `de`)"
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

/// A language's code, as the preferences keep it: `de`, `fr`, `ast`.
fn valid_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
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
                "`{id}`: an id is lower case words joined by `_`, not a Rust keyword (it names a field)"
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

/// Rust's keywords, strict and reserved: not usable as a field's name.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn rust_field(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !KEYWORDS.contains(&id)
        && !matches!(id, "lang" | "server_messages")
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
                    let value = fluent_syntax::unicode::unescape_unicode_to_string(value);
                    if value.contains(['{', '}']) {
                        return Err(
                            "a brace cannot be written (in the text, `{name}` is a variable)"
                                .into(),
                        );
                    }
                    text.value.push_str(&value);
                }
                Expression::Inline(InlineExpression::VariableReference { id }) => {
                    text.value.push_str(&format!("{{{}}}", id.name));
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
    for (language, messages) in languages
        .iter()
        .zip(&by_id)
        .filter(|(l, _)| l.code != REFERENCE)
    {
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
        code.push_str(&format!("    {v},\n"));
    }
    code.push_str("}\n\nimpl Locale {\n");
    code.push_str(&format!(
        "    pub const ALL: [Locale; {}] = [{}];\n",
        variants.len(),
        variants
            .iter()
            .map(|v| format!("Locale::{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    code.push_str("\n    pub fn code(self) -> &'static str {\n        match self {\n");
    for (l, v) in languages.iter().zip(&variants) {
        code.push_str(&format!("            Locale::{v} => {:?},\n", l.code));
    }
    code.push_str(
        "        }\n    }\n\n    pub fn texts(self) -> &'static Texts {\n        match self {\n",
    );
    for (l, v) in languages.iter().zip(&variants) {
        code.push_str(&format!(
            "            Locale::{v} => &TEXTS_{},\n",
            l.code.to_uppercase()
        ));
    }
    code.push_str("        }\n    }\n}\n\n");
    code.push_str(
        "/// The interface's words in one language.\npub struct Texts {\n    pub lang: &'static str,\n    \
         /// What the server says in English, and what to show instead.\n    \
         pub server_messages: &'static [(&'static str, &'static str)],\n",
    );
    for f in &fields {
        code.push_str(&format!("    pub {f}: &'static str,\n"));
    }
    code.push_str("}\n");
    for (language, messages) in languages.iter().zip(&by_id) {
        code.push_str(&format!(
            "\nstatic TEXTS_{}: Texts = Texts {{\n    lang: {:?},\n    server_messages: &[\n",
            language.code.to_uppercase(),
            language.code
        ));
        if language.code != REFERENCE {
            for (id, english) in &reference.messages {
                if id.starts_with(SERVER_PREFIX) {
                    code.push_str(&format!(
                        "        ({:?}, {:?}),\n",
                        english.value,
                        messages[id.as_str()].value
                    ));
                }
            }
        }
        code.push_str("    ],\n");
        for f in &fields {
            code.push_str(&format!("    {f}: {:?},\n", messages[f].value));
        }
        code.push_str("};\n");
    }
    Ok(code)
}

/// `en` → `En`.
fn variant(code: &str) -> String {
    let mut chars = code.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
