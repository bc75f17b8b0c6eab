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

/// Formatting elements: the parser opens them again after a block that
/// closed them (before the next text), so they count each time.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// The tag name at `from` (just after `<` or `</`), lowercased, as the
/// tokenizer reads it: up to whitespace, `/` or `>`.
fn name_at(bytes: &[u8], from: usize) -> (String, usize) {
    let end = bytes[from..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        .map_or(bytes.len(), |n| from + n);
    (
        String::from_utf8_lossy(&bytes[from..end]).to_ascii_lowercase(),
        end,
    )
}

/// Where a tag whose attributes start at `from` ends (after its `>`): a `>`
/// inside a quoted value does not end it.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(&b) = bytes.get(j) {
        j += 1;
        match b {
            b'>' => return j,
            b'=' => {
                while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                if let Some(&q) = bytes.get(j).filter(|q| **q == b'"' || **q == b'\'') {
                    j = bytes[j + 1..]
                        .iter()
                        .position(|c| *c == q)
                        .map_or(bytes.len(), |n| j + 1 + n + 1);
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// Where a comment opened at `from` (just after `<!--`) ends, as the
/// tokenizer ends it: `-->`, `--!>`, or at once for `<!-->` and `<!--->`.
fn comment_end(bytes: &[u8], from: usize) -> usize {
    let rest = &bytes[from..];
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    let find = |needle: &[u8]| rest.windows(needle.len()).position(|w| w == needle);
    match (find(b"-->"), find(b"--!>")) {
        (Some(a), Some(b)) if b < a => from + b + 4,
        (Some(a), _) => from + a + 3,
        (None, Some(b)) => from + b + 4,
        (None, None) => bytes.len(),
    }
}

/// An open element's name. A formatting element is kept as its name, a
/// NUL and its attributes, which tell identical ones apart (see `cut_point`).
fn name_of(entry: &str) -> &str {
    entry.split('\0').next().unwrap_or_default()
}

/// Closes `open[k]` and what is open inside it; the formatting elements
/// among those stay active, to be opened again (see [`FORMATTING`]).
fn close_from(open: &mut Vec<String>, k: usize, dormant: &mut Vec<String>) {
    dormant.extend(
        open.drain(k..)
            .skip(1)
            .filter(|o| FORMATTING.contains(&name_of(o))),
    );
}

/// `html`, cut before the tag past the limits; and whether it was cut.
pub fn bounded(html: &str) -> (&str, bool) {
    match cut_point(html) {
        Some(at) => (&html[..at], true),
        None => (html, false),
    }
}

/// The byte offset of the `<` of the first tag past the limits. Where the
/// scan cannot follow the parser exactly, it counts more than the parser
/// builds, never less: its text-only regions (comments, raw text, quoted
/// values) end no later than the parser's.
fn cut_point(html: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    // Formatting elements closed by another element's end: opened again
    // before the next text.
    let mut dormant: Vec<String> = Vec::new();
    let mut tags = 0;
    let mut i = 0;
    // Where text would begin after the last tag.
    let mut text_from = 0;
    // Inside these, markup is text (a `<` there opens nothing).
    let mut raw_text: Option<String> = None;
    while let Some(n) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + n;
        i = at + 1;
        let next = bytes.get(i).copied().unwrap_or_default();
        if let Some(end) = &raw_text {
            if next == b'/' && name_at(bytes, i + 1).0 == *end {
                if let Some(k) = open.iter().rposition(|o| name_of(o) == end) {
                    open.truncate(k);
                }
                raw_text = None;
                i = tag_end(bytes, i + 1);
                text_from = i;
            }
            continue;
        }
        if at > text_from && !dormant.is_empty() {
            tags += dormant.len();
            if tags > MAX_TAGS {
                return Some(at);
            }
            open.append(&mut dormant);
            if open.len() > MAX_DEPTH {
                return Some(at);
            }
        }
        if next == b'!' {
            i = if bytes[i..].starts_with(b"!--") {
                comment_end(bytes, i + 3)
            } else {
                // A doctype or a bogus comment: to its `>`.
                bytes[i..]
                    .iter()
                    .position(|b| *b == b'>')
                    .map_or(bytes.len(), |n| i + n + 1)
            };
            text_from = i;
            continue;
        }
        if next == b'/' {
            if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                continue;
            }
            let (name, end) = name_at(bytes, i + 1);
            i = tag_end(bytes, end);
            text_from = i;
            if let Some(k) = dormant.iter().rposition(|o| name_of(o) == name) {
                dormant.remove(k);
            } else if let Some(k) = open.iter().rposition(|o| name_of(o) == name) {
                close_from(&mut open, k, &mut dormant);
                if dormant.len() > MAX_DEPTH {
                    return Some(at);
                }
            }
            continue;
        }
        if !next.is_ascii_alphabetic() {
            continue;
        }
        let (name, end) = name_at(bytes, i);
        i = tag_end(bytes, end);
        text_from = i;
        tags += 1;
        if tags > MAX_TAGS {
            return Some(at);
        }
        let self_closing = i >= 2 && bytes[i - 2] == b'/';
        let foreign = open.iter().any(|o| matches!(name_of(o), "svg" | "math"));
        if VOID.contains(&name.as_str()) || (foreign && self_closing) {
            continue;
        }
        if let Some((closed, bounds)) = closes(&name) {
            if let Some(k) = open
                .iter()
                .rposition(|o| closed.contains(&name_of(o)) || bounds.contains(&name_of(o)))
            {
                if closed.contains(&name_of(&open[k])) {
                    close_from(&mut open, k, &mut dormant);
                    if dormant.len() > MAX_DEPTH {
                        return Some(at);
                    }
                }
            }
        }
        // Raw text only where the parser makes it so: not in SVG, MathML
        // or a select (there the parser goes on reading tags).
        let plain = !foreign && !open.iter().any(|o| name_of(o) == "select");
        if plain
            && matches!(
                name.as_str(),
                "style" | "script" | "textarea" | "title" | "xmp"
            )
        {
            raw_text = Some(name.clone());
        }
        if FORMATTING.contains(&name.as_str()) {
            // As the parser does ("Noah's Ark"): of identical formatting
            // elements, only the last three stay active.
            let attributes: Vec<String> =
                String::from_utf8_lossy(&bytes[end..i.saturating_sub(1).max(end)])
                    .to_ascii_lowercase()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
            let key = format!("{name}\0{}", attributes.join(" "));
            let same = open.iter().chain(&dormant).filter(|o| **o == key).count();
            if same >= 3 {
                if let Some(k) = dormant.iter().position(|o| *o == key) {
                    dormant.remove(k);
                }
            }
            open.push(key);
        } else {
            open.push(name);
        }
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
        // A font left open across paragraphs, as careless mail does.
        let sloppy = "<p><font face=Arial>texte</p><p>suite".repeat(1_000);
        assert!(!bounded(&sloppy).1);
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
        // What the parser reads as tags, however they are dressed up.
        for lead in [
            "<!----!>",
            "<!-->",
            "<!--->",
            "<svg><style>",
            "<select><style>",
            "<math><title>",
        ] {
            let html = format!("{lead}{}", "<div>".repeat(5_000));
            assert!(bounded(&html).1, "{lead}");
        }
        for unit in [
            "<div-x></div>",
            "<div title=\"</div>\">",
            "<div title='>'></x>",
        ] {
            assert!(bounded(&unit.repeat(5_000)).1, "{unit}");
        }
        // Formatting elements a block closed are built again before each
        // text: counted each time.
        let mut reopened = String::from("<div>");
        for n in 0..255 {
            reopened.push_str(&format!("<b id={n}>"));
        }
        reopened.push_str("</div>");
        reopened.push_str(&"<div>x</div>".repeat(9_000));
        let (kept, cut) = bounded(&reopened);
        assert!(cut && kept.len() < 10_000, "{}", kept.len());
        // Closed as it goes, nesting never deepens.
        assert!(!bounded(&"<div><span>x</span></div>".repeat(2_000)).1);
    }
}
