//! The links of an HTML body, `(href, visible text)`, read by html5ever's
//! tokenizer (already in the tree through ammonia): entities decoded as a
//! browser would, no tree built, so memory stays flat whatever the input.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Links examined per message; the rest are counted, not read.
pub const MAX_LINKS: usize = 1_000;
/// HTML read per message.
pub const MAX_HTML_BYTES: usize = 4 << 20;
/// Visible text kept per link.
const MAX_TEXT: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Links {
    pub links: Vec<Link>,
    /// Links beyond [`MAX_LINKS`], not examined.
    pub skipped: usize,
}

#[derive(Default)]
struct Sink {
    out: RefCell<Links>,
    open: RefCell<Option<Link>>,
}

fn attr(tag: &Tag, name: &str) -> Option<String> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| a.value.chars().take(8192).collect())
}

impl Sink {
    fn close(&self) {
        if let Some(link) = self.open.borrow_mut().take() {
            let mut out = self.out.borrow_mut();
            if out.links.len() < MAX_LINKS {
                out.links.push(link);
            } else {
                out.skipped += 1;
            }
        }
    }

    fn text(&self, s: &str) {
        if let Some(link) = self.open.borrow_mut().as_mut() {
            let room = MAX_TEXT.saturating_sub(link.text.chars().count());
            link.text.extend(s.chars().take(room));
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                match (tag.kind, name) {
                    (TagKind::StartTag, "a") => {
                        self.close();
                        if let Some(href) = attr(&tag, "href") {
                            *self.open.borrow_mut() = Some(Link {
                                href,
                                text: String::new(),
                            });
                        }
                    }
                    (TagKind::EndTag, "a") => self.close(),
                    // Inside a link an image's text is its alt.
                    (TagKind::StartTag, "img") => {
                        if let Some(alt) = attr(&tag, "alt") {
                            self.text(&alt);
                        }
                    }
                    (TagKind::StartTag, "br" | "p" | "div" | "td" | "li") => self.text(" "),
                    (TagKind::StartTag, "script" | "style" | "xmp" | "iframe" | "noembed") => {
                        return TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    (TagKind::StartTag, "title" | "textarea") => {
                        return TokenSinkResult::RawData(RawKind::Rcdata)
                    }
                    _ => {}
                }
            }
            Token::CharacterTokens(s) => self.text(&s),
            Token::EOFToken => self.close(),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The first [`MAX_LINKS`] links of `html` (the first [`MAX_HTML_BYTES`]).
pub fn links(html: &str) -> Links {
    let mut end = html.len().min(MAX_HTML_BYTES);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&html[..end]));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.close();
    tokenizer.sink.out.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hrefs_and_visible_text() {
        let l = links(
            "<p>Hi <a href=\"https://evil.test/?a=1&amp;b=2\"><b>https://</b>&#x70;aypal.com</a> \
             <a href='https://x.test'><img alt=\"Logo\" src=x></a><a name=top>no href</a>\
             <style><a href=https://in.style>x</a></style><a href=https://open.test>unclosed",
        );
        assert_eq!(
            l.links,
            vec![
                Link {
                    href: "https://evil.test/?a=1&b=2".into(),
                    text: "https://paypal.com".into()
                },
                Link {
                    href: "https://x.test".into(),
                    text: "Logo".into()
                },
                Link {
                    href: "https://open.test".into(),
                    text: "unclosed".into()
                },
            ]
        );
    }

    #[test]
    fn ten_thousand_links_are_capped() {
        let html = "<a href=https://e.test/>https://e.test</a>".repeat(10_000);
        let l = links(&html);
        assert_eq!(l.links.len(), MAX_LINKS);
        assert_eq!(l.skipped, 10_000 - MAX_LINKS);
        let long = format!("<a href=https://e.test/>{}</a>", "x".repeat(100_000));
        assert_eq!(links(&long).links[0].text.len(), MAX_TEXT);
    }
}
