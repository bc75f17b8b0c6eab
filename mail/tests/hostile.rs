//! Hostile input: every XSS vector of the shared corpora, every MIME sample,
//! and generated input. The sanitiser never panics, is idempotent, and its
//! output holds no script, no event handler, no `javascript:` URL, no active
//! element and nothing remote.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use estafette_mail::sanitize::{sanitize_html, Policy};
use estafette_mail::{message, render};
use proptest::prelude::*;

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(
        dir.is_dir(),
        "the shared corpora are missing at {}",
        dir.display()
    );
    dir
}

/// The tags of serialised HTML, with their attributes (names lower-case).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let chars: Vec<char> = html.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '<' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut quote: Option<char> = None;
        while j < chars.len() {
            match (quote, chars[j]) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(chars[j]),
                (None, '>') => break,
                _ => {}
            }
            j += 1;
        }
        let inner: String = chars[i + 1..j.min(chars.len())].iter().collect();
        let mut parts = inner.trim_start_matches('/').splitn(2, char::is_whitespace);
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut rest = parts.next().unwrap_or_default().chars().peekable();
        while rest.peek().is_some() {
            let key: String = rest
                .by_ref()
                .take_while(|c| *c != '=' && !c.is_whitespace())
                .collect();
            let mut value = String::new();
            if rest.peek() == Some(&'"') {
                rest.next();
                value = rest.by_ref().take_while(|c| *c != '"').collect();
            }
            if !key.trim().is_empty() {
                attrs.push((key.trim().to_ascii_lowercase(), value));
            }
        }
        out.push((name, attrs));
        i = j + 1;
    }
    out
}

const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "noscript",
    "title",
    "template",
    "video",
    "audio",
    "source",
    "track",
    "portal",
    "xmp",
    "plaintext",
];

const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "background",
    "srcset",
    "action",
    "formaction",
    "xlink:href",
    "poster",
];

/// What must hold for any sanitised output.
fn assert_safe(input: &str, out: &str) {
    for (name, attrs) in tags(out) {
        assert!(
            !FORBIDDEN_TAGS.contains(&name.as_str()),
            "<{name}> kept from {input:?}: {out}"
        );
        for (key, value) in attrs {
            assert!(!key.starts_with("on"), "{key} kept from {input:?}: {out}");
            let v = value
                .to_ascii_lowercase()
                .replace(['\t', '\n', '\r', ' '], "");
            if URL_ATTRIBUTES.contains(&key.as_str())
                || ["href", "cite", "longdesc", "style"].contains(&key.as_str())
            {
                for bad in ["javascript:", "vbscript:", "data:text", "livescript:"] {
                    assert!(!v.contains(bad), "{bad} in {key} from {input:?}: {out}");
                }
            }
            if URL_ATTRIBUTES.contains(&key.as_str()) {
                let remote =
                    v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//");
                assert!(!remote, "remote {key} from {input:?}: {out}");
            }
            if key == "style" {
                assert!(
                    !v.contains("url(") && !v.contains("expression") && !v.contains("fixed"),
                    "{out}"
                );
            }
        }
    }
}

fn vectors(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus().join("xss").join(file)).expect("read corpus");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let list = json["vectors"]
        .as_array()
        .or(json.as_array())
        .expect("a list of vectors")
        .clone();
    list.iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap_or_default().to_owned(),
                v["html"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_xss_vector_is_neutralised_and_stays_so() {
    let mut count = 0;
    for file in ["h5sc.json", "dompurify.json"] {
        for (id, html) in vectors(file) {
            let once = sanitize_html(&html, &Policy::default());
            assert_safe(&html, &once.html);
            let twice = sanitize_html(&once.html, &Policy::default());
            assert_eq!(twice.html, once.html, "not idempotent on {id}");
            count += 1;
        }
    }
    assert!(count > 300, "only {count} vectors read");
}

#[test]
fn every_mime_sample_renders_without_panic() {
    let mut count = 0;
    let mut stack = vec![corpus().join("mime")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let raw = std::fs::read(&path).expect("read eml");
            if let Ok(parsed) = message::parse(&raw) {
                for allow_remote in [false, true] {
                    let policy = Policy {
                        allow_remote,
                        ..Policy::default()
                    };
                    let doc =
                        render::render(&parsed, &policy, render::Framing::WithHeaders).document;
                    assert!(
                        doc.contains("Content-Security-Policy"),
                        "{}",
                        path.display()
                    );
                    if !allow_remote {
                        let body = doc.split("<main>").nth(1).unwrap_or_default();
                        assert_safe(&path.display().to_string(), body);
                    }
                }
            }
            count += 1;
        }
    }
    assert!(count >= 100, "only {count} samples read");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_is_sanitised_safely(input in ".{0,400}") {
        let once = sanitize_html(&input, &Policy::default());
        assert_safe(&input, &once.html);
        prop_assert_eq!(sanitize_html(&once.html, &Policy::default()).html, once.html);
    }

    #[test]
    fn html_shaped_input_is_sanitised_safely(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<script>alert(1)</script>".to_owned()),
                Just("<img src=x onerror=alert(1)>".to_owned()),
                Just("<a href=\"javascript:alert(1)\">".to_owned()),
                Just("<svg><animate onbegin=alert(1) attributeName=href values=javascript:alert(1)>".to_owned()),
                Just("<math><annotation-xml encoding=\"text/html\"><img src=x onerror=alert(1)>".to_owned()),
                Just("<style>@import url(//evil/x.css)</style>".to_owned()),
                Just("<p style=\"background:url(https://t.example/x)\">".to_owned()),
                Just("<img src=//t.example/p.gif>".to_owned()),
                Just("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">".to_owned()),
                Just("<table background=https://t.example/bg.png><td>".to_owned()),
                Just("</p>".to_owned()),
                Just("<!--".to_owned()),
                "[a-zA-Z<>=\"'/ :;()]{0,30}",
            ],
            0..12,
        )
    ) {
        let input = parts.concat();
        let once = sanitize_html(&input, &Policy::default());
        assert_safe(&input, &once.html);
        prop_assert_eq!(sanitize_html(&once.html, &Policy::default()).html, once.html);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(raw in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(m) = message::parse(&raw) {
            let _ = render::render(&m, &Policy::default(), render::Framing::WithHeaders);
        }
    }
}
