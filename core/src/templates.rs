//! Reply templates: texts a user saves under a name and inserts while
//! writing. `{name}` and `{first_name}` in a template become the first
//! recipient's name (as written in To, else as the address book knows it,
//! else nothing) when it is inserted.

use estafette_mail::compose::first_recipient;
pub use estafette_store::Template;
use estafette_store::TemplateRefusal;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

const MAX_TEMPLATES: i64 = 50;
const MAX_NAME_CHARS: usize = 80;
const MAX_BODY_CHARS: usize = 20_000;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

/// The name and text as typed, checked: a name on one line, a text of
/// reasonable length (line ends made `\n`).
fn checked(name: &str, body: &str) -> Result<(String, String), CoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("A template needs a name."));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("A template's name is one line of text."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "A template's name has at most {MAX_NAME_CHARS} characters."
        )));
    }
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim_end();
    if body.trim().is_empty() {
        return Err(invalid("A template needs a text."));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(invalid(format!(
            "A template has at most {MAX_BODY_CHARS} characters."
        )));
    }
    Ok((name.to_owned(), body.to_owned()))
}

/// `body` with its placeholders filled in for a recipient named `name`.
/// Unknown placeholders stay as written.
pub fn fill(body: &str, name: Option<&str>) -> String {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        // "Bonjour {first_name}," with no name reads "Bonjour,".
        return body
            .replace(" {first_name}", "")
            .replace(" {name}", "")
            .replace("{first_name}", "")
            .replace("{name}", "");
    }
    // "Martin, Alice" is written family name first.
    let given = match name.split_once(',') {
        Some((_, given)) if !given.trim().is_empty() => given,
        _ => name,
    };
    let first = given
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric() && !"-'’".contains(c));
    body.replace("{first_name}", first).replace("{name}", name)
}

impl Services {
    /// The user's templates, by name.
    pub async fn templates(&self, who: &SignedIn) -> Result<Vec<Template>, CoreError> {
        Ok(self.store.templates(who.0.account.id).await?)
    }

    /// Adds a template (`id` 0) or changes one of the user's; returns its id.
    pub async fn save_template(
        &self,
        who: &SignedIn,
        id: i64,
        name: &str,
        body: &str,
    ) -> Result<i64, CoreError> {
        let (name, body) = checked(name, body)?;
        let account = who.0.account.id;
        match self
            .store
            .save_template(account, id, &name, &body, MAX_TEMPLATES)
            .await?
        {
            Ok(id) => Ok(id),
            Err(TemplateRefusal::Full) => Err(invalid(format!(
                "At most {MAX_TEMPLATES} templates per account."
            ))),
            Err(TemplateRefusal::NameTaken) => {
                Err(invalid("Another template already has that name."))
            }
            Err(TemplateRefusal::NotFound) => Err(CoreError::NotFound("template".into())),
        }
    }

    pub async fn remove_template(&self, who: &SignedIn, id: i64) -> Result<(), CoreError> {
        match self.store.remove_template(who.0.account.id, id).await? {
            true => Ok(()),
            false => Err(CoreError::NotFound("template".into())),
        }
    }

    /// Template `id` of the user, filled in for the first recipient of `to`.
    pub async fn fill_template(
        &self,
        who: &SignedIn,
        id: i64,
        to: &str,
    ) -> Result<String, CoreError> {
        let account = who.0.account.id;
        let template = self
            .store
            .template(account, id)
            .await?
            .ok_or_else(|| CoreError::NotFound("template".into()))?;
        let (mut name, address) = first_recipient(to);
        if let (None, Some(address)) = (&name, &address) {
            name = self
                .store
                .cards_with(account, "e", address)
                .await?
                .into_iter()
                .map(|c| c.fields.name)
                .find(|n| !n.trim().is_empty());
        }
        if let (None, Some(address)) = (&name, &address) {
            name = self
                .store
                .contacts_matching(account, address, 50)
                .await?
                .into_iter()
                .find(|c| c.address == *address)
                .map(|c| c.name)
                .filter(|n| !n.trim().is_empty());
        }
        Ok(fill(&template.body, name.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_the_first_recipients_name() {
        assert_eq!(
            fill(
                "Bonjour {first_name},\n{name} {unknown}",
                Some("Alice Martin")
            ),
            "Bonjour Alice,\nAlice Martin {unknown}"
        );
        assert_eq!(fill("Bonjour {name},", None), "Bonjour,");
        assert_eq!(
            fill("Bonjour {first_name},", Some("Martin, Alice")),
            "Bonjour Alice,"
        );
        assert_eq!(fill("Merci {name} !", Some("  ")), "Merci !");
    }

    #[test]
    fn names_and_texts_are_checked() {
        assert!(checked("Merci", "Merci beaucoup !").is_ok());
        assert_eq!(
            checked("  Merci ", "a\r\nb\r\n\r\n").expect("ok"),
            ("Merci".to_owned(), "a\nb".to_owned())
        );
        for (name, body) in [
            ("", "x"),
            ("a\r\nb", "x"),
            ("a\tb", "x"),
            ("n", "  \n "),
            (&"n".repeat(81), "x"),
            ("n", &"x".repeat(20_001)),
        ] {
            assert!(checked(name, body).is_err(), "{name:?}");
        }
    }
}
