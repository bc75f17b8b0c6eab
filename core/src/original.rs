//! The original message, to download as a `.eml` file.

use std::sync::Arc;

use estafette_mail::attachments::Encoding;
use estafette_mail::{listing, MailError};
use futures::stream::BoxStream;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// A message exactly as stored, streamed a chunk at a time, and the file
/// name to save it under.
pub struct Original {
    pub body: BoxStream<'static, Result<Vec<u8>, CoreError>>,
    pub file_name: String,
}

/// At most this many characters of the subject name the file.
const NAME_CHARS: usize = 80;

impl Services {
    /// Message `uid` of `folder` as stored (reading it does not mark it
    /// read), named after its subject.
    pub async fn original(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
    ) -> Result<Original, CoreError> {
        let subject = self
            .with_imap(&who.0, |imap| {
                let folder = folder.to_owned();
                Box::pin(async move {
                    // First: it brings the folder up to date.
                    imap.ensure_current(&folder).await?;
                    listing::rows(imap, &folder, &[uid])
                        .await?
                        .pop()
                        .map(|row| row.subject)
                        .ok_or(MailError::NoSuchMessage(uid))
                })
            })
            .await?;
        Ok(Original {
            body: self.section_stream(who, folder, uid, Vec::new(), Encoding::Identity),
            file_name: eml_name(&subject),
        })
    }
}

/// `Subject.eml`, without what file systems refuse or read as a path
/// (separators, control characters, reserved punctuation, leading dots).
fn eml_name(subject: &str) -> String {
    let cleaned: String = subject
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let name: String = words.join(" ").chars().take(NAME_CHARS).collect();
    let name = name.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if name.is_empty() {
        "message.eml".to_owned()
    } else {
        format!("{name}.eml")
    }
}

#[cfg(test)]
mod tests {
    use super::eml_name;

    #[test]
    fn names_the_file_after_the_subject_and_nothing_else() {
        assert_eq!(eml_name("Invoice 42 — March"), "Invoice 42 — March.eml");
        assert_eq!(eml_name("../../etc/passwd"), "etc passwd.eml");
        assert_eq!(
            eml_name("a\r\nContent-Type: text/html"),
            "a Content-Type text html.eml"
        );
        assert_eq!(eml_name("  ...  "), "message.eml");
        assert_eq!(eml_name(""), "message.eml");
        assert_eq!(eml_name(&"é".repeat(300)).chars().count(), 80 + 4);
    }
}
