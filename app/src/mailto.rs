//! A `mailto:` link (RFC 6068) as the compose form's first fields: what
//! `/compose?to=…` is given, by a link in a message, a page of the web, or
//! the browser handing Estafette a `mailto:` URL (`?to=mailto:…`).
//!
//! The link is someone else's text: its fields are cut to a sensible
//! length, line breaks and other control characters become spaces in
//! everything but the body, and only To, Cc, Bcc, Subject and the body are
//! read (never From, attachments, or other header fields).

use percent_encoding::percent_decode_str;

/// The most characters kept of a recipients field or the subject.
const MAX_LINE_CHARS: usize = 4000;
/// The most characters kept of the body.
const MAX_BODY_CHARS: usize = 64 * 1024;

/// The fields a `mailto:` link fills in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Link {
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
}

impl Link {
    /// From the compose page's query: `to` (addresses, or a whole
    /// `mailto:` URL), then `cc`, `bcc`, `subject` and `body`. `None` when
    /// it names none of them.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Link> {
        let mut link = Link::default();
        if let Some(to) = get("to") {
            match strip_scheme(to.trim()) {
                Some(url) => link.read_url(url),
                None => link.add("to", &to),
            }
        }
        for name in ["cc", "bcc", "subject", "body"] {
            if let Some(value) = get(name) {
                link.add(name, &value);
            }
        }
        (link != Link::default()).then_some(link)
    }

    /// `addr1,addr2?subject=…&body=…`, percent-encoded.
    fn read_url(&mut self, url: &str) {
        let (to, fields) = url.split_once('?').unwrap_or((url, ""));
        self.add("to", &decode(to));
        for field in fields.split('&') {
            let (name, value) = field.split_once('=').unwrap_or((field, ""));
            self.add(&decode(name).to_ascii_lowercase(), &decode(value));
        }
    }

    /// `value` into the field `name`: recipients add up, the subject and
    /// the body are taken once. Other names are not read.
    fn add(&mut self, name: &str, value: &str) {
        let (field, is_list) = match name {
            "to" => (&mut self.to, true),
            "cc" => (&mut self.cc, true),
            "bcc" => (&mut self.bcc, true),
            "subject" => (&mut self.subject, false),
            "body" => {
                if self.body.is_empty() {
                    self.body = body_text(value);
                }
                return;
            }
            _ => return,
        };
        let value = one_line(value);
        if value.is_empty() || (!is_list && !field.is_empty()) {
            return;
        }
        if !field.is_empty() {
            field.push_str(", ");
        }
        field.push_str(&value);
        *field = field.chars().take(MAX_LINE_CHARS).collect();
    }
}

fn strip_scheme(s: &str) -> Option<&str> {
    let scheme = s.get(..7)?;
    scheme.eq_ignore_ascii_case("mailto:").then(|| &s[7..])
}

/// Percent-decoded; `+` stays a plus (RFC 6068 is not a form encoding).
fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// One line: control characters (CR and LF among them) become spaces.
fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The body's text, its line breaks as `\n`, no other control characters.
fn body_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(MAX_BODY_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pairs: &[(&str, &str)]) -> Option<Link> {
        Link::from_query(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn reads_a_whole_mailto_url_handed_over_by_the_browser() {
        let link = of(&[(
            "to",
            "MAILTO:bob@example.org,carol@example.org?cc=dave%40example.org\
             &Subject=Caf%C3%A9%20%2B%20cr%C3%AApes&body=Line%201%0D%0ALine%202&bcc=eve@example.org",
        )])
        .expect("link");
        assert_eq!(
            link,
            Link {
                to: "bob@example.org,carol@example.org".into(),
                cc: "dave@example.org".into(),
                bcc: "eve@example.org".into(),
                subject: "Café + crêpes".into(),
                body: "Line 1\nLine 2".into(),
            }
        );
    }

    #[test]
    fn plain_fields_of_the_query_fill_the_form_too() {
        let link = of(&[("to", "bob@example.org"), ("subject", "Hello")]).expect("link");
        assert_eq!(
            (link.to.as_str(), link.subject.as_str()),
            ("bob@example.org", "Hello")
        );
        assert_eq!(of(&[("folder", "INBOX")]), None);
        assert_eq!(of(&[("to", "mailto:")]), None);
    }

    #[test]
    fn a_hostile_link_cannot_add_header_fields_or_a_sender() {
        let link = of(&[(
            "to",
            "mailto:bob@example.org%0D%0ABcc:%20spy@evil.example?subject=Hi%0ABcc:%20spy@evil.example\
             &from=ceo@example.org&attach=/etc/passwd&in-reply-to=%3Cx%3E&body=ok%00%1B[31m",
        )])
        .expect("link");
        assert_eq!(link.to, "bob@example.org Bcc: spy@evil.example");
        assert_eq!(link.subject, "Hi Bcc: spy@evil.example");
        assert_eq!(link.bcc, "");
        assert_eq!(link.body, "ok[31m");
        // A second subject does not replace the first; lengths are capped.
        let long = format!(
            "mailto:a@b.example?subject=one&subject=two&body={}",
            "x".repeat(100_000)
        );
        let link = of(&[("to", &long)]).expect("link");
        assert_eq!(link.subject, "one");
        assert_eq!(link.body.chars().count(), MAX_BODY_CHARS);
    }
}
