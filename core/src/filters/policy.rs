//! Forwarding outside the organisation: the admin's choice (refused unless
//! allowed), the organisation's domains, and the addresses a script sends
//! copies to, found by reading its tokens (comments and strings skipped as
//! Sieve reads them).

use crate::{CoreError, Services};

const FORWARD_POLICY_KEY: &str = "forward_outside_organisation";

impl Services {
    pub async fn forwarding_outside_allowed(&self) -> Result<bool, CoreError> {
        Ok(self.store.setting(FORWARD_POLICY_KEY).await?.as_deref() == Some("true"))
    }

    pub async fn set_forwarding_outside(
        &self,
        actor: crate::accounts::Actor<'_>,
        allowed: bool,
    ) -> Result<(), CoreError> {
        let value = if allowed { "true" } else { "false" };
        self.store.set_setting(FORWARD_POLICY_KEY, value).await?;
        self.audit(actor, "forward_outside_policy", "instance", Some(value))
            .await;
        Ok(())
    }

    /// The organisation's domains: configured, or those of the accounts.
    pub async fn organisation_domains(&self) -> Result<Vec<String>, CoreError> {
        let configured = &self.config.mail.organisation_domains;
        if !configured.is_empty() {
            return Ok(configured.clone());
        }
        let mut domains: Vec<String> = self
            .store
            .list_accounts("")
            .await?
            .into_iter()
            .filter_map(|a| a.email.rsplit_once('@').map(|(_, d)| d.to_lowercase()))
            .collect();
        domains.sort();
        domains.dedup();
        Ok(domains)
    }

    pub(super) async fn check_forwarding<'a>(
        &self,
        mut addresses: impl Iterator<Item = &'a str>,
    ) -> Result<(), CoreError> {
        if self.forwarding_outside_allowed().await? {
            return Ok(());
        }
        let domains = self.organisation_domains().await?;
        match addresses.find(|a| !inside(a, &domains)) {
            Some(outside) => Err(CoreError::Invalid(format!(
                "Your organisation does not allow forwarding outside its domains ({outside})."
            ))),
            None => Ok(()),
        }
    }
}

/// Where a script sends mail: the string arguments of `redirect`, and the
/// `mailto:` targets of `notify`. `Err` when one cannot be told (a variable).
pub fn destinations(script: &str) -> Result<Vec<String>, CoreError> {
    let tokens = tokens(script);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let command = match &tokens[i] {
            Token::Word(w) if w.eq_ignore_ascii_case("redirect") => Some(false),
            Token::Word(w) if w.eq_ignore_ascii_case("notify") => Some(true),
            _ => None,
        };
        i += 1;
        let Some(notify) = command else { continue };
        while i < tokens.len() && tokens[i] != Token::End {
            if let Token::Str(s) = &tokens[i] {
                let target = if notify {
                    s.strip_prefix("mailto:")
                        .map(|t| t.split('?').next().unwrap_or_default())
                } else {
                    Some(s.as_str())
                };
                if let Some(t) = target {
                    if t.contains("${") {
                        return Err(CoreError::Invalid(
                            "A forwarding address made of variables cannot be checked against your organisation's policy.".into(),
                        ));
                    }
                    out.extend(t.split(',').map(|a| a.trim().to_lowercase()));
                }
            }
            i += 1;
        }
    }
    Ok(out)
}

/// Whether `address` belongs to one of `domains` (or a subdomain of one).
pub fn inside(address: &str, domains: &[String]) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim_end_matches('>').to_lowercase();
    domains.iter().any(|d| {
        let d = d.trim().to_lowercase();
        !d.is_empty() && (domain == d || domain.ends_with(&format!(".{d}")))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(String),
    /// `;`, `{` or `}`: a command's arguments end.
    End,
}

fn tokens(script: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => s.extend(chars.next()),
                        c => s.push(c),
                    }
                }
                out.push(Token::Str(s));
            }
            ';' | '{' | '}' => out.push(Token::End),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut w = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        w.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if w.eq_ignore_ascii_case("text") && chars.peek() == Some(&':') {
                    // A multi-line string: up to a line that is a lone dot.
                    chars.next();
                    let rest: String = chars.by_ref().collect();
                    let mut body = String::new();
                    let mut lines = rest.split_inclusive('\n');
                    lines.next(); // the rest of the `text:` line
                    let mut after = String::new();
                    let mut ended = false;
                    for line in lines {
                        if ended {
                            after.push_str(line);
                        } else if line.trim_end_matches(['\r', '\n']) == "." {
                            ended = true;
                        } else {
                            // Dot-stuffing: a line of the text that begins with a dot has two.
                            body.push_str(if line.starts_with("..") {
                                &line[1..]
                            } else {
                                line
                            });
                        }
                    }
                    out.push(Token::Str(body));
                    out.extend(tokens(&after));
                    return out;
                }
                out.push(Token::Word(w));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_where_a_script_forwards() {
        let script = "require [\"copy\", \"enotify\"];\n# redirect \"commented@out.example\";\n/* redirect \"also@out.example\"; */\nif true { redirect :copy \"Thief@Evil.Example\"; }\nnotify :message \"x\" \"mailto:spy@evil.example?subject=x\";\nredirect text:\nmulti@evil.example\n.\n;\nkeep;";
        let found = destinations(script).map_err(|e| e.to_string());
        assert_eq!(
            found,
            Ok(vec![
                "thief@evil.example".to_owned(),
                "spy@evil.example".to_owned(),
                "multi@evil.example".to_owned()
            ])
        );
        assert!(destinations("require \"variables\"; redirect \"${x}@evil.example\";").is_err());
    }

    #[test]
    fn inside_is_the_domain_or_below() {
        let domains = vec!["example.test".to_owned()];
        assert!(inside("a@example.test", &domains));
        assert!(inside("a@mail.Example.TEST", &domains));
        assert!(!inside("a@example.test.evil", &domains));
        assert!(!inside("a@notexample.test", &domains));
        assert!(!inside("nobody", &domains));
    }
}
