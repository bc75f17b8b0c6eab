//! How a mailing list says to leave it (`List-Unsubscribe`, RFC 2369, and
//! one-click, RFC 8058), read from a message's header section. Reading only:
//! nothing is requested here, and nothing is ever done without the reader.

use mail_parser::MessageParser;

/// The longest URI kept (a longer one is not offered).
const MAX_URI: usize = 2_048;
/// URIs read from the field (the rest are ignored).
const MAX_URIS: usize = 8;

/// The ways out a message offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unsubscribe {
    /// The web address to POST to (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
    pub one_click: Option<String>,
    /// A `mailto:` URI: a message to write.
    pub mailto: Option<String>,
    /// A web page the reader may open.
    pub web: Option<String>,
}

/// The field's `<URI>`s, in order, unfolded.
fn uris(field: &str) -> Vec<String> {
    field
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(uri, _)| uri))
        .map(|uri| uri.split_whitespace().collect::<String>())
        .filter(|uri| !uri.is_empty() && uri.len() <= MAX_URI && !uri.contains(['"', '\'', '<']))
        .take(MAX_URIS)
        .collect()
}

/// What `header` (a message's header section) offers, if anything.
pub fn offered(header: &[u8]) -> Option<Unsubscribe> {
    let parsed = MessageParser::default().parse_headers(header)?;
    let raw = |name: &str| parsed.header_raw(name).map(str::to_owned);
    let uris = uris(&raw("List-Unsubscribe")?);
    let web = uris
        .iter()
        .find(|u| {
            let lower = u.to_ascii_lowercase();
            lower.starts_with("https://") || lower.starts_with("http://")
        })
        .cloned();
    let mailto = uris
        .iter()
        .find(|u| u.to_ascii_lowercase().starts_with("mailto:"))
        .cloned();
    let one_click = raw("List-Unsubscribe-Post")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("List-Unsubscribe=One-Click"))
        .then(|| web.clone())
        .flatten();
    let offer = Unsubscribe {
        one_click,
        mailto,
        web,
    };
    (offer != Unsubscribe::default()).then_some(offer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(fields: &str) -> Option<Unsubscribe> {
        offered(format!("From: list@example.org\r\n{fields}\r\n\r\n").as_bytes())
    }

    #[test]
    fn reads_one_click_mailto_and_web() {
        let u = of("List-Unsubscribe: <mailto:leave@example.org?subject=stop>,\r\n <https://example.org/u/abc>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click").unwrap_or_default();
        assert_eq!(u.one_click.as_deref(), Some("https://example.org/u/abc"));
        assert_eq!(u.web.as_deref(), Some("https://example.org/u/abc"));
        assert_eq!(
            u.mailto.as_deref(),
            Some("mailto:leave@example.org?subject=stop")
        );
    }

    #[test]
    fn without_the_post_field_a_link_is_only_a_link() {
        let u = of("List-Unsubscribe: <https://example.org/u/abc>").unwrap_or_default();
        assert_eq!(u.one_click, None);
        assert_eq!(u.web.as_deref(), Some("https://example.org/u/abc"));
        let u = of("List-Unsubscribe: <https://example.org/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=Maybe").unwrap_or_default();
        assert_eq!(u.one_click, None);
    }

    #[test]
    fn nothing_offered_is_none() {
        assert_eq!(of("Subject: hi"), None);
        assert_eq!(of("List-Unsubscribe: leave please"), None);
        assert_eq!(of("List-Unsubscribe: <javascript:alert(1)>"), None);
        let long = format!(
            "List-Unsubscribe: <https://example.org/{}>",
            "a".repeat(3_000)
        );
        assert_eq!(of(&long), None);
    }

    #[test]
    fn folded_uris_are_unfolded() {
        let u = of("List-Unsubscribe: <https://example.org/\r\n u/abc>").unwrap_or_default();
        assert_eq!(u.web.as_deref(), Some("https://example.org/u/abc"));
    }
}
