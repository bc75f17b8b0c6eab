//! A message the user wrote, checked and turned into RFC 5322 by lettre:
//! every address parsed, no line break in any header a user typed, UTF-8
//! headers encoded, attachments with their types and file names.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::Message;

use crate::MailError;

/// An attachment's bytes and how to name them.
pub struct File {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What the compose form sends.
pub struct Outgoing {
    pub from: Mailbox,
    /// As typed: addresses separated by commas.
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    pub message_id: String,
    /// A reply's threading headers (message ids with their `<>`).
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<File>,
}

fn bad(reason: impl Into<String>) -> MailError {
    MailError::BadMessage(reason.into())
}

/// The addresses of one field, or which of them is wrong.
fn addresses(field: &str, typed: &str) -> Result<Vec<Mailbox>, MailError> {
    if typed.contains(['\r', '\n', '\0']) {
        return Err(bad(format!("{field}: line breaks are not allowed.")));
    }
    if typed.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Ok(list) = typed.parse::<Mailboxes>() {
        return Ok(list.into_iter().collect());
    }
    // Say which one is wrong (names with quoted commas parse above).
    for piece in typed
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if piece.parse::<Mailbox>().is_err() {
            return Err(bad(format!("{field}: `{piece}` is not an email address.")));
        }
    }
    Err(bad(format!("{field}: these are not email addresses.")))
}

/// Builds the message, or says what is wrong with it.
pub fn build(o: &Outgoing) -> Result<Message, MailError> {
    if o.subject.contains(['\r', '\n', '\0']) {
        return Err(bad("The subject cannot hold line breaks."));
    }
    let (to, cc, bcc) = (
        addresses("To", &o.to)?,
        addresses("Cc", &o.cc)?,
        addresses("Bcc", &o.bcc)?,
    );
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err(bad("Add at least one recipient."));
    }
    let mut builder = Message::builder()
        .from(o.from.clone())
        .subject(o.subject.trim())
        .message_id(Some(o.message_id.clone()));
    for m in to {
        builder = builder.to(m);
    }
    for m in cc {
        builder = builder.cc(m);
    }
    for m in bcc {
        builder = builder.bcc(m);
    }
    let ids = o.in_reply_to.iter().chain(&o.references);
    if ids.clone().any(|id| {
        id.contains(['\r', '\n', '\0', ' ']) || !id.starts_with('<') || !id.ends_with('>')
    }) {
        return Err(bad("This reply refers to a message id that is not valid."));
    }
    if let Some(id) = &o.in_reply_to {
        builder = builder.in_reply_to(id.clone());
    }
    if !o.references.is_empty() {
        builder = builder.references(o.references.join(" "));
    }
    let text = SinglePart::plain(o.text.replace("\r\n", "\n"));
    let result = if o.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut mixed = MultiPart::mixed().singlepart(text);
        for file in &o.attachments {
            if file.name.contains(['\r', '\n', '\0', '"']) {
                return Err(bad(format!("`{}` is not a usable file name.", file.name)));
            }
            let content_type = ContentType::parse(&file.content_type)
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|e| bad(format!("`{}`: {e}", file.content_type)))?;
            mixed = mixed.singlepart(
                Attachment::new(file.name.clone()).body(file.data.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    result.map_err(|e| bad(format!("The message cannot be built: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(to: &str, subject: &str) -> Outgoing {
        Outgoing {
            from: "Alice <alice@example.test>".parse().expect("from"),
            to: to.into(),
            cc: String::new(),
            bcc: "hidden@example.test".into(),
            subject: subject.into(),
            text: "Bonjour,\nà bientôt".into(),
            message_id: "<m1@example.test>".into(),
            in_reply_to: Some("<m0@example.test>".into()),
            references: vec!["<m0@example.test>".into()],
            attachments: vec![File {
                name: "résumé.pdf".into(),
                content_type: "application/pdf".into(),
                data: b"%PDF-1.4".to_vec(),
            }],
        }
    }

    #[test]
    fn builds_utf8_headers_attachments_and_hides_bcc() {
        let m = build(&outgoing(
            "\"Lefèvre, Élodie\" <elodie@example.fr>, bob@example.test",
            "Réunion",
        ))
        .expect("message");
        let raw = String::from_utf8(m.formatted()).expect("utf-8");
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(raw.contains("Message-ID: <m1@example.test>"));
        assert!(raw.contains("In-Reply-To: <m0@example.test>"), "{raw}");
        assert!(raw.contains("References: <m0@example.test>"), "{raw}");
        assert!(raw.contains("bob@example.test"));
        assert!(
            !raw.contains("hidden@example.test"),
            "Bcc is not in the message"
        );
        assert!(raw.contains("application/pdf"));
        assert_eq!(m.envelope().to().len(), 3, "Bcc is in the envelope");
    }

    #[test]
    fn refuses_injection_and_names_the_bad_address() {
        assert!(matches!(
            build(&outgoing(
                "bob@example.test",
                "Hi\r\nBcc: victim@example.test"
            )),
            Err(MailError::BadMessage(_))
        ));
        assert!(build(&outgoing("bob@example.test\r\nRCPT TO:<x@y>", "Hi")).is_err());
        match build(&outgoing("bob@example.test, not an address", "Hi")) {
            Err(MailError::BadMessage(m)) => assert!(m.contains("`not an address`"), "{m}"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let mut none = outgoing("", "Hi");
        none.bcc.clear();
        assert!(build(&none).is_err());
    }
}
