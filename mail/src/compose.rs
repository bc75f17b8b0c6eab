//! A message the user wrote, checked and its headers made by lettre: every
//! address parsed, no line break in any header a user typed, UTF-8 headers
//! encoded, attachments with their types and file names. The message is
//! then written out as it streams (`Prepared::write_to`, see `mime`): its
//! files are read from disk as they are written, never held whole.

use std::path::PathBuf;

use lettre::address::Envelope;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue, Headers};
use lettre::message::{Attachment, Mailbox, Mailboxes, SinglePart};
use lettre::Message;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::mime::{Part, WriteError};
use crate::MailError;

/// A file of the message (an attachment, an image of the text): where it
/// is, and how to name it. Its bytes are read when the message is written.
pub struct File {
    pub name: String,
    pub content_type: String,
    pub path: PathBuf,
}

/// A message ready to be written: its headers and envelope, and its parts.
pub struct Prepared {
    headers: Headers,
    envelope: Envelope,
    body: Part,
}

impl Prepared {
    /// Who the message goes to (Bcc included), and from whom.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// Writes the message (RFC 5322, CRLF line ends) to `out`, its files
    /// read a chunk at a time.
    pub async fn write_to<W: AsyncWrite + Unpin + Send>(
        &self,
        out: &mut W,
    ) -> Result<(), WriteError> {
        out.write_all(self.headers.to_string().as_bytes())
            .await
            .map_err(WriteError::Output)?;
        self.body.write(out).await?;
        out.flush().await.map_err(WriteError::Output)
    }
}

/// The headers lettre makes for `builder` (Date and MIME-Version added;
/// Bcc dropped unless kept), and the envelope it finds in them.
fn prepare(builder: lettre::message::MessageBuilder, body: Part) -> Result<Prepared, MailError> {
    // The body given to lettre only makes it write the message's headers.
    let message = builder
        .singlepart(SinglePart::plain(String::new()))
        .map_err(|e| bad(format!("The message cannot be built: {e}")))?;
    Ok(Prepared {
        headers: message.headers().clone(),
        envelope: message.envelope().clone(),
        body,
    })
}

/// An image shown in the rich text where it says `<img src="cid:…">`.
pub struct InlineImage {
    /// Without its `<>`.
    pub content_id: String,
    pub file: File,
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
    /// The same text with its formatting (already through `compose_html`),
    /// sent beside the plain text as multipart/alternative.
    pub html: Option<String>,
    pub message_id: String,
    /// A reply's threading headers (message ids with their `<>`).
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<File>,
    /// The images `html` shows, sent beside it as multipart/related.
    pub images: Vec<InlineImage>,
}

fn bad(reason: impl Into<String>) -> MailError {
    MailError::BadMessage(reason.into())
}

/// The first recipient of a To field as typed: its name and its address.
pub fn first_recipient(to: &str) -> (Option<String>, Option<String>) {
    let header = format!("To: {}\r\n\r\n", to.replace(['\r', '\n'], " "));
    let parsed = mail_parser::MessageParser::default().parse_headers(header.as_bytes());
    let first = parsed.as_ref().and_then(|m| m.to()).and_then(|a| a.first());
    (
        first
            .and_then(|a| a.name())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        first
            .and_then(|a| a.address())
            .map(|a| a.trim().to_lowercase()),
    )
}

/// The sender of a message: a display name (may be empty) and an address,
/// both refused with line breaks.
pub fn sender(name: &str, email: &str) -> Result<Mailbox, MailError> {
    if name.contains(['\r', '\n', '\0']) || email.contains(['\r', '\n', '\0']) {
        return Err(bad("From: line breaks are not allowed."));
    }
    let email = email
        .trim()
        .parse()
        .map_err(|_| bad(format!("From: `{}` is not an email address.", email.trim())))?;
    let name = name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_owned()),
        email,
    ))
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

/// A header of Estafette's own, holding text as typed.
macro_rules! own_header {
    ($name:ident, $header:literal) => {
        #[derive(Debug, Clone)]
        struct $name(String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

own_header!(DraftKey, "X-Estafette-Draft");
own_header!(TypedTo, "X-Estafette-To");
own_header!(TypedCc, "X-Estafette-Cc");
own_header!(TypedBcc, "X-Estafette-Bcc");

/// The header that names a draft (the form's send key).
pub const DRAFT_HEADER: &str = "X-Estafette-Draft";

/// A draft as stored in the Drafts folder: the message as far as it goes
/// (valid addresses in To/Cc/Bcc, Bcc kept), plus the recipients exactly as
/// typed and the draft's key in headers of our own, so nothing typed is lost.
pub fn build_draft(o: &Outgoing, key: &str) -> Result<Prepared, MailError> {
    let clean = |s: &str| s.replace(['\r', '\n', '\0'], " ");
    let valid = |typed: &str| addresses("", typed).unwrap_or_default();
    let from = o.from.clone();
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(clean(&o.subject))
        .message_id(Some(o.message_id.clone()))
        .keep_bcc()
        .header(DraftKey(clean(key)))
        .header(TypedTo(typed(&o.to)))
        .header(TypedCc(typed(&o.cc)))
        .header(TypedBcc(typed(&o.bcc)))
        .envelope(
            Envelope::new(Some(from.email.clone()), vec![from.email.clone()])
                .map_err(|e| bad(e.to_string()))?,
        );
    for m in valid(&o.to) {
        builder = builder.to(m);
    }
    for m in valid(&o.cc) {
        builder = builder.cc(m);
    }
    for m in valid(&o.bcc) {
        builder = builder.bcc(m);
    }
    if !o.references.is_empty() {
        builder = builder.references(o.references.join(" "));
    }
    prepare(builder, body(o)?)
}

/// Typed text in an ASCII header value: base64 of its UTF-8 (readers of
/// unknown headers do not decode RFC 2047).
fn typed(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn untyped(value: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// A draft read back: the form as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub key: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub text: String,
    /// The formatted text, when it was written as rich text (sanitised).
    pub html: Option<String>,
    /// Who it is from (the identity it was written as): address and name.
    pub from: String,
    pub from_name: String,
    pub references: Vec<String>,
}

/// Reads a draft that `build_draft` wrote.
pub fn read_draft(raw: &[u8]) -> Option<Draft> {
    let m = mail_parser::MessageParser::default().parse(raw)?;
    let own = |name: &str| {
        m.header(name)
            .and_then(|h| h.as_text())
            .map(|t| t.trim().to_owned())
            .unwrap_or_default()
    };
    let key = own(DRAFT_HEADER);
    if key.is_empty() {
        return None;
    }
    let sender = m.from().and_then(|a| a.first());
    Some(Draft {
        key,
        from: sender
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
        from_name: sender.and_then(|a| a.name()).unwrap_or_default().to_owned(),
        to: untyped(&own("X-Estafette-To")),
        cc: untyped(&own("X-Estafette-Cc")),
        bcc: untyped(&own("X-Estafette-Bcc")),
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n").trim_end_matches('\n').to_owned())
            .unwrap_or_default(),
        html: m
            .parts
            .iter()
            .find(|p| mail_parser::MimeHeaders::is_content_type(*p, "text", "html"))
            .and_then(|p| p.text_contents())
            .map(crate::sanitize::compose_html),
        references: m
            .references()
            .as_text_list()
            .into_iter()
            .flatten()
            .map(|id| format!("<{id}>"))
            .collect(),
    })
}

/// Builds the message, or says what is wrong with it.
pub fn build(o: &Outgoing) -> Result<Prepared, MailError> {
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
    prepare(builder, body(o)?)
}

/// The plain text alone, or with its formatted twin (and that one's images).
fn text(o: &Outgoing) -> Result<Part, MailError> {
    let plain = Part::Formatted(SinglePart::plain(o.text.replace("\r\n", "\n")).formatted());
    let Some(html) = &o.html else {
        return Ok(plain);
    };
    let html = Part::Formatted(SinglePart::html(html.clone()).formatted());
    if o.images.is_empty() {
        return Part::multi("alternative", vec![plain, html]);
    }
    let mut related = vec![html];
    for image in &o.images {
        if image.content_id.contains(['\r', '\n', '\0', '<', '>', ' ']) {
            return Err(bad("An image of this message has an id that is not valid."));
        }
        let name = file_name(&image.file)?;
        related.push(file(
            &image.file,
            Attachment::new_inline_with_name(image.content_id.clone(), name),
        )?);
    }
    Part::multi("alternative", vec![plain, Part::multi("related", related)?])
}

fn file_name(file: &File) -> Result<String, MailError> {
    if file.name.contains(['\r', '\n', '\0', '"']) {
        return Err(bad(format!("`{}` is not a usable file name.", file.name)));
    }
    Ok(file.name.clone())
}

fn content_type(file: &File) -> Result<ContentType, MailError> {
    ContentType::parse(&file.content_type)
        .or_else(|_| ContentType::parse("application/octet-stream"))
        .map_err(|e| bad(format!("`{}`: {e}", file.content_type)))
}

fn file(file: &File, attachment: Attachment) -> Result<Part, MailError> {
    let essence = file.content_type.split(';').next().unwrap_or_default();
    Ok(Part::file(
        &file.name,
        file.path.clone(),
        attachment,
        content_type(file)?,
        essence.trim().eq_ignore_ascii_case("message/rfc822"),
    ))
}

/// The text and the attachments.
fn body(o: &Outgoing) -> Result<Part, MailError> {
    let text = text(o)?;
    if o.attachments.is_empty() {
        return Ok(text);
    }
    let mut mixed = vec![text];
    for attached in &o.attachments {
        mixed.push(file(attached, Attachment::new(file_name(attached)?))?);
    }
    Part::multi("mixed", mixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_recipient_is_read_as_a_header_would_be() {
        let (name, address) = first_recipient("\"Martin, Alice\" <Alice@example.test>, bob@x.test");
        assert_eq!(name.as_deref(), Some("Martin, Alice"));
        assert_eq!(address.as_deref(), Some("alice@example.test"));
        assert_eq!(
            first_recipient("bob@x.test"),
            (None, Some("bob@x.test".into()))
        );
        assert_eq!(first_recipient(""), (None, None));
        // A name cannot smuggle a line in.
        let (name, _) = first_recipient("Eve\r\nBcc: all@x.test <eve@x.test>");
        assert!(name.is_none_or(|n| !n.contains('\n')));
    }

    /// The message as written out.
    async fn raw(p: &Prepared) -> Vec<u8> {
        let mut out = Vec::new();
        p.write_to(&mut out).await.expect("written");
        out
    }

    /// A file of `data` in `dir`.
    fn file(dir: &tempfile::TempDir, name: &str, content_type: &str, data: &[u8]) -> File {
        let path = dir.path().join(format!("{}.bin", name.len() + data.len()));
        std::fs::write(&path, data).expect("file");
        File {
            name: name.into(),
            content_type: content_type.into(),
            path,
        }
    }

    fn outgoing(dir: &tempfile::TempDir, to: &str, subject: &str) -> Outgoing {
        Outgoing {
            html: None,
            from: "Alice <alice@example.test>".parse().expect("from"),
            to: to.into(),
            cc: String::new(),
            bcc: "hidden@example.test".into(),
            subject: subject.into(),
            text: "Bonjour,\nà bientôt".into(),
            message_id: "<m1@example.test>".into(),
            in_reply_to: Some("<m0@example.test>".into()),
            references: vec!["<m0@example.test>".into()],
            attachments: vec![file(dir, "résumé.pdf", "application/pdf", b"%PDF-1.4")],
            images: Vec::new(),
        }
    }

    #[tokio::test]
    async fn builds_utf8_headers_attachments_and_hides_bcc() {
        let dir = tempfile::tempdir().expect("dir");
        let m = build(&outgoing(
            &dir,
            "\"Lefèvre, Élodie\" <elodie@example.fr>, bob@example.test",
            "Réunion",
        ))
        .expect("message");
        let bytes = raw(&m).await;
        let raw = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(raw.contains("Message-ID: <m1@example.test>"));
        assert!(raw.contains("In-Reply-To: <m0@example.test>"), "{raw}");
        assert!(raw.contains("References: <m0@example.test>"), "{raw}");
        assert!(raw.contains("MIME-Version: 1.0") && raw.contains("Date: "));
        assert!(raw.contains("bob@example.test"));
        assert!(
            !raw.contains("hidden@example.test"),
            "Bcc is not in the message"
        );
        assert!(raw.contains("application/pdf"));
        assert_eq!(m.envelope().to().len(), 3, "Bcc is in the envelope");
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parse");
        let pdf = parsed.attachments().next().expect("the attachment");
        assert_eq!(
            mail_parser::MimeHeaders::attachment_name(pdf),
            Some("résumé.pdf")
        );
        assert_eq!(pdf.contents(), b"%PDF-1.4");
        assert_eq!(
            parsed.body_text(0).as_deref().map(str::trim_end),
            Some("Bonjour,\r\nà bientôt")
        );
    }

    #[tokio::test]
    async fn rich_text_goes_as_an_alternative_and_comes_back_from_a_draft() {
        let dir = tempfile::tempdir().expect("dir");
        let mut o = outgoing(&dir, "bob@example.test", "Gras");
        o.attachments.clear();
        o.text = "Un mot important".into();
        o.html = Some("Un mot <b>important</b>".into());
        let raw_text = String::from_utf8(raw(&build(&o).expect("message")).await).expect("utf-8");
        assert!(raw_text.contains("multipart/alternative"), "{raw_text}");
        assert!(raw_text.contains("text/plain") && raw_text.contains("text/html"));
        let parsed = mail_parser::MessageParser::default()
            .parse(raw_text.as_bytes())
            .expect("parse");
        assert_eq!(parsed.body_text(0).as_deref(), Some("Un mot important"));
        assert!(parsed
            .body_html(0)
            .is_some_and(|h| h.contains("<b>important</b>")));
        o.attachments.push(file(&dir, "a.txt", "text/plain", b"x"));
        let with_file = String::from_utf8(raw(&build(&o).expect("message")).await).expect("utf-8");
        assert!(
            with_file.contains("multipart/mixed") && with_file.contains("multipart/alternative")
        );
        // A draft keeps the formatting, cleaned again as it is read back.
        o.html = Some("Un mot <b>important</b><script>x()</script>".into());
        let back = read_draft(&raw(&build_draft(&o, "draft-key-2").expect("draft")).await)
            .expect("read back");
        assert_eq!(back.html.as_deref(), Some("Un mot <b>important</b>"));
        o.html = None;
        let plain = read_draft(&raw(&build_draft(&o, "draft-key-3").expect("draft")).await)
            .expect("read back");
        assert_eq!(plain.html, None, "a plain draft stays plain");
    }

    #[tokio::test]
    async fn pasted_images_go_as_related_parts_the_html_points_at() {
        let dir = tempfile::tempdir().expect("dir");
        let mut o = outgoing(&dir, "bob@example.test", "Photo");
        o.attachments.clear();
        o.text = "Voici".into();
        o.html = Some("Voici <img src=\"cid:p1@example.test\" alt=\"\">".into());
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        o.images.push(InlineImage {
            content_id: "p1@example.test".into(),
            file: file(&dir, "photo.png", "image/png", &png),
        });
        for raw in [
            raw(&build(&o).expect("message")).await,
            raw(&build_draft(&o, "draft-key-4").expect("draft")).await,
        ] {
            let text = String::from_utf8_lossy(&raw);
            assert!(text.contains("multipart/alternative"), "{text}");
            assert!(text.contains("multipart/related"), "{text}");
            assert!(text.contains("Content-ID: <p1@example.test>"), "{text}");
            let parsed = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("parse");
            assert_eq!(parsed.body_text(0).as_deref(), Some("Voici"));
            let image = parsed
                .parts
                .iter()
                .find(|p| mail_parser::MimeHeaders::content_id(*p) == Some("p1@example.test"))
                .expect("the image part");
            assert_eq!(image.contents(), png.as_slice(), "the bytes as pasted");
            assert!(parsed
                .body_html(0)
                .is_some_and(|h| h.contains("src=\"cid:p1@example.test\"")));
        }
        let back = read_draft(&raw(&build_draft(&o, "draft-key-4").expect("draft")).await)
            .expect("read back");
        assert!(back
            .html
            .is_some_and(|h| h.contains("<img src=\"cid:p1@example.test\"")));
        o.images[0].content_id = "p1@example.test>\r\nBcc: x@y".into();
        assert!(build(&o).is_err(), "an id cannot carry headers");
    }

    #[tokio::test]
    async fn a_draft_keeps_everything_typed() {
        let dir = tempfile::tempdir().expect("dir");
        let mut o = outgoing(&dir, "bob@example.test, bo", "Brouillon été");
        o.cc = "Élodie <e".into();
        o.text = "Ligne 1\nLigne 2".into();
        let m = build_draft(&o, "draft-key-1").expect("draft");
        assert_eq!(
            m.envelope().to().len(),
            1,
            "a draft goes nowhere but to its author"
        );
        let back = read_draft(&raw(&m).await).expect("read back");
        assert_eq!(back.key, "draft-key-1");
        assert_eq!(back.to, "bob@example.test, bo");
        assert_eq!(back.cc, "Élodie <e");
        assert_eq!(back.bcc, "hidden@example.test");
        assert_eq!(back.subject, "Brouillon été");
        assert_eq!(back.text, "Ligne 1\nLigne 2");
        assert_eq!(
            (back.from.as_str(), back.from_name.as_str()),
            ("alice@example.test", "Alice")
        );
        assert_eq!(back.references, ["<m0@example.test>"]);
    }

    #[test]
    fn refuses_injection_and_names_the_bad_address() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(matches!(
            build(&outgoing(
                &dir,
                "bob@example.test",
                "Hi\r\nBcc: victim@example.test"
            )),
            Err(MailError::BadMessage(_))
        ));
        assert!(build(&outgoing(&dir, "bob@example.test\r\nRCPT TO:<x@y>", "Hi")).is_err());
        match build(&outgoing(&dir, "bob@example.test, not an address", "Hi")) {
            Err(MailError::BadMessage(m)) => assert!(m.contains("`not an address`"), "{m}"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let mut none = outgoing(&dir, "", "Hi");
        none.bcc.clear();
        assert!(build(&none).is_err());
        let mut bad_name = outgoing(&dir, "bob@example.test", "Hi");
        bad_name.attachments[0].name = "a\"\r\nContent-Type: text/html".into();
        assert!(
            build(&bad_name).is_err(),
            "a file name cannot carry headers"
        );
    }

    /// Counts what goes through, and the largest single write.
    #[derive(Default)]
    struct Meter {
        total: usize,
        largest: usize,
        base64: Vec<u8>,
    }

    impl AsyncWrite for Meter {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.total += buf.len();
            self.largest = self.largest.max(buf.len());
            if buf.len() > 1000 {
                self.base64
                    .extend(buf.iter().filter(|b| !b.is_ascii_whitespace()));
            }
            std::task::Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_big_attachment_is_written_in_chunks_of_at_most_80_kib() {
        use base64::Engine;
        let dir = tempfile::tempdir().expect("dir");
        let data: Vec<u8> = (0..20 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut o = outgoing(&dir, "bob@example.test", "Gros");
        o.attachments = vec![file(&dir, "big.bin", "application/octet-stream", &data)];
        let mut meter = Meter::default();
        build(&o)
            .expect("message")
            .write_to(&mut meter)
            .await
            .expect("written");
        assert!(meter.total > data.len() * 4 / 3, "{}", meter.total);
        assert!(
            meter.largest <= 80 * 1024,
            "the largest write is {} bytes",
            meter.largest
        );
        let back = base64::engine::general_purpose::STANDARD
            .decode(&meter.base64)
            .expect("base64");
        assert!(back == data, "the attachment goes out whole");
    }

    #[tokio::test]
    async fn a_forwarded_message_goes_unencoded_when_it_can() {
        let dir = tempfile::tempdir().expect("dir");
        let eml = b"From: carol@example.test\r\nSubject: Original\r\n\r\nHello\r\n";
        let mut o = outgoing(&dir, "bob@example.test", "Fwd");
        o.attachments = vec![file(&dir, "original.eml", "message/rfc822", eml)];
        let sent = raw(&build(&o).expect("message")).await;
        let text = String::from_utf8_lossy(&sent);
        assert!(text.contains("Content-Transfer-Encoding: 7bit"), "{text}");
        assert!(
            text.contains("Subject: Original\r\n\r\nHello\r\n"),
            "{text}"
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(&sent)
            .expect("parse");
        let inner = parsed
            .attachment(0)
            .and_then(|a| a.message())
            .expect("a message part");
        assert_eq!(inner.subject(), Some("Original"));
        // Not 7-bit text: encoded, like any file.
        o.attachments = vec![file(
            &dir,
            "odd.eml",
            "message/rfc822",
            b"Subject: \xff\0\n",
        )];
        let odd = raw(&build(&o).expect("message")).await;
        assert!(String::from_utf8_lossy(&odd).contains("Content-Transfer-Encoding: base64"));
    }
}
