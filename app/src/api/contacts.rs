//! The address book (see `estafette_core::address_book` and `carddav`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: i64,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organisation: String,
    pub notes: String,
    pub groups: Vec<String>,
}

impl ContactView {
    /// What the contact is called: the name, else the first address.
    pub fn shown_name(&self) -> String {
        if self.name.is_empty() {
            self.emails.first().cloned().unwrap_or_default()
        } else {
            self.name.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub name: String,
    pub members: usize,
}

/// The address book page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBookView {
    pub contacts: Vec<ContactView>,
    pub groups: Vec<GroupView>,
    /// Whether the contacts are kept in step with a CardDAV server.
    pub carddav: bool,
}

/// What a sync with the CardDAV server did, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncView {
    pub error: Option<String>,
    pub received: usize,
    pub removed: usize,
    pub sent: usize,
    pub kept_both: usize,
}

/// What an import (`POST /contacts.vcf`, the file as the body) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub added: usize,
    pub updated: usize,
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedView {
    pub id: i64,
    /// False when a contact had that address already.
    pub new: bool,
}

/// The user's contacts, by name, and their groups.
#[server(prefix = "/api", endpoint = "contacts")]
pub async fn contacts() -> Result<AddressBookView, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let services = services()?;
    let contacts = services
        .contacts(&who)
        .await?
        .into_iter()
        .map(|c| ContactView {
            id: c.id,
            name: c.name,
            emails: c.emails,
            phones: c.phones,
            organisation: c.organisation,
            notes: c.notes,
            groups: c.groups,
        })
        .collect();
    let groups = services
        .contact_groups(&who)
        .await?
        .into_iter()
        .map(|g| GroupView {
            name: g.name,
            members: g.members,
        })
        .collect();
    Ok(AddressBookView {
        contacts,
        groups,
        carddav: services.carddav_configured(),
    })
}

/// Adds a contact (`id` 0) or changes one; the lists are one value per
/// line (groups may be separated by commas too). Returns its id.
#[server(prefix = "/api", endpoint = "save_contact")]
pub async fn save_contact(
    id: i64,
    name: String,
    emails: String,
    phones: String,
    organisation: String,
    notes: String,
    groups: String,
) -> Result<i64, AppError> {
    use super::context::{services, signed_in};
    use estafette_core::address_book::ContactForm;
    let who = signed_in()?;
    let form = ContactForm {
        name,
        emails,
        phones,
        organisation,
        notes,
        groups,
    };
    Ok(services()?.save_contact(&who, id, &form).await?)
}

#[server(prefix = "/api", endpoint = "remove_contact")]
pub async fn remove_contact(id: i64) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.remove_contact(&who, id).await?)
}

/// Keeps a message's sender (the name and address its From gives) as a
/// contact.
#[server(prefix = "/api", endpoint = "add_sender")]
pub async fn add_sender(name: String, address: String) -> Result<AddedView, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let (id, new) = services()?.add_sender(&who, &name, &address).await?;
    Ok(AddedView { id, new })
}

/// The recipients of a message to a group, as the To field takes them.
#[server(prefix = "/api", endpoint = "group_recipients")]
pub async fn group_recipients(group: String) -> Result<String, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.group_recipients(&who, &group).await?.join(", "))
}

/// Syncs with the CardDAV server now; `None` when there is none.
#[server(prefix = "/api", endpoint = "sync_contacts")]
pub async fn sync_contacts() -> Result<Option<SyncView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .sync_contacts(&who)
        .await?
        .map(|outcome| match outcome {
            Ok(s) => SyncView {
                error: None,
                received: s.received,
                removed: s.removed,
                sent: s.sent,
                kept_both: s.kept_both,
            },
            Err(error) => SyncView {
                error: Some(error),
                received: 0,
                removed: 0,
                sent: 0,
                kept_both: 0,
            },
        }))
}
