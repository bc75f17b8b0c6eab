//! The address book: people each user keeps (a name, several addresses,
//! phones, an organisation, notes, groups), added by hand, from a message's
//! sender in one click, or from `.vcf` files; exported as vCards; offered
//! first when addresses are completed; a group written to as a whole. With
//! `[carddav] url` the cards are also kept in step with the user's books on
//! that server (see `carddav`).

use estafette_dav::vcard::{self, Card};
use estafette_store::{CardFields, CardRefusal, CardRow};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Most cards per account.
pub const MAX_CARDS: i64 = 5_000;
const MAX_VALUES: usize = 20;
const MAX_LINE: usize = 200;
const MAX_PHONE: usize = 40;
const MAX_NOTES: usize = 5_000;
/// The largest `.vcf` file read at once.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

/// A card as the address book shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organisation: String,
    pub notes: String,
    pub groups: Vec<String>,
}

impl Contact {
    /// What the contact is called: the name, else the first address.
    pub fn shown_name(&self) -> &str {
        if self.name.is_empty() {
            self.emails.first().map(String::as_str).unwrap_or_default()
        } else {
            &self.name
        }
    }
}

impl From<CardRow> for Contact {
    fn from(row: CardRow) -> Self {
        let f = row.fields;
        Contact {
            id: row.id,
            name: f.name,
            emails: f.emails,
            phones: f.phones,
            organisation: f.organisation,
            notes: f.notes,
            groups: f.groups,
        }
    }
}

/// A group, and how many contacts are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub members: usize,
}

/// The fields of a card as typed (one value per line for the lists).
#[derive(Debug, Clone, Default)]
pub struct ContactForm {
    pub name: String,
    pub emails: String,
    pub phones: String,
    pub organisation: String,
    pub notes: String,
    pub groups: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    pub added: usize,
    pub updated: usize,
    /// Parts of the file that were not cards, or cards past the limit.
    pub skipped: usize,
}

/// The refusal of a `.vcf` file over `MAX_IMPORT_BYTES`.
pub fn too_large_import() -> CoreError {
    CoreError::TooLarge(format!(
        "A contacts file has at most {} MB.",
        MAX_IMPORT_BYTES / (1024 * 1024)
    ))
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

/// `text` on one line: control characters (line breaks among them) become
/// spaces, and runs of spaces one.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `address` is one mail address (`local@domain`, nothing else).
pub fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address.len() <= 254
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c))
}

/// Values typed one per line (or separated by commas, for groups).
fn values(text: &str, commas: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let parts = text.split(|c| c == '\n' || c == '\r' || (commas && c == ','));
    for part in parts.map(one_line).filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&part)) {
            out.push(part);
        }
    }
    out
}

/// A card's fields, checked and tidied: the same rules for what the user
/// types, what a `.vcf` file holds and what the CardDAV server sends.
fn tidy(uid: String, card: Card, strict: bool) -> Result<CardFields, CoreError> {
    let name = one_line(&card.name);
    let organisation = one_line(&card.organisation);
    let notes: String = card
        .notes
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let notes = notes.trim().to_owned();
    let mut emails = Vec::new();
    for e in card.emails.iter().map(|e| one_line(e).to_lowercase()) {
        if !is_address(&e) {
            if strict {
                return Err(invalid(format!("`{e}` is not an email address.")));
            }
            continue;
        }
        if !emails.contains(&e) {
            emails.push(e);
        }
    }
    let phones = values(&card.phones.join("\n"), false);
    let groups = values(&card.groups.join("\n"), false);
    if strict {
        if name.chars().count() > MAX_LINE || organisation.chars().count() > MAX_LINE {
            return Err(invalid(format!(
                "A name or an organisation has at most {MAX_LINE} characters."
            )));
        }
        if notes.chars().count() > MAX_NOTES {
            return Err(invalid(format!(
                "Notes have at most {MAX_NOTES} characters."
            )));
        }
        if emails.len() > MAX_VALUES || phones.len() > MAX_VALUES || groups.len() > MAX_VALUES {
            return Err(invalid(format!(
                "A contact has at most {MAX_VALUES} addresses, phones and groups."
            )));
        }
        if phones.iter().any(|p| {
            p.chars().count() > MAX_PHONE
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().#*/pw".contains(c))
        }) {
            return Err(invalid(
                "A phone number has digits, spaces and + - ( ) only.",
            ));
        }
        if groups.iter().any(|g| g.chars().count() > 60) {
            return Err(invalid("A group's name has at most 60 characters."));
        }
    }
    if name.is_empty() && emails.is_empty() {
        return Err(invalid("A contact needs a name or an email address."));
    }
    let cut = |s: String, n: usize| s.chars().take(n).collect::<String>();
    Ok(CardFields {
        uid,
        name: cut(name, MAX_LINE),
        emails: emails.into_iter().take(MAX_VALUES).collect(),
        phones: phones
            .into_iter()
            .take(MAX_VALUES)
            .map(|p| cut(p, MAX_PHONE))
            .collect(),
        organisation: cut(organisation, MAX_LINE),
        notes: cut(notes, MAX_NOTES),
        groups: groups
            .into_iter()
            .take(MAX_VALUES)
            .map(|g| cut(g, 60))
            .collect(),
    })
}

/// The fields of a card the server or a file gave, tidied (what cannot be
/// kept is dropped rather than refused); `None` if nothing is left.
pub(crate) fn fields_of(card: Card) -> Option<CardFields> {
    let uid = one_line(&card.uid);
    let uid = if uid.is_empty() || uid.len() > 200 {
        new_uid()
    } else {
        uid
    };
    tidy(uid, card, false).ok()
}

pub(crate) fn card_of(fields: &CardFields) -> Card {
    Card {
        uid: fields.uid.clone(),
        name: fields.name.clone(),
        emails: fields.emails.clone(),
        phones: fields.phones.clone(),
        organisation: fields.organisation.clone(),
        notes: fields.notes.clone(),
        groups: fields.groups.clone(),
    }
}

/// The fields of `base` as the address book keeps them, for `vcard::write`
/// to tell what the user changed from what was only tidied.
pub(crate) fn before(base: Option<&str>) -> Option<Card> {
    let read = vcard::read_one(base?)?;
    let uid = read.card.uid.clone();
    fields_of(read.card).map(|f| Card { uid, ..card_of(&f) })
}

/// A new card's UID: random, and safe as a file name on any server.
pub(crate) fn new_uid() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn sort(contacts: &mut [Contact]) {
    contacts.sort_by_cached_key(|c| (c.shown_name().to_lowercase(), c.id));
}

/// `Name <address>` as a recipient, quoted (or the bare address).
pub fn recipient(name: &str, address: &str) -> String {
    let quotable = !name.is_empty() && !name.contains(['"', '<', '>', '\\']);
    if quotable {
        format!("\"{name}\" <{address}>")
    } else {
        address.to_owned()
    }
}

impl Services {
    fn full(&self) -> CoreError {
        invalid(format!("At most {MAX_CARDS} contacts per account."))
    }

    /// The user's contacts, by name.
    pub async fn contacts(&self, who: &SignedIn) -> Result<Vec<Contact>, CoreError> {
        let mut contacts: Vec<Contact> = self
            .store
            .cards(who.account().id)
            .await?
            .into_iter()
            .map(Contact::from)
            .collect();
        sort(&mut contacts);
        Ok(contacts)
    }

    /// The groups of the user's contacts, by name.
    pub async fn contact_groups(&self, who: &SignedIn) -> Result<Vec<Group>, CoreError> {
        Ok(groups_of(&self.contacts(who).await?))
    }

    /// Adds a contact (`id` 0) or changes one of the user's; returns its id.
    pub async fn save_contact(
        &self,
        who: &SignedIn,
        id: i64,
        form: &ContactForm,
    ) -> Result<i64, CoreError> {
        let account = who.account().id;
        let uid = match id {
            0 => new_uid(),
            id => {
                self.store
                    .card(account, id)
                    .await?
                    .filter(|c| !c.deleted)
                    .ok_or_else(|| CoreError::NotFound("contact".into()))?
                    .fields
                    .uid
            }
        };
        let card = Card {
            uid: uid.clone(),
            name: form.name.clone(),
            emails: values(&form.emails, true),
            phones: values(&form.phones, false),
            organisation: form.organisation.clone(),
            notes: form.notes.clone(),
            groups: values(&form.groups, true),
        };
        let fields = tidy(uid, card, true)?;
        let saved = self
            .store
            .save_card(account, id, &fields, None, MAX_CARDS)
            .await?;
        let id = match saved {
            Ok(id) => id,
            Err(CardRefusal::Full) => return Err(self.full()),
            Err(CardRefusal::NotFound) => return Err(CoreError::NotFound("contact".into())),
        };
        self.push_contacts_later(who);
        Ok(id)
    }

    pub async fn remove_contact(&self, who: &SignedIn, id: i64) -> Result<(), CoreError> {
        if !self.store.remove_card(who.account().id, id).await? {
            return Err(CoreError::NotFound("contact".into()));
        }
        self.push_contacts_later(who);
        Ok(())
    }

    /// Adds the sender of a message (its name and address as its From
    /// says) to the user's contacts, unless a contact has that address
    /// already; returns the contact's id, and whether it is new.
    pub async fn add_sender(
        &self,
        who: &SignedIn,
        name: &str,
        address: &str,
    ) -> Result<(i64, bool), CoreError> {
        let address = one_line(address).to_lowercase();
        if !is_address(&address) {
            return Err(invalid("The sender has no address to keep."));
        }
        if let Some(known) = self
            .store
            .cards_with(who.account().id, "e", &address)
            .await?
            .into_iter()
            .next()
        {
            return Ok((known.id, false));
        }
        let form = ContactForm {
            name: name.to_owned(),
            emails: address,
            ..ContactForm::default()
        };
        Ok((self.save_contact(who, 0, &form).await?, true))
    }

    /// The recipients a message to group `group` is written to: each
    /// member's first address, by name.
    pub async fn group_recipients(
        &self,
        who: &SignedIn,
        group: &str,
    ) -> Result<Vec<String>, CoreError> {
        let mut members: Vec<Contact> = self
            .store
            .cards_with(who.account().id, "g", group.trim())
            .await?
            .into_iter()
            .map(Contact::from)
            .collect();
        if members.is_empty() {
            return Err(CoreError::NotFound("group".into()));
        }
        sort(&mut members);
        Ok(members
            .iter()
            .filter_map(|m| m.emails.first().map(|e| recipient(&m.name, e)))
            .collect())
    }

    /// Reads the cards of a `.vcf` file (RFC 6350, any number): a card whose
    /// UID the user has already is updated, any other added.
    pub async fn import_contacts(&self, who: &SignedIn, text: &str) -> Result<Imported, CoreError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(too_large_import());
        }
        let (cards, skipped) = vcard::read_all(text);
        if cards.is_empty() {
            return Err(invalid("This file holds no contact (vCard)."));
        }
        let account = who.account().id;
        let mut by_uid: std::collections::HashMap<String, i64> = self
            .store
            .cards(account)
            .await?
            .into_iter()
            .map(|c| (c.fields.uid, c.id))
            .collect();
        let mut report = Imported {
            skipped,
            ..Imported::default()
        };
        for read in cards {
            let Some(fields) = fields_of(read.card) else {
                report.skipped += 1;
                continue;
            };
            let id = by_uid.get(&fields.uid).copied().unwrap_or(0);
            match self
                .store
                .save_card(account, id, &fields, Some(&read.text), MAX_CARDS)
                .await?
            {
                Ok(saved) => {
                    if id == 0 {
                        report.added += 1;
                        by_uid.insert(fields.uid, saved);
                    } else {
                        report.updated += 1;
                    }
                }
                Err(_) => report.skipped += 1,
            }
        }
        self.push_contacts_later(who);
        Ok(report)
    }

    /// Every contact as a vCard, in one `.vcf` text: what Estafette does not
    /// show of a card is in it as it came.
    pub async fn export_contacts(&self, who: &SignedIn) -> Result<String, CoreError> {
        let mut rows = self.store.cards(who.account().id).await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows
            .iter()
            .map(|r| {
                let base = Some(r.vcard.as_str()).filter(|v| !v.is_empty());
                vcard::write(&card_of(&r.fields), base, before(base).as_ref())
            })
            .collect())
    }

    /// Contacts and groups whose name, address or group starts with
    /// `prefix`, for completion: each contact's addresses, then each group
    /// as all its members.
    pub(crate) async fn contact_suggestions(
        &self,
        who: &SignedIn,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Suggestion>, CoreError> {
        let lower = prefix.to_lowercase();
        let found = self
            .store
            .cards_matching(who.account().id, prefix, limit as i64 * 4)
            .await?;
        let mut out = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for card in &found {
            let f = &card.fields;
            let named = f.name.to_lowercase().starts_with(&lower)
                || f.name
                    .to_lowercase()
                    .split_whitespace()
                    .any(|w| w.starts_with(&lower));
            for e in &f.emails {
                if named || e.starts_with(&lower) {
                    out.push(Suggestion {
                        value: recipient(&f.name, e),
                        label: String::new(),
                    });
                }
            }
            for g in &f.groups {
                if g.to_lowercase().starts_with(&lower)
                    && !groups.iter().any(|x| x.eq_ignore_ascii_case(g))
                {
                    groups.push(g.clone());
                }
            }
        }
        out.truncate(limit);
        for g in groups {
            let members = self.group_recipients(who, &g).await.unwrap_or_default();
            if !members.is_empty() {
                out.push(Suggestion {
                    label: format!("{g} ({})", members.len()),
                    value: members.join(", "),
                });
            }
        }
        Ok(out)
    }
}

/// An address offered while typing a recipient: `value` goes into the
/// field; `label`, when not empty, says what it is (a group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub value: String,
    pub label: String,
}

fn groups_of(contacts: &[Contact]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for g in contacts.iter().flat_map(|c| c.groups.iter()) {
        match groups
            .iter_mut()
            .find(|x| x.name.to_lowercase() == g.to_lowercase())
        {
            Some(x) => x.members += 1,
            None => groups.push(Group {
                name: g.clone(),
                members: 1,
            }),
        }
    }
    groups.sort_by_cached_key(|g| g.name.to_lowercase());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(name: &str, emails: &[&str]) -> Card {
        Card {
            uid: "u".into(),
            name: name.into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            ..Card::default()
        }
    }

    #[test]
    fn what_is_typed_is_checked() {
        let ok = tidy(
            "u".into(),
            card(
                " Alice\r\n  Martin ",
                &["Alice@Example.org", "alice@example.org"],
            ),
            true,
        )
        .expect("valid");
        assert_eq!(ok.name, "Alice Martin");
        assert_eq!(ok.emails, ["alice@example.org"]);
        for bad in [
            card("", &[]),
            card("x", &["not an address"]),
            card("x", &["a@b.c>, evil@x.org"]),
            card(&"n".repeat(201), &[]),
        ] {
            assert!(tidy("u".into(), bad, true).is_err());
        }
        let mut phone = card("x", &[]);
        phone.phones = vec!["+33 1 23 (45)".into()];
        assert!(tidy("u".into(), phone.clone(), true).is_ok());
        phone.phones = vec!["call me".into()];
        assert!(tidy("u".into(), phone, true).is_err());
    }

    #[test]
    fn what_a_server_sends_is_kept_as_far_as_it_can_be() {
        let f = fields_of(card(
            "Bob",
            &["bob@example.org", "broken", "Bob@Example.org"],
        ))
        .expect("kept");
        assert_eq!(f.emails, ["bob@example.org"]);
        assert!(!f.uid.is_empty());
        assert!(fields_of(card("", &["broken"])).is_none());
    }

    #[test]
    fn values_one_per_line_or_comma() {
        assert_eq!(values("Team, Friends\nteam\n\n", true), ["Team", "Friends"]);
        assert_eq!(values("+33 1, 2\n+33 3", false), ["+33 1, 2", "+33 3"]);
    }

    #[test]
    fn groups_are_counted_case_aside() {
        let c = |id, groups: &[&str]| Contact {
            id,
            name: String::new(),
            emails: vec![],
            phones: vec![],
            organisation: String::new(),
            notes: String::new(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };
        let g = groups_of(&[c(1, &["Team", "b"]), c(2, &["team"])]);
        assert_eq!(
            g,
            [
                Group {
                    name: "b".into(),
                    members: 1
                },
                Group {
                    name: "Team".into(),
                    members: 2
                }
            ]
        );
    }

    #[test]
    fn a_field_only_tidied_is_written_back_as_it_came() {
        let base =
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:b-1\r\nFN:Alice  Martin\r\nN:Martin;Alice;;Dr.;\r\n\
                    EMAIL;TYPE=work:Alice@Example.org\r\nEND:VCARD\r\n";
        let read = vcard::read_one(base).expect("card");
        let mut fields = fields_of(read.card).expect("fields");
        assert_eq!(fields.emails, ["alice@example.org"]);
        fields.notes = "A new note".into();
        let text = vcard::write(&card_of(&fields), Some(base), before(Some(base)).as_ref());
        assert!(text.contains("EMAIL;TYPE=WORK:Alice@Example.org"), "{text}");
        assert!(text.contains("N:Martin;Alice;;Dr.;"), "{text}");
        assert!(text.contains("NOTE:A new note"), "{text}");
    }

    #[test]
    fn uids_are_new_each_time_and_plain() {
        let (a, b) = (new_uid(), new_uid());
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
    }
}
