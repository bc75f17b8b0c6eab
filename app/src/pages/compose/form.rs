//! The message being written, as the form holds it: one set of signals,
//! read into one `OutgoingForm` for a save, a send or the browser's copy.

use leptos::prelude::*;

use super::uploads::Attached;
use crate::api::mail::OutgoingForm;

/// The form's fields. `text` is the plain text; `html` the rich editor's,
/// sent only while `rich` is on.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub to: RwSignal<String>,
    pub cc: RwSignal<String>,
    pub bcc: RwSignal<String>,
    pub subject: RwSignal<String>,
    pub text: RwSignal<String>,
    pub html: RwSignal<String>,
    pub rich: RwSignal<bool>,
    pub files: RwSignal<Vec<Attached>>,
    /// The message answered (`In-Reply-To`/`References`), if any.
    pub references: StoredValue<String>,
    /// One key per message, so that a second click or a retry never sends twice.
    pub send_key: StoredValue<String>,
    /// The identity it is from.
    pub identity: RwSignal<i64>,
}

impl Fields {
    pub fn new(rich: bool) -> Self {
        let empty = || RwSignal::new(String::new());
        Fields {
            to: empty(),
            cc: empty(),
            bcc: empty(),
            subject: empty(),
            text: empty(),
            html: empty(),
            rich: RwSignal::new(rich),
            files: RwSignal::new(Vec::new()),
            references: StoredValue::new(String::new()),
            send_key: StoredValue::new(String::new()),
            identity: RwSignal::new(0),
        }
    }

    /// To, Cc, Bcc, Subject and the text, in that order.
    pub fn words(&self) -> [RwSignal<String>; 5] {
        [self.to, self.cc, self.bcc, self.subject, self.text]
    }

    /// Sets To, Cc, Bcc, Subject and the text, as a draft or a copy holds them.
    pub fn fill(&self, values: [String; 5]) {
        for (field, value) in self.words().into_iter().zip(values) {
            field.set(value);
        }
    }

    /// Whether nothing was typed and nothing attached (tracked).
    pub fn is_blank(&self) -> bool {
        // All read (no short-circuit), so that all are tracked.
        let empty = self.words().map(|field| field.with(String::is_empty));
        self.html.track();
        self.rich.track();
        // Each upload's end is a change too.
        let none_attached = self.files.with(|f| {
            f.iter().for_each(|a| a.id.track());
            f.is_empty()
        });
        empty.iter().all(|e| *e) && none_attached
    }

    /// The uploads' ids, comma-separated.
    fn attachment_ids(&self) -> String {
        self.files
            .with_untracked(|f| {
                f.iter()
                    .filter_map(|a| a.id.get_untracked())
                    .collect::<Vec<_>>()
            })
            .join(",")
    }

    /// The message as it is now.
    pub fn outgoing(&self) -> OutgoingForm {
        OutgoingForm {
            to: self.to.get_untracked(),
            cc: self.cc.get_untracked(),
            bcc: self.bcc.get_untracked(),
            subject: self.subject.get_untracked(),
            text: self.text.get_untracked(),
            html: if self.rich.get_untracked() {
                self.html.get_untracked()
            } else {
                String::new()
            },
            attachments: self.attachment_ids(),
            references: self.references.get_value(),
            send_key: self.send_key.get_value(),
            identity: self.identity.get_untracked(),
        }
    }

    /// Back to a blank form (the identity stays).
    pub fn clear(&self) {
        for s in self.words() {
            s.set(String::new());
        }
        self.html.set(String::new());
        self.files.set(Vec::new());
        self.references.set_value(String::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_what_the_form_holds() {
        let owner = Owner::new();
        owner.with(|| {
            let f = Fields::new(false);
            f.fill([
                "bob@example.test".into(),
                "cc@example.test".into(),
                String::new(),
                "Hello".into(),
                "Hi Bob".into(),
            ]);
            f.html.set("<p>Hi Bob</p>".into());
            f.files.set(vec![
                Attached::new(1, "a.pdf".into(), 3.0, Some("u1".into())),
                Attached::new(2, "b.pdf".into(), 3.0, None),
                Attached::new(3, "c.pdf".into(), 3.0, Some("u3".into())),
            ]);
            f.send_key.set_value("k1".into());
            let out = f.outgoing();
            assert_eq!(out.to, "bob@example.test");
            assert_eq!(out.subject, "Hello");
            assert_eq!(out.html, "", "plain text: the editor's HTML stays home");
            assert_eq!(out.attachments, "u1,u3", "only what is uploaded");
            assert_eq!(out.send_key, "k1");
            f.rich.set(true);
            assert_eq!(f.outgoing().html, "<p>Hi Bob</p>");
            assert!(!f.is_blank());
            f.clear();
            assert!(f.is_blank());
            assert_eq!(f.outgoing().attachments, "");
        });
    }
}
