//! The sender as the reader sees it: From's display name and address, and
//! where replies go. A display name can say anything, including an
//! address or a domain that is not the sender's.

use mail_parser::{Address, Message};

use crate::domain;

/// Characters of a display name looked at.
const MAX_NAME: usize = 1_000;
/// Reply-To addresses looked at.
pub const MAX_REPLY_TO: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: Option<String>,
    pub address: Option<String>,
    /// The address's domain, ASCII.
    pub domain: Option<String>,
}

/// The first mailbox of From.
pub fn from(msg: &Message<'_>) -> Option<Sender> {
    let first = msg.from()?.first()?;
    let address = first.address().map(|a| a.trim().to_owned());
    Some(Sender {
        name: first.name().map(|n| n.chars().take(MAX_NAME).collect()),
        domain: address.as_deref().and_then(domain::of_address),
        address,
    })
}

/// The addresses of Reply-To.
pub fn reply_to(msg: &Message<'_>) -> Vec<String> {
    let Some(list) = msg.reply_to() else {
        return Vec::new();
    };
    let all = match list {
        Address::List(l) => l.iter().collect::<Vec<_>>(),
        Address::Group(g) => g.iter().flat_map(|g| g.addresses.iter()).collect(),
    };
    all.into_iter()
        .filter_map(|a| a.address())
        .take(MAX_REPLY_TO)
        .map(|a| a.trim().to_owned())
        .collect()
}

/// The address of a mailing list's `List-Post` (`<mailto:list@host>`),
/// lowercased: a list's own Reply-To is no surprise.
pub fn list_post(msg: &Message<'_>) -> Option<String> {
    let (_, value) = msg
        .headers_raw()
        .find(|(name, _)| name.eq_ignore_ascii_case("List-Post"))?;
    let lower = value.to_ascii_lowercase();
    let start = lower.find("mailto:")? + "mailto:".len();
    let address: String = lower[start..]
        .chars()
        .take_while(|c| !matches!(c, '>' | '?' | ',') && !c.is_whitespace())
        .collect();
    address.contains('@').then_some(address)
}

/// What a display name claims to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An address (as written), with its domain (ASCII).
    Address(String, String),
    /// A domain name (ASCII).
    Domain(String),
}

fn address_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-".contains(c)
}

fn host_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// The addresses and domain names written in a display name.
pub fn claims(name: &str) -> Vec<Claim> {
    let chars: Vec<char> = name.chars().take(MAX_NAME).collect();
    let mut out = Vec::new();
    let mut used = vec![false; chars.len()];
    for at in (0..chars.len()).filter(|i| chars[*i] == '@') {
        let start = (0..at)
            .rev()
            .take_while(|i| address_char(chars[*i]))
            .last()
            .unwrap_or(at);
        let mut end = (at + 1..chars.len())
            .take_while(|i| host_char(chars[*i]))
            .last()
            .map_or(at + 1, |i| i + 1);
        while end > at + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        if start == at || end == at + 1 {
            continue;
        }
        let host: String = chars[at + 1..end].iter().collect();
        if let Some(ascii) = domain::to_ascii(&host).filter(|h| h.contains('.')) {
            used[start..end].iter_mut().for_each(|u| *u = true);
            out.push(Claim::Address(chars[start..end].iter().collect(), ascii));
        }
    }
    let rest: String = chars
        .iter()
        .zip(&used)
        .map(|(c, u)| if *u { ' ' } else { *c })
        .collect();
    for token in rest.split(|c: char| !host_char(c)) {
        let token = token.trim_matches(['.', '-']);
        if !token.contains('.') || !token.chars().any(char::is_alphabetic) {
            continue;
        }
        if let Some(ascii) = domain::to_ascii(token).filter(|a| domain::has_known_suffix(a)) {
            out.push(Claim::Domain(ascii));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_domains_in_names() {
        assert_eq!(
            claims("\"support@apple.com\""),
            vec![Claim::Address(
                "support@apple.com".into(),
                "apple.com".into()
            )]
        );
        assert_eq!(
            claims("PayPal.com Service"),
            vec![Claim::Domain("paypal.com".into())]
        );
        assert_eq!(
            claims("Alice (alice@example.org) via www.lists.example.net."),
            vec![
                Claim::Address("alice@example.org".into(), "example.org".into()),
                Claim::Domain("www.lists.example.net".into())
            ]
        );
        assert_eq!(
            claims("Service Client münchen.de"),
            vec![Claim::Domain("xn--mnchen-3ya.de".into())]
        );
        for plain in [
            "Alice Martin",
            "Dr. J. Smith",
            "J.Smith",
            "Version 2.0 team",
            "@home",
            "someone@",
            "Marie-Hélène",
            "",
        ] {
            assert_eq!(claims(plain), vec![], "{plain}");
        }
        let long = "a@b.com ".repeat(10_000);
        assert!(claims(&long).len() <= MAX_NAME / 8 + 1);
    }

    #[test]
    fn the_list_post_address() {
        let raw =
            b"From: <a@x.test>\r\nList-Post: <mailto:Dev@Lists.Project.test?subject=x>\r\n\r\n";
        let m = mail_parser::MessageParser::default()
            .parse_headers(raw)
            .expect("headers");
        assert_eq!(list_post(&m).as_deref(), Some("dev@lists.project.test"));
    }
}
