//! HTML mail made safe to show: ammonia with an email policy. No scripts,
//! event handlers, forms, frames, objects, `<base>`, `<meta>`, `<style>`
//! blocks, SVG or MathML; links open in a new tab without referrer or opener;
//! remote images and every other remote resource are blocked (and counted)
//! unless the reader allows them; `cid:` images point at the message's own
//! parts. Inline `style` attributes keep only plain declarations.
//! Sanitising is idempotent: what comes out goes through unchanged.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ammonia::{Builder, UrlRelative, UrlRelativeEvaluate};

/// What the reader allows, and where `cid:` images are.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub allow_remote: bool,
    /// When remote images are allowed, where each is loaded from instead
    /// (the image proxy); `None` leaves their URLs as they are.
    pub remote_via: Option<RemoteVia>,
    /// Content-ID (without `<>`) → the URL that serves that part.
    pub cid_urls: HashMap<String, String>,
    /// Links that must pass through the warning page: the `href` as the
    /// message has it → the warning page's URL (relative) for it.
    pub detours: HashMap<String, String>,
    /// Web links the analysis looked at and found honest: left as they are.
    pub cleared: HashSet<String>,
    /// When set, every other web link (one the analysis did not look at)
    /// passes through the warning page too: this prefix (`/link?to=`) and
    /// the link, percent-encoded. Links are detoured unless cleared.
    pub detour_others: Option<String>,
}

/// Rewrites a remote image's URL (absolute, `http:` or `https:`) to the
/// one the frame loads, which starts with `prefix` (relative URLs that do
/// are kept).
#[derive(Clone)]
pub struct RemoteVia {
    pub prefix: String,
    pub rewrite: Arc<dyn Fn(&str) -> String + Send + Sync>,
}

impl std::fmt::Debug for RemoteVia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RemoteVia")
    }
}

impl RemoteVia {
    fn rewrite(&self, url: &str) -> String {
        let url = url.trim();
        // `//host/x` is loaded as the frame's scheme would: https.
        match url.strip_prefix("//") {
            Some(rest) => (self.rewrite)(&format!("https://{rest}")),
            None => (self.rewrite)(url),
        }
    }
}

/// Percent-encodes a query value (what `app::urls::encode` does; this crate
/// cannot call the app's).
fn encode_query(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    pub html: String,
    /// Remote images or resources that were blocked.
    pub remote_blocked: usize,
}

/// Tags kept beyond ammonia's safe defaults: the old presentational ones
/// email still uses.
const EXTRA_TAGS: &[&str] = &["font", "center", "u", "s", "strike", "big", "small", "tt"];

/// CSS properties an inline `style` may set.
const CSS_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "font-variant",
    "text-align",
    "text-decoration",
    "text-transform",
    "text-indent",
    "line-height",
    "letter-spacing",
    "word-spacing",
    "white-space",
    "vertical-align",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-radius",
    "border-collapse",
    "border-spacing",
    "width",
    "height",
    "max-width",
    "min-width",
    "max-height",
    "min-height",
    "display",
    "float",
    "clear",
    "list-style",
    "list-style-type",
    "table-layout",
    "overflow",
    "direction",
    "position",
];

/// Value fragments that can load, run or escape: a declaration holding one is dropped.
const CSS_FORBIDDEN: &[&str] = &[
    "url(",
    "image(",
    "image-set(",
    "expression",
    "javascript:",
    "vbscript:",
    "\\",
    "@",
    "var(",
    "env(",
    "attr(",
    "/*",
    "*/",
    "<",
    ">",
    "behavior",
    "binding",
    "element(",
    "src(",
];

fn is_remote(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
}

/// Splits `a: b; c: d` into declarations, keeping `;` inside quotes or brackets.
fn declarations(style: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in style.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ';') if depth == 0 => {
                out.push(&style[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&style[start..]);
    out
}

/// Keeps the declarations that are plain: an allowed property, a value with
/// nothing that loads, runs or escapes, no fixed or absolute positioning.
fn filter_style(style: &str, blocked: &AtomicUsize) -> String {
    let mut kept = Vec::new();
    for decl in declarations(style) {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim().to_ascii_lowercase();
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        if lower.contains("url(") && (lower.contains("http") || lower.contains("//")) {
            blocked.fetch_add(1, Ordering::Relaxed);
        }
        let plain = !value.is_empty()
            && CSS_PROPERTIES.contains(&prop.as_str())
            && !CSS_FORBIDDEN.iter().any(|f| lower.contains(f))
            && !value.chars().any(|c| c.is_control())
            && (prop != "position"
                || matches!(
                    lower.trim_end_matches("!important").trim(),
                    "static" | "relative"
                ));
        if plain {
            kept.push(format!("{prop}: {value}"));
        }
    }
    kept.join("; ")
}

/// Relative URLs mean nothing in mail, and `//host/x` is remote: only the
/// part URLs that `cid:` references became are kept.
struct PartUrls(Arc<Policy>);

impl<'a> UrlRelativeEvaluate<'a> for PartUrls {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        let ours = self.0.cid_urls.values().any(|u| u == url)
            || self.0.detours.values().any(|u| u == url)
            || self
                .0
                .detour_others
                .as_deref()
                .is_some_and(|prefix| url.starts_with(prefix))
            || self
                .0
                .remote_via
                .as_ref()
                .is_some_and(|via| url.starts_with(&via.prefix));
        ours.then_some(Cow::Borrowed(url))
    }
}

fn builder(policy: Arc<Policy>, blocked: Arc<AtomicUsize>) -> Builder<'static> {
    let mut b = Builder::default();
    b.add_tags(EXTRA_TAGS)
        .add_generic_attributes(["style", "dir", "align"])
        .add_tag_attributes(
            "table",
            [
                "width",
                "height",
                "border",
                "cellpadding",
                "cellspacing",
                "bgcolor",
                "background",
            ],
        )
        .add_tag_attributes(
            "td",
            [
                "width",
                "height",
                "valign",
                "bgcolor",
                "background",
                "nowrap",
            ],
        )
        .add_tag_attributes(
            "th",
            [
                "width",
                "height",
                "valign",
                "bgcolor",
                "background",
                "nowrap",
            ],
        )
        .add_tag_attributes("tr", ["valign", "bgcolor"])
        .add_tag_attributes(
            "img",
            ["width", "height", "border", "hspace", "vspace", "srcset"],
        )
        .add_tag_attributes("font", ["color", "face", "size"])
        .add_url_schemes(["cid", "data"])
        .rm_url_schemes([
            "ftp",
            "sftp",
            "irc",
            "ircs",
            "news",
            "nntp",
            "sms",
            "smsto",
            "ssh",
            "svn",
            "tel",
            "xmpp",
            "webcal",
            "magnet",
            "git",
            "gopher",
            "feed",
            "geo",
            "im",
            "mms",
            "bitcoin",
            "callto",
            "urn",
            "openpgp4fpr",
            "wtai",
            "ms-files",
        ])
        // Links open in a new tab through the document's `<base target>`
        // (see `render`), which keeps sanitising idempotent.
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .url_relative(UrlRelative::Custom(Box::new(PartUrls(policy.clone()))));
    let filter_blocked = blocked;
    b.attribute_filter(move |element, attribute, value| {
        let lower = value.trim().to_ascii_lowercase();
        match (element, attribute) {
            (_, "style") => Some(Cow::Owned(filter_style(value, &filter_blocked))),
            ("img", "src") | (_, "background") => {
                if let Some(cid) = lower.strip_prefix("cid:") {
                    let cid = cid.trim_matches(['<', '>']);
                    policy
                        .cid_urls
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(cid))
                        .map(|(_, url)| Cow::Owned(url.clone()))
                } else if is_remote(&lower) {
                    if policy.allow_remote {
                        Some(match &policy.remote_via {
                            Some(via) => Cow::Owned(via.rewrite(value)),
                            None => Cow::Borrowed(value),
                        })
                    } else {
                        filter_blocked.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                } else if lower.starts_with("data:image/")
                    && element == "img"
                    && !lower.starts_with("data:image/svg")
                {
                    Some(Cow::Borrowed(value))
                } else {
                    None
                }
            }
            ("img", "srcset") => {
                filter_blocked.fetch_add(1, Ordering::Relaxed);
                None
            }
            // `data:` and `cid:` are for images only.
            (_, "href" | "cite" | "longdesc" | "action")
                if lower.starts_with("data:") || lower.starts_with("cid:") =>
            {
                None
            }
            ("a", "href") => {
                let href = value.trim();
                if let Some(to) = policy.detours.get(href) {
                    return Some(Cow::Owned(to.clone()));
                }
                match &policy.detour_others {
                    Some(prefix) if is_remote(href) && !policy.cleared.contains(href) => {
                        Some(Cow::Owned(format!("{prefix}{}", encode_query(href))))
                    }
                    _ => Some(Cow::Borrowed(value)),
                }
            }
            _ => Some(Cow::Borrowed(value)),
        }
    });
    b
}

/// Sanitises an HTML body (a whole document or a fragment), within the
/// tags its parser can afford (`html_budget`: the message view cuts it there
/// first, and says so).
pub fn sanitize_html(html: &str, policy: &Policy) -> Sanitized {
    // The parser drops NULs and a byte-order mark: dropped first, so that
    // what comes out parses to itself, and the budget sees the tags the
    // parser will.
    let html = html.replace(['\0', '\u{feff}'], "");
    clean_unbounded(crate::html_budget::bounded(&html).0, policy)
}

/// `sanitize_html` without the budget, for HTML of our own making (a text
/// body's lines and links: flat, as long as the text).
fn clean_unbounded(html: &str, policy: &Policy) -> Sanitized {
    let blocked = Arc::new(AtomicUsize::new(0));
    let html = builder(Arc::new(policy.clone()), blocked.clone())
        .clean(html)
        .to_string();
    Sanitized {
        html,
        remote_blocked: blocked.load(Ordering::Relaxed),
    }
}

/// What a user wrote in the rich-text editor, kept to what the editor makes
/// (paragraphs, bold, italic, underline, lists, quotes, links to the web and
/// to addresses, and images of the message's own: pasted ones, still at
/// `/upload?id=…` while written, `cid:` parts once sent or kept as a draft)
/// before it goes out: anything else a paste or a hostile page slipped in is
/// dropped, remote images included.
pub fn compose_html(html: &str) -> String {
    compose_html_with_images(html, HashMap::new()).0
}

/// `compose_html`, with each image source that is a key of `changes` made
/// its value; also gives the image sources of the result, in order, each once.
pub fn compose_html_with_images(
    html: &str,
    changes: HashMap<String, String>,
) -> (String, Vec<String>) {
    let html = html.replace(['\0', '\u{feff}'], "");
    let found = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = found.clone();
    let clean = Builder::empty()
        .add_tags([
            "p",
            "br",
            "div",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "ul",
            "ol",
            "li",
            "blockquote",
            "a",
            "img",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt"])
        .url_schemes(["http", "https", "mailto", "cid"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .url_relative(UrlRelative::Custom(Box::new(UploadImages)))
        .attribute_filter(move |element, attribute, value| {
            let own_image = |v: &str| v.starts_with("cid:") || upload_image(v).is_some();
            match (element, attribute) {
                ("img", "src") => {
                    let value = changes
                        .get(value)
                        .map_or(Cow::Borrowed(value), |to| Cow::Owned(to.clone()));
                    if !own_image(&value) {
                        return None;
                    }
                    if let Ok(mut seen) = seen.lock() {
                        if !seen.iter().any(|s| *s == *value) {
                            seen.push(value.to_string());
                        }
                    }
                    Some(value)
                }
                ("a", "href") => (!own_image(value)).then_some(Cow::Borrowed(value)),
                _ => Some(Cow::Borrowed(value)),
            }
        })
        .clean(&html)
        .to_string();
    let found = found.lock().map(|f| f.clone()).unwrap_or_default();
    (clean, found)
}

/// The only relative URLs of the compose form: its pasted images.
struct UploadImages;

impl<'a> UrlRelativeEvaluate<'a> for UploadImages {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        upload_image(url).map(|_| Cow::Borrowed(url))
    }
}

/// Where an image pasted into the compose form is shown while the message
/// is written: the upload holding it.
const UPLOAD_IMAGE: &str = "/upload?id=";

/// The upload an image of the compose form shows (`/upload?id=<32 hex>`).
pub fn upload_image(src: &str) -> Option<&str> {
    let id = src.strip_prefix(UPLOAD_IMAGE)?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// The `src` that shows upload `id` in the compose form (as the pages' own
/// `app::urls::upload` writes it).
pub fn upload_image_src(id: &str) -> String {
    format!("{UPLOAD_IMAGE}{id}")
}

/// Plain text as HTML: escaped, line breaks kept, web and mail addresses made
/// into links (through the same sanitiser, so a hostile "link" stays text).
pub fn text_to_html(text: &str) -> String {
    text_to_html_with(text, &Policy::default())
}

/// [`text_to_html`], its links under `policy` (its detours).
pub fn text_to_html_with(text: &str, policy: &Policy) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>\n");
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(&linkify_word(word));
        }
    }
    let policy = Policy {
        detours: policy.detours.clone(),
        cleared: policy.cleared.clone(),
        detour_others: policy.detour_others.clone(),
        ..Policy::default()
    };
    // Escaped as it was made: no tag of the sender's is in it, only lines
    // and links, so no budget is needed (and none cuts a long text).
    clean_unbounded(&out.replace(['\0', '\u{feff}'], ""), &policy).html
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn linkify_word(word: &str) -> String {
    let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    let rest = &word[trimmed.len()..];
    let lower = trimmed.to_ascii_lowercase();
    let is_web =
        (lower.starts_with("https://") || lower.starts_with("http://")) && trimmed.len() > 8;
    let is_mail = !is_web
        && trimmed.contains('@')
        && trimmed.contains('.')
        && !trimmed.contains(':')
        && trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || "@._-+".contains(c));
    if is_web {
        format!("<a href=\"{0}\">{0}</a>{1}", escape(trimmed), escape(rest))
    } else if is_mail {
        format!(
            "<a href=\"mailto:{0}\">{0}</a>{1}",
            escape(trimmed),
            escape(rest)
        )
    } else {
        escape(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Links the analysis did not clear go through the warning page; those
    /// it detoured go where it said; cleared ones, and mail links, stay.
    #[test]
    fn web_links_pass_through_the_warning_page_unless_cleared() {
        let policy = Policy {
            detours: HashMap::from([(
                "https://evil.test/".to_owned(),
                "/link?to=https%3A%2F%2Fevil.test%2F&shown=bank.example".to_owned(),
            )]),
            cleared: HashSet::from(["https://news.example.org/".to_owned()]),
            detour_others: Some("/link?to=".into()),
            ..Policy::default()
        };
        let html = sanitize_html(
            "<a href=\"https://evil.test/\">bank.example</a>\
             <a href=\" https://news.example.org/ \">news</a>\
             <a href=\"https://unseen.example/a?b=1\">unseen</a>\
             <a href=\"//scheme-relative.example/\">rel</a>\
             <a href=\"mailto:a@example.org\">mail</a>\
             <a href=\"/link?to=forged\">forged</a>",
            &policy,
        )
        .html;
        assert!(
            html.contains("href=\"/link?to=https%3A%2F%2Fevil.test%2F&amp;shown=bank.example\""),
            "{html}"
        );
        assert!(
            html.contains("href=\" https://news.example.org/ \""),
            "{html}"
        );
        assert!(
            html.contains("href=\"/link?to=https%3A%2F%2Funseen.example%2Fa%3Fb%3D1\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"/link?to=%2F%2Fscheme-relative.example%2F\""),
            "{html}"
        );
        assert!(html.contains("href=\"mailto:a@example.org\""), "{html}");
        assert!(!html.contains("https://unseen.example/a?b=1\""), "{html}");
        // Without `detour_others` (render-eml), links are left alone.
        let plain = sanitize_html(
            "<a href=\"https://unseen.example/\">x</a>",
            &Policy::default(),
        )
        .html;
        assert!(
            plain.contains("href=\"https://unseen.example/\""),
            "{plain}"
        );
    }

    fn clean(html: &str) -> Sanitized {
        let mut cid_urls = HashMap::new();
        cid_urls.insert("logo@x".to_owned(), "/part/3".to_owned());
        sanitize_html(
            html,
            &Policy {
                allow_remote: false,
                cid_urls,
                ..Policy::default()
            },
        )
    }

    #[test]
    fn a_body_of_tags_is_kept_within_what_the_parser_affords() {
        use crate::html_budget::{MAX_DEPTH, MAX_TAGS};
        // Without the bound: a minute of one core, and 45 MiB for the tiny tags.
        let nested = clean(&"<div>".repeat(100_000)).html;
        assert!(
            nested.matches("<div>").count() <= MAX_DEPTH,
            "{}",
            nested.len()
        );
        let tiny = clean(&"<b>x</b>".repeat(200_000)).html;
        assert_eq!(tiny.matches("<b>").count(), MAX_TAGS);
        // Hidden from the budget by what the parser drops first.
        let hidden = clean(&"<\u{feff}div>".repeat(100_000)).html;
        assert!(hidden.matches("<div>").count() <= MAX_DEPTH);
        // Formatting elements built again before each text.
        let mut reopened = String::from("<div>");
        for n in 0..255 {
            reopened.push_str(&format!("<b title={n}>"));
        }
        reopened.push_str(&format!("</div>{}", "<div>x</div>".repeat(9_000)));
        // Without the count, 2.3 million elements; with it, the limit and at
        // most one more batch.
        assert!(clean(&reopened).html.matches("<b").count() <= MAX_TAGS + MAX_DEPTH);
        // A text body is not cut however many lines and links it has.
        let lines = "voir https://example.test/a\n".repeat(30_000);
        let html = text_to_html_with(&lines, &Policy::default());
        assert_eq!(html.matches("<a ").count(), 30_000);
    }

    #[test]
    fn removes_scripts_handlers_and_dangerous_tags() {
        let out = clean(
            "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>\
             <svg><animate onbegin=alert(1)></svg><math><mi xlink:href=\"javascript:1\">m</mi></math>\
             <iframe src=//evil></iframe><form action=//evil><input></form><meta http-equiv=refresh content=0;url=//evil>\
             <base href=//evil/><style>@import url(//evil)</style><object data=x></object>",
        )
        .html;
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<svg",
            "<math",
            "<iframe",
            "<form",
            "<input",
            "<meta",
            "<base",
            "<style",
            "@import",
            "<object",
        ] {
            assert!(
                !out.to_ascii_lowercase().contains(bad),
                "{bad} survived: {out}"
            );
        }
    }

    #[test]
    fn blocks_and_counts_remote_content() {
        let out = clean(
            "<img src=https://t.example/a.png><img src=//t.example/b.png><img srcset=\"https://t.example/c.png 2x\">\
             <table background=https://t.example/bg.png><tr><td style=\"background: url(https://t.example/d.png); color: red\">x</td></tr></table>",
        );
        assert!(!out.html.contains("t.example"), "{}", out.html);
        assert_eq!(out.remote_blocked, 5);
        assert!(out.html.contains("color: red"));
        let allowed = sanitize_html(
            "<img src=https://t.example/a.png>",
            &Policy {
                allow_remote: true,
                ..Policy::default()
            },
        );
        assert!(allowed.html.contains("https://t.example/a.png"));
        assert_eq!(allowed.remote_blocked, 0);
    }

    #[test]
    fn allowed_remote_images_go_through_the_proxy_and_nothing_remote_is_left() {
        let via = RemoteVia {
            prefix: "/image?u=".into(),
            rewrite: Arc::new(|u: &str| format!("/image?u={}&t=1", encode_query(u))),
        };
        let out = sanitize_html(
            "<img src=https://t.example/a.png><img src=//t.example/b.png><img src=HTTP://T.example/c.png>\
             <table background=https://t.example/bg.png><tr><td>x</td></tr></table>\
             <img srcset=\"https://t.example/d.png 2x\"><img src=/image?u=forged>",
            &Policy {
                allow_remote: true,
                remote_via: Some(via),
                ..Policy::default()
            },
        );
        assert!(
            out.html
                .contains("src=\"/image?u=https%3A%2F%2Ft.example%2Fa.png&amp;t=1\""),
            "{}",
            out.html
        );
        assert!(out
            .html
            .contains("/image?u=https%3A%2F%2Ft.example%2Fb.png"));
        assert!(out.html.contains("/image?u=HTTP%3A%2F%2FT.example%2Fc.png"));
        assert!(out
            .html
            .contains("background=\"/image?u=https%3A%2F%2Ft.example%2Fbg.png"));
        assert!(!out.html.contains("forged"), "{}", out.html);
        assert!(!out.html.contains("\"https://") && !out.html.contains("\"//"));
        assert_eq!(out.remote_blocked, 1, "srcset is never loaded");
    }

    #[test]
    fn cid_images_point_at_the_message_part() {
        let out = clean("<img src=\"cid:logo@x\" alt=Logo><img src=\"cid:missing@x\">").html;
        assert!(out.contains("src=\"/part/3\""), "{out}");
        assert_eq!(out.matches("<img").count(), 2);
        assert_eq!(out.matches("src=").count(), 1);
    }

    #[test]
    fn links_open_apart_and_styles_stay_plain() {
        let out = clean("<a href=\"https://example.org/\">x</a>").html;
        assert!(out.contains("rel=\"noopener noreferrer\""), "{out}");
        let styled = clean("<p style=\"position:fixed; top:0; color:#123; width: expression(alert(1)); font-family: 'A;B'\">x</p>").html;
        assert!(
            !styled.contains("fixed") && !styled.contains("expression"),
            "{styled}"
        );
        assert!(
            styled.contains("color: #123") && styled.contains("font-family: 'A;B'"),
            "{styled}"
        );
        let data_link = clean("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>").html;
        assert!(!data_link.contains("data:"), "{data_link}");
    }

    #[test]
    fn plain_text_links_are_safe() {
        let html = text_to_html("see https://example.org/a?b=1&c=2, or write to bob@example.org.\n<script>alert(1)</script> javascript:alert(1) \"><img src=x onerror=alert(1)>");
        assert!(
            html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\""),
            "{html}"
        );
        assert!(html.contains("href=\"mailto:bob@example.org\""), "{html}");
        assert!(
            !html.contains("<script")
                && !html.contains("<img")
                && !html.contains("href=\"javascript"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"));
    }
}

#[cfg(test)]
mod compose_tests {
    use super::compose_html;

    #[test]
    fn the_editor_keeps_its_formatting_and_nothing_else() {
        let out = compose_html(
            "<p>Hi <b>bold</b> <i>it</i> <a href=\"https://example.org\" onclick=\"x()\">link</a></p>\
             <ul><li>one</li></ul><blockquote>q</blockquote><script>alert(1)</script>\
             <img src=\"https://tracker.example/p.gif\"><a href=\"javascript:alert(1)\">bad</a>\
             <span style=\"color:red\">red</span><iframe src=\"https://x\"></iframe>",
        );
        for kept in [
            "<b>bold</b>",
            "<i>it</i>",
            "<ul><li>one</li></ul>",
            "<blockquote>q</blockquote>",
            "href=\"https://example.org\"",
            "red",
        ] {
            assert!(out.contains(kept), "{kept} in {out}");
        }
        for gone in [
            "script",
            "alert",
            "onclick",
            "src",
            "tracker",
            "javascript",
            "style",
            "iframe",
            "span",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
    }

    #[test]
    fn only_the_messages_own_images_stay_and_can_be_renamed() {
        let pasted = format!("/upload?id={}", "ab".repeat(16));
        let html = format!(
            "<p>a<img src=\"{pasted}\" alt=\"photo\"><img src=\"cid:kept@x\">\
             <img src=\"https://tracker.example/p.gif\"><img src=\"data:image/png;base64,AAAA\">\
             <img src=\"/upload?id=../../etc/passwd\"><img src=\"javascript:alert(1)\">\
             <img src=\"{pasted}\"><a href=\"{pasted}\">l</a><a href=\"cid:kept@x\">c</a>\
             <a href=\"/admin\">r</a></p>"
        );
        let (same, found) = super::compose_html_with_images(&html, Default::default());
        assert_eq!(found, [pasted.clone(), "cid:kept@x".to_owned()]);
        for gone in [
            "tracker",
            "data:",
            "passwd",
            "javascript",
            "href=\"/",
            "href=\"cid",
        ] {
            assert!(!same.contains(gone), "{gone} in {same}");
        }
        assert_eq!(super::compose_html(&same), same, "idempotent");
        let changes = [(pasted.clone(), "cid:new@x".to_owned())]
            .into_iter()
            .collect();
        let (renamed, found) = super::compose_html_with_images(&same, changes);
        assert_eq!(found, ["cid:new@x", "cid:kept@x"]);
        assert!(!renamed.contains("/upload"), "{renamed}");
        assert_eq!(renamed.matches("src=\"cid:new@x\"").count(), 2, "{renamed}");
        assert!(super::upload_image(&super::upload_image_src(&"0f".repeat(16))).is_some());
    }
}
