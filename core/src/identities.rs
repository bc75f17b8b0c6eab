//! The names and addresses a user sends as, each with its signature; one is
//! the default. Without any, the account's own address is the identity.
//! Whether an address may be used is the submission server's decision (it
//! authenticates the user and should refuse senders that are not theirs).

use estafette_mail::compose;
pub use estafette_store::{Identity, IdentityFields};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

const MAX_IDENTITIES: usize = 20;
const MAX_NAME_CHARS: usize = 100;
const MAX_SIGNATURE_CHARS: usize = 10_000;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

/// The fields as typed, checked: a name on one line, a real address, a
/// signature of reasonable length (line ends made `\n`).
fn checked(fields: &IdentityFields) -> Result<IdentityFields, CoreError> {
    let name = fields.name.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "A name has at most {MAX_NAME_CHARS} characters."
        )));
    }
    compose::sender(name, &fields.email)?;
    if fields.signature.chars().count() > MAX_SIGNATURE_CHARS {
        return Err(invalid(format!(
            "A signature has at most {MAX_SIGNATURE_CHARS} characters."
        )));
    }
    Ok(IdentityFields {
        name: name.to_owned(),
        email: fields.email.trim().to_owned(),
        signature: fields.signature.replace("\r\n", "\n").trim_end().to_owned(),
    })
}

/// The identity a message from `name <email>` was written as: the one with
/// that name and address, else one with that address.
pub fn written_as<'a>(identities: &'a [Identity], email: &str, name: &str) -> Option<&'a Identity> {
    let same_address = |i: &&Identity| i.email.eq_ignore_ascii_case(email);
    identities
        .iter()
        .filter(same_address)
        .find(|i| i.name == name)
        .or_else(|| identities.iter().find(same_address))
}

impl Services {
    /// The user's identities, the default first.
    pub async fn identities(&self, who: &SignedIn) -> Result<Vec<Identity>, CoreError> {
        let account = &who.0.account;
        let list = self.store.identities(account.id).await?;
        if list.is_empty() {
            return Ok(vec![Identity {
                id: 0,
                name: String::new(),
                email: account.email.clone(),
                signature: String::new(),
                is_default: true,
            }]);
        }
        Ok(list)
    }

    /// Adds an identity (`id` 0) or changes one of the user's; returns its id.
    pub async fn save_identity(
        &self,
        who: &SignedIn,
        id: i64,
        fields: &IdentityFields,
    ) -> Result<i64, CoreError> {
        let fields = checked(fields)?;
        let account = who.0.account.id;
        if id != 0 {
            return match self.store.update_identity(account, id, &fields).await? {
                true => Ok(id),
                false => Err(invalid("That identity is not yours.")),
            };
        }
        if self.store.identities(account).await?.len() >= MAX_IDENTITIES {
            return Err(invalid(format!(
                "At most {MAX_IDENTITIES} identities per account."
            )));
        }
        Ok(self.store.add_identity(account, &fields).await?)
    }

    pub async fn remove_identity(&self, who: &SignedIn, id: i64) -> Result<(), CoreError> {
        match self.store.remove_identity(who.0.account.id, id).await? {
            true => Ok(()),
            false => Err(invalid("That identity is not yours.")),
        }
    }

    pub async fn make_default_identity(&self, who: &SignedIn, id: i64) -> Result<(), CoreError> {
        match self
            .store
            .set_default_identity(who.0.account.id, id)
            .await?
        {
            true => Ok(()),
            false => Err(invalid("That identity is not yours.")),
        }
    }

    /// Who a message is from: identity `id` of the user, or the default.
    pub(crate) async fn sender_of(
        &self,
        who: &SignedIn,
        id: Option<i64>,
    ) -> Result<(String, String), CoreError> {
        let list = self.identities(who).await?;
        let chosen = match id {
            Some(id) => list.iter().find(|i| i.id == id),
            None => list.iter().find(|i| i.is_default).or(list.first()),
        }
        .ok_or_else(|| invalid("That identity is not yours."))?;
        Ok((chosen.name.clone(), chosen.email.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_written_as_the_identity_with_its_name_and_address() {
        let id = |id, name: &str, email: &str| Identity {
            id,
            name: name.into(),
            email: email.into(),
            signature: String::new(),
            is_default: id == 1,
        };
        let list = [
            id(1, "Alice", "alice@example.test"),
            id(2, "Alice (work)", "Alice@Example.test"),
            id(3, "Sales", "sales@example.test"),
        ];
        let of = |email, name| written_as(&list, email, name).map(|i| i.id);
        assert_eq!(of("alice@example.test", "Alice (work)"), Some(2));
        assert_eq!(
            of("ALICE@example.test", "Someone"),
            Some(1),
            "the address alone"
        );
        assert_eq!(of("sales@example.test", "Sales"), Some(3));
        assert_eq!(of("bob@example.test", "Alice"), None);
    }
}
