//! `Authentication-Results` (RFC 8601) read with its grammar:
//! `authserv-id [version] ; method[/version]=result [reason=value]
//! [ptype.property=value …] ; …`, comments in parentheses (nested, with
//! quoted pairs) and quoted strings anywhere CFWS or a value may be.
//! Only headers whose authserv-id is one of ours are trusted: anyone can
//! write such a header, but the receiving server adds its own on top.

/// A header longer than this is read up to here.
const MAX_VALUE: usize = 16 * 1024;
/// Results kept from one header.
const MAX_RESULTS: usize = 64;
/// `Authentication-Results` headers looked at per message.
pub const MAX_HEADERS: usize = 32;

/// One `method=result` with its reason and properties (lowercased names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    pub method: String,
    pub result: String,
    pub reason: Option<String>,
    /// `(ptype.property, value)`, e.g. `("header.d", "example.com")`.
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// Lowercased.
    pub authserv_id: String,
    pub results: Vec<MethodResult>,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips folding white space and comments.
    fn cfws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'(' => self.comment(),
                _ => break,
            }
        }
    }

    fn comment(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn quoted(&mut self) -> String {
        let mut out = Vec::new();
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => {
                    if let Some(n) = self.peek() {
                        out.push(n);
                        self.i += 1;
                    }
                }
                b'"' => break,
                b'\r' | b'\n' => {}
                _ => out.push(c),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Letters, digits, `-` and `_` (a method, result, ptype or property).
    fn keyword(&mut self) -> Option<String> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            self.i += 1;
        }
        (self.i > start)
            .then(|| String::from_utf8_lossy(&self.s[start..self.i]).to_ascii_lowercase())
    }

    /// A value: a quoted string, or anything up to white space, a comment or `;`.
    fn value(&mut self) -> String {
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'(' | b';' | b'"'))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// After an unreadable result: on to the next `;` outside quotes and comments.
    fn skip_result(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b';' => return,
                b'(' => self.comment(),
                b'"' => {
                    self.quoted();
                }
                _ => self.i += 1,
            }
        }
    }

    fn result(&mut self) -> Option<MethodResult> {
        self.cfws();
        let method = self.keyword()?;
        self.cfws();
        if self.eat(b'/') {
            self.cfws();
            self.keyword()?;
            self.cfws();
        }
        if !self.eat(b'=') {
            return None;
        }
        self.cfws();
        let result = self.keyword()?;
        let mut out = MethodResult {
            method,
            result,
            reason: None,
            properties: Vec::new(),
        };
        loop {
            self.cfws();
            if matches!(self.peek(), None | Some(b';')) {
                return Some(out);
            }
            let Some(name) = self.keyword() else {
                self.skip_result();
                return Some(out);
            };
            self.cfws();
            if name == "reason" && self.eat(b'=') {
                self.cfws();
                out.reason = Some(self.value());
            } else if self.eat(b'.') {
                self.cfws();
                let property = self.keyword().unwrap_or_default();
                self.cfws();
                if !self.eat(b'=') {
                    self.skip_result();
                    return Some(out);
                }
                self.cfws();
                let value = self.value();
                if out.properties.len() < 16 {
                    out.properties.push((format!("{name}.{property}"), value));
                }
            } else {
                self.skip_result();
                return Some(out);
            }
        }
    }
}

/// Reads one header value (after `Authentication-Results:`).
pub fn parse(value: &str) -> Option<AuthResults> {
    let bytes = value.as_bytes();
    let mut c = Cursor {
        s: &bytes[..bytes.len().min(MAX_VALUE)],
        i: 0,
    };
    c.cfws();
    let authserv_id = match c.peek() {
        Some(b'"') => c.quoted(),
        _ => c.value(),
    }
    .trim()
    .to_ascii_lowercase();
    if authserv_id.is_empty() {
        return None;
    }
    c.cfws();
    // An optional version number.
    while c.peek().is_some_and(|b| b.is_ascii_digit()) {
        c.i += 1;
    }
    let mut results = Vec::new();
    loop {
        c.cfws();
        if !c.eat(b';') {
            break;
        }
        let start = c.i;
        match c.result() {
            Some(r) if r.method == "none" => {}
            Some(r) => {
                if results.len() < MAX_RESULTS {
                    results.push(r);
                }
            }
            None => {
                // `; none` has no `=`: nothing was checked.
                c.i = start;
                c.skip_result();
            }
        }
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// What the trusted header says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    pub authserv_id: Option<String>,
    pub spf: Option<MethodResult>,
    pub dkim: Vec<MethodResult>,
    pub dmarc: Option<MethodResult>,
    /// RFC 8601 §2.7.4: the receiving server authenticated the submitting
    /// client (`auth=pass smtp.auth=user@domain`): mail of its own users.
    pub auth: Option<MethodResult>,
}

impl Results {
    fn from_header(parsed: AuthResults) -> Results {
        let mut out = Results {
            authserv_id: Some(parsed.authserv_id),
            ..Results::default()
        };
        for r in parsed.results {
            match r.method.as_str() {
                "spf" if out.spf.is_none() => out.spf = Some(r),
                "dmarc" if out.dmarc.is_none() => out.dmarc = Some(r),
                "auth" if out.auth.is_none() => out.auth = Some(r),
                "dkim" => out.dkim.push(r),
                _ => {}
            }
        }
        out
    }
}

/// The results of the topmost header written by one of `authserv_ids`
/// (compared without case); `None` when there is no such header.
/// `headers` are the values of the `Authentication-Results` fields,
/// topmost first. The receiving server adds its header above everything
/// the message came with, so a lower one carrying the same authserv-id is
/// the sender's and is not read (not even for a method the top one lacks).
pub fn trusted<'a>(
    headers: impl IntoIterator<Item = &'a str>,
    authserv_ids: &[String],
) -> Option<Results> {
    headers
        .into_iter()
        .take(MAX_HEADERS)
        .filter_map(parse)
        .find(|parsed| {
            authserv_ids
                .iter()
                .any(|id| id.trim().eq_ignore_ascii_case(&parsed.authserv_id))
        })
        .map(Results::from_header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_grammar_with_comments_and_quotes() {
        let h = " mx.example.org (our \"mx\" (nested; comment));\r\n\tspf=pass (sender IP is 192.0.2.1; ok) \
                 smtp.mailfrom=bounce@mail.example.com;\r\n dkim = pass reason=\"good; sig\" header.d=example.com \
                 header.b=Ab/+c=;\r\n dmarc=fail (p=reject) header.from=\"example.com\"; arc/1=none";
        let r = parse(h).expect("parsed");
        assert_eq!(r.authserv_id, "mx.example.org");
        assert_eq!(r.results.len(), 4);
        assert_eq!(r.results[0].method, "spf");
        assert_eq!(
            r.results[0].property("smtp.mailfrom"),
            Some("bounce@mail.example.com")
        );
        assert_eq!(r.results[1].result, "pass");
        assert_eq!(r.results[1].reason.as_deref(), Some("good; sig"));
        assert_eq!(r.results[1].property("header.d"), Some("example.com"));
        assert_eq!(r.results[1].property("header.b"), Some("Ab/+c="));
        assert_eq!(r.results[2].result, "fail");
        assert_eq!(r.results[2].property("header.from"), Some("example.com"));
        assert_eq!(r.results[3].method, "arc");
    }

    #[test]
    fn version_none_and_junk() {
        let r = parse("\"Example MX\" 1; none").expect("parsed");
        assert_eq!(r.authserv_id, "example mx");
        assert!(r.results.is_empty());
        let r = parse("mx.example.org; ???; spf=softfail; =x; dkim=").expect("parsed");
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].result, "softfail");
        assert_eq!(parse("  (only a comment)  "), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn only_our_servers_are_trusted() {
        let ids = vec!["MX.Example.org".to_owned()];
        let forged = "mx.example.org.evil.test; dmarc=pass header.from=paypal.com";
        let ours =
            "mx.example.org; spf=fail smtp.mailfrom=paypal.com; dmarc=fail header.from=paypal.com";
        assert_eq!(trusted([forged], &ids), None);
        let r = trusted([forged, ours], &ids).expect("ours");
        assert_eq!(r.authserv_id.as_deref(), Some("mx.example.org"));
        assert_eq!(r.dmarc.map(|d| d.result).as_deref(), Some("fail"));
        // A sender's own header with our id below ours is not read, not
        // even for the method ours lacks.
        let below = "mx.example.org; dmarc=pass; spf=pass; dkim=pass header.d=paypal.com";
        let r = trusted([ours, below], &ids).expect("ours");
        assert_eq!(r.spf.map(|s| s.result).as_deref(), Some("fail"));
        assert_eq!(r.dmarc.map(|s| s.result).as_deref(), Some("fail"));
        assert!(r.dkim.is_empty());
        assert_eq!(trusted([ours], &[]), None, "no authserv-id configured");
    }

    #[test]
    fn huge_and_crowded_headers_stay_bounded() {
        let many = format!("mx; {}", "spf=pass; ".repeat(10_000));
        assert_eq!(parse(&many).map(|r| r.results.len()), Some(MAX_RESULTS));
        let long = format!("mx; spf=pass reason=\"{}", "x".repeat(1 << 20));
        assert_eq!(parse(&long).map(|r| r.results.len()), Some(1));
        let comments = format!("mx; {}", "(".repeat(100_000));
        assert_eq!(parse(&comments).map(|r| r.results.len()), Some(0));
    }
}
