//! vCards (RFC 6350, and the 3.0 and 2.1 forms other clients still write):
//! the fields the address book shows read out of a card, and a card written
//! back with them. What Estafette does not show (photos, addresses,
//! birthdays, a field's `TYPE`…) is kept as it was: a card is written over
//! the text it was last read from, and a field the user did not change is
//! written back exactly as it came.

use calcard::vcard::{VCard, VCardEntry, VCardProperty, VCardValue, VCardVersion};
use calcard::{Entry, Parser};

/// What the address book keeps of a card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// The card's `UID`: how the same person is known on both sides.
    pub uid: String,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organisation: String,
    pub notes: String,
    /// `CATEGORIES`: the groups the person is in.
    pub groups: Vec<String>,
}

/// One card of a `.vcf` file or of a CardDAV resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub card: Card,
    /// The card on its own, as vCard text: what a later write keeps.
    pub text: String,
}

/// Every card of `text` (a `.vcf` holds any number), and how many parts of
/// it were not cards (a damaged card, a calendar, stray lines).
pub fn read_all(text: &str) -> (Vec<Read>, usize) {
    let mut parser = Parser::new(text);
    let mut cards = Vec::new();
    let mut skipped = 0;
    loop {
        match parser.entry() {
            Entry::VCard(vcard) => match card_of(&vcard) {
                Some(card) => cards.push(Read {
                    card,
                    text: vcard.to_string(),
                }),
                None => skipped += 1,
            },
            Entry::Eof => break,
            Entry::InvalidLine(_) => {}
            _ => skipped += 1,
        }
    }
    (cards, skipped)
}

/// The one card of a CardDAV resource, if it is one.
pub fn read_one(text: &str) -> Option<Read> {
    read_all(text).0.into_iter().next()
}

fn texts(entry: &VCardEntry) -> Vec<String> {
    let mut out = Vec::new();
    for value in &entry.values {
        match value {
            VCardValue::Component(parts) => out.extend(parts.iter().cloned()),
            other => {
                if let Some(text) = other.as_text() {
                    out.push(text.to_owned());
                }
            }
        }
    }
    out
}

fn all_of(vcard: &VCard, prop: VCardProperty) -> Vec<String> {
    vcard
        .properties(&prop)
        .flat_map(texts)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

fn one_of(vcard: &VCard, prop: VCardProperty, separator: &str) -> String {
    vcard
        .property(&prop)
        .map(|e| {
            texts(e)
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(separator)
        })
        .unwrap_or_default()
}

/// `mailto:`/`tel:` URIs (vCard 4.0 allows them) as plain values.
fn without_scheme(value: String, scheme: &str) -> String {
    match value.get(..scheme.len()) {
        Some(head) if head.eq_ignore_ascii_case(scheme) => value[scheme.len()..].to_owned(),
        _ => value,
    }
}

/// The name as `N` gives it (family; given; additional; prefixes; suffixes).
fn structured_name(vcard: &VCard) -> String {
    let Some(entry) = vcard.property(&VCardProperty::N) else {
        return String::new();
    };
    let parts = texts(entry);
    let at = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or_default();
    [at(3), at(1), at(2), at(0), at(4)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn card_of(vcard: &VCard) -> Option<Card> {
    let emails: Vec<String> = all_of(vcard, VCardProperty::Email)
        .into_iter()
        .map(|e| without_scheme(e, "mailto:"))
        .collect();
    let mut name = one_of(vcard, VCardProperty::Fn, " ");
    if name.is_empty() {
        name = structured_name(vcard);
    }
    let organisation = one_of(vcard, VCardProperty::Org, ", ");
    if name.is_empty() && emails.is_empty() && organisation.is_empty() {
        return None;
    }
    Some(Card {
        uid: vcard.uid().unwrap_or_default().trim().to_owned(),
        name,
        emails,
        phones: all_of(vcard, VCardProperty::Tel)
            .into_iter()
            .map(|t| without_scheme(t, "tel:"))
            .collect(),
        organisation,
        notes: one_of(vcard, VCardProperty::Note, "\n"),
        groups: all_of(vcard, VCardProperty::Categories),
    })
}

fn text_entry(prop: VCardProperty, values: Vec<String>) -> VCardEntry {
    VCardEntry::new(prop).with_values(values.into_iter().map(VCardValue::Text).collect())
}

/// `N` for a name written "Given Family": the last word is the family name.
fn name_entry(name: &str) -> VCardEntry {
    let words: Vec<&str> = name.split_whitespace().collect();
    let (given, family) = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.join(" "), (*last).to_owned()),
        _ => (String::new(), name.trim().to_owned()),
    };
    text_entry(
        VCardProperty::N,
        vec![family, given, String::new(), String::new(), String::new()],
    )
}

/// `card` as vCard text, written over `base` (the card as last read), so
/// that what Estafette does not show, and every field left as it was, stays
/// exactly as it came. A new card is vCard 4.0; one read as 3.0 stays 3.0.
/// `before` is what the address book made of `base` (tidied), when it
/// knows: a field is written anew only where `card` differs from it.
pub fn write(card: &Card, base: Option<&str>, before: Option<&Card>) -> String {
    let mut vcard = base
        .and_then(|text| match Parser::new(text).entry() {
            Entry::VCard(v) => Some(v),
            _ => None,
        })
        .unwrap_or_default();
    let before = before
        .cloned()
        .unwrap_or_else(|| card_of(&vcard).unwrap_or_default());
    let version = match vcard.version() {
        Some(VCardVersion::V4_0) | None => VCardVersion::V4_0,
        Some(_) => VCardVersion::V3_0,
    };
    let has_uid = vcard.uid().is_some();
    let has_name = vcard.property(&VCardProperty::Fn).is_some();
    let mut replace = |prop: VCardProperty, entries: Vec<VCardEntry>| {
        let at = vcard
            .entries
            .iter()
            .position(|e| e.name == prop)
            .unwrap_or(vcard.entries.len());
        vcard.entries.retain(|e| e.name != prop);
        let at = at.min(vcard.entries.len());
        vcard.entries.splice(at..at, entries);
    };
    if before.uid != card.uid || !has_uid {
        replace(
            VCardProperty::Uid,
            vec![text_entry(VCardProperty::Uid, vec![card.uid.clone()])],
        );
    }
    if before.name != card.name || !has_name {
        replace(
            VCardProperty::Fn,
            vec![text_entry(VCardProperty::Fn, vec![card.name.clone()])],
        );
        replace(VCardProperty::N, vec![name_entry(&card.name)]);
    }
    let each = |prop: &VCardProperty, values: &[String]| -> Vec<VCardEntry> {
        values
            .iter()
            .map(|v| text_entry(prop.clone(), vec![v.clone()]))
            .collect()
    };
    if before.emails != card.emails {
        replace(
            VCardProperty::Email,
            each(&VCardProperty::Email, &card.emails),
        );
    }
    if before.phones != card.phones {
        replace(VCardProperty::Tel, each(&VCardProperty::Tel, &card.phones));
    }
    let single = |prop: VCardProperty, value: &str| -> Vec<VCardEntry> {
        if value.trim().is_empty() {
            Vec::new()
        } else {
            vec![text_entry(prop, vec![value.to_owned()])]
        }
    };
    if before.organisation != card.organisation {
        replace(
            VCardProperty::Org,
            single(VCardProperty::Org, &card.organisation),
        );
    }
    if before.notes != card.notes {
        replace(
            VCardProperty::Note,
            single(VCardProperty::Note, &card.notes),
        );
    }
    if before.groups != card.groups {
        let entries = if card.groups.is_empty() {
            Vec::new()
        } else {
            vec![text_entry(VCardProperty::Categories, card.groups.clone())]
        };
        replace(VCardProperty::Categories, entries);
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = vcard.write_to(&mut out, version);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Card {
        Card {
            uid: "u-1".into(),
            name: "Alice Martin".into(),
            emails: vec!["alice@example.org".into(), "a.martin@work.example".into()],
            phones: vec!["+33 1 23 45 67 89".into()],
            organisation: "Acme".into(),
            notes: "Met at the fair;\nlikes tea, not coffee".into(),
            groups: vec!["Team".into(), "Friends, old".into()],
        }
    }

    #[test]
    fn a_card_written_reads_back_the_same() {
        let text = write(&alice(), None, None);
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
        assert!(text.contains("N:Martin;Alice;;;"), "{text}");
        let read = read_one(&text).expect("a card");
        assert_eq!(read.card, alice());
    }

    #[test]
    fn what_estafette_does_not_show_is_kept_and_unchanged_fields_stay_as_they_came() {
        let base = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-1\r\nFN:Alice Martin\r\nN:Martin;Alice;;Dr.;\r\n\
                    EMAIL;TYPE=work:alice@example.org\r\nTEL;TYPE=cell:+33 6\r\n\
                    ADR;TYPE=home:;;1 rue de la Paix;Paris;;75002;France\r\nBDAY:1990-04-01\r\nEND:VCARD\r\n";
        let mut card = read_one(base).expect("card").card;
        assert_eq!(card.name, "Alice Martin");
        card.phones = vec!["+33 7".into()];
        let text = write(&card, Some(base), None);
        assert!(text.contains("VERSION:3.0"), "{text}");
        assert!(text.contains("1 rue de la Paix"), "{text}");
        assert!(text.contains("BDAY"), "{text}");
        assert!(text.contains("EMAIL;TYPE=WORK:alice@example.org"), "{text}");
        assert!(text.contains("N:Martin;Alice;;Dr.;"), "{text}");
        assert!(!text.contains("+33 6"), "{text}");
        assert_eq!(read_one(&text).expect("card").card, card);
    }

    #[test]
    fn several_cards_in_a_file_and_the_damaged_ones_counted() {
        let file = "BEGIN:VCARD\nVERSION:4.0\nFN:One\nEMAIL:one@example.org\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:2.1\nN:Two;Bee\nEMAIL;INTERNET:two@example.org\nCATEGORIES:A,B\nEND:VCARD\n\
                    BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n\
                    BEGIN:VCARD\nVERSION:4.0\nNOTE:nothing to call it\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nEMAIL:mailto:three@example.org\nTEL;VALUE=uri:tel:+1-555\nEND:VCARD\n";
        let (cards, skipped) = read_all(file);
        assert_eq!(skipped, 2);
        let names: Vec<_> = cards.iter().map(|r| r.card.name.as_str()).collect();
        assert_eq!(names, ["One", "Bee Two", ""]);
        assert_eq!(cards[1].card.groups, ["A", "B"]);
        assert_eq!(cards[2].card.emails, ["three@example.org"]);
        assert_eq!(cards[2].card.phones, ["+1-555"]);
    }

    #[test]
    fn hostile_text_stays_inside_its_field() {
        let mut card = alice();
        card.name = "Eve\r\nEMAIL:spy@evil.example".into();
        card.notes = "END:VCARD\r\nBEGIN:VCARD".into();
        let text = write(&card, None, None);
        let (cards, _) = read_all(&text);
        assert_eq!(cards.len(), 1, "{text}");
        assert_eq!(cards[0].card.emails, alice().emails);
    }

    #[test]
    fn garbage_is_no_card() {
        assert_eq!(read_all("").0.len(), 0);
        assert!(read_one("hello\nworld").is_none());
        assert_eq!(read_all("BEGIN:VCARD\nFN:x").0.len(), 1);
    }
}
