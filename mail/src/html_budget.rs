//! How much of an HTML body the sanitiser may be given. Its parser builds a
//! tree of every element, about 300 bytes each, and checks what is open at
//! each tag, so a body of tiny tags costs memory out of all proportion to
//! its size, and one of deeply nested ones costs time in the square of its
//! depth (100,000 nested `<div>` took over a minute). A sender chooses both:
//! the body is cut before the tag that would pass [`MAX_TAGS`] elements or
//! [`MAX_DEPTH`] open ones, as read by a scan that follows the parser's
//! rules closely enough (end tags close what they name, if it is open; the
//! elements a parser closes by itself are closed).

/// The most start tags shown (a large newsletter has a few thousand).
pub const MAX_TAGS: usize = 10_000;
/// The most elements open at once.
pub const MAX_DEPTH: usize = 256;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// What a start tag of this name closes, if open above any of `bounds`.
fn closes(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    // The parser's scopes, roughly: where its search for an open one stops.
    const LISTS: &[&str] = &["ul", "ol", "table", "blockquote", "td", "th"];
    const TABLES: &[&str] = &["table"];
    const BLOCKS: &[&str] = &[
        "table", "td", "th", "button", "caption", "object", "marquee", "applet", "template",
    ];
    Some(match name {
        "p" | "div" | "ul" | "ol" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        | "blockquote" | "pre" | "hr" => (&["p"], BLOCKS),
        "li" => (&["li"], LISTS),
        "dt" | "dd" => (&["dt", "dd"], LISTS),
        "td" | "th" => (&["td", "th"], TABLES),
        "tr" => (&["tr", "td", "th"], TABLES),
        "tbody" | "thead" | "tfoot" => (&["tbody", "thead", "tfoot", "tr", "td", "th"], TABLES),
        "option" => (&["option"], &["select"]),
        _ => return None,
    })
}

/// The tag name at `from` (just after `<` or `</`), lowercased, and where it ends.
fn name_at(bytes: &[u8], from: usize) -> (String, usize) {
    let end = bytes[from..]
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .map_or(bytes.len(), |n| from + n);
    (
        String::from_utf8_lossy(&bytes[from..end]).to_ascii_lowercase(),
        end,
    )
}

/// `html`, cut before the tag past the limits; and whether it was cut.
pub fn bounded(html: &str) -> (&str, bool) {
    match cut_point(html) {
        Some(at) => (&html[..at], true),
        None => (html, false),
    }
}

/// The byte offset of the `<` of the first tag past the limits.
fn cut_point(html: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut tags = 0;
    let mut i = 0;
    // Inside these, markup is text (a `<` there opens nothing).
    let mut raw_text: Option<&'static str> = None;
    while let Some(n) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + n;
        i = at + 1;
        let next = bytes.get(i).copied().unwrap_or_default();
        if let Some(end) = raw_text {
            if next == b'/' && name_at(bytes, i + 1).0 == end {
                raw_text = None;
                if let Some(k) = open.iter().rposition(|o| o == end) {
                    open.truncate(k);
                }
            }
            continue;
        }
        if next == b'!' {
            // A comment or a doctype: to its end.
            let close: &[u8] = if bytes[i..].starts_with(b"!--") {
                b"-->"
            } else {
                b">"
            };
            i = bytes[i..]
                .windows(close.len())
                .position(|w| w == close)
                .map_or(bytes.len(), |n| i + n + close.len());
            continue;
        }
        if next == b'/' {
            let (name, _) = name_at(bytes, i + 1);
            if let Some(k) = open.iter().rposition(|o| *o == name) {
                open.truncate(k);
            }
            continue;
        }
        if !next.is_ascii_alphabetic() {
            continue;
        }
        let (name, end) = name_at(bytes, i);
        i = end;
        tags += 1;
        if tags > MAX_TAGS {
            return Some(at);
        }
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if let Some((closed, bounds)) = closes(&name) {
            if let Some(k) = open
                .iter()
                .rposition(|o| closed.contains(&o.as_str()) || bounds.contains(&o.as_str()))
            {
                if closed.contains(&open[k].as_str()) {
                    open.truncate(k);
                }
            }
        }
        raw_text = match name.as_str() {
            "style" => Some("style"),
            "script" => Some("script"),
            "textarea" => Some("textarea"),
            "title" => Some("title"),
            "xmp" => Some("xmp"),
            _ => None,
        };
        open.push(name);
        if open.len() > MAX_DEPTH {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_mail_is_whole() {
        let mut table = String::from("<html><head><style>p < b {}</style></head><body><table>");
        for i in 0..1_000 {
            table.push_str(&format!(
                "<tr><td><a href=\"https://x.test/{i}\">Article {i}</a><td><img src=x><br></tr>"
            ));
        }
        table.push_str("</table><p>one<p>two<ul><li>a<li>b</ul><!-- <div><div> --></body></html>");
        assert_eq!(bounded(&table), (table.as_str(), false));
        // Paragraphs and list items left open are closed by the next one.
        let open = "<p>para".repeat(5_000) + &"<li>item".repeat(4_000);
        assert!(!bounded(&open).1);
    }

    #[test]
    fn many_tiny_tags_are_cut_at_the_limit() {
        let html = "<b>x</b>".repeat(MAX_TAGS + 500);
        let (kept, cut) = bounded(&html);
        assert!(cut);
        assert_eq!(kept.matches("<b>").count(), MAX_TAGS);
        assert!(kept.ends_with("</b>"), "cut before a tag");
    }

    #[test]
    fn deep_nesting_is_cut_whatever_closes_it_pretends() {
        for unit in ["<div>", "<div></x>", "<span><i>", "<ul><li>", "<table><td>"] {
            let html = unit.repeat(5_000);
            let (kept, cut) = bounded(&html);
            assert!(cut, "{unit}");
            assert!(
                kept.len() < unit.len() * (MAX_DEPTH + 1),
                "{unit}: {}",
                kept.len()
            );
        }
        // Closed as it goes, nesting never deepens.
        assert!(!bounded(&"<div><span>x</span></div>".repeat(2_000)).1);
    }
}
