//! Starting a reply, a reply to all, or a forward from a message: the
//! compose form filled in, and for a forward the original's attachments
//! copied into the form's uploads (streamed, like any upload).

use std::sync::Arc;

use estafette_mail::attachments::Encoding;
use estafette_mail::reply;
pub use estafette_mail::reply::Original;

use crate::uploads::Upload;
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

pub use estafette_wire::Start;

/// The compose form, filled in.
#[derive(Debug, Clone, Default)]
pub struct Prefill {
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<Upload>,
}

impl Services {
    /// `heading(date, name)` is the line above the quote, in the reader's
    /// language ("On …, … wrote:" or the forward's header).
    pub async fn start_from(
        self: &Arc<Self>,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        start: Start,
        heading: impl Fn(&Original) -> String,
    ) -> Result<Prefill, CoreError> {
        // What the view reads (header, shown bodies, cut): never the whole
        // message, which a stranger may have made as large as they liked.
        let shown = self.shown(who, folder, uid).await?;
        let o = reply::original(
            &shown.header,
            shown.message.text.as_deref(),
            shown.message.html.as_deref(),
        )?;
        let me = &who.0.account.email;
        let mut p = Prefill::default();
        if start == Start::ForwardAsAttachment {
            p.subject = reply::prefixed("Fwd", &o.subject);
            let name: String = o
                .subject
                .chars()
                .filter(|c| c.is_alphanumeric() || " -_.,'’()".contains(*c))
                .take(80)
                .collect();
            let name = match name.trim() {
                "" => "message.eml".to_owned(),
                name => format!("{name}.eml"),
            };
            // Streamed from IMAP a chunk at a time, as stored.
            let body = self.section_stream(who, folder, uid, Vec::new(), Encoding::Identity);
            let limit = self.config.limits.max_message_bytes();
            let saved = self
                .save_upload(who, &name, "message/rfc822", body, limit)
                .await?;
            p.attachments.push(saved);
            return Ok(p);
        }
        if start == Start::Forward {
            p.subject = reply::prefixed("Fwd", &o.subject);
            p.text = format!("\n\n{}\n{}", heading(&o), o.text);
            let parts = self.parts(who, folder, uid).await?;
            let limit = self.config.limits.max_message_bytes();
            for part in parts {
                let section = part.section.clone();
                let download = self
                    .download(who, folder, uid, move |p| p.section == section)
                    .await?;
                let saved = self
                    .save_upload(who, &part.name, &part.content_type, download.body, limit)
                    .await?;
                p.attachments.push(saved);
            }
            return Ok(p);
        }
        let (to, cc) = reply::recipients(&o, me, start == Start::ReplyAll);
        p.to = to.join(", ");
        p.cc = cc.join(", ");
        p.subject = reply::prefixed("Re", &o.subject);
        p.text = format!("\n\n{}\n{}", heading(&o), reply::quote(&o.text));
        p.in_reply_to = o.message_id.clone();
        p.references = reply::references(&o);
        Ok(p)
    }
}
