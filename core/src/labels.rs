//! Labels on messages: IMAP keywords, Thunderbird's five first (`$label1`
//! Important, `$label2` Work, `$label3` Personal, `$label4` To do,
//! `$label5` Later), then whatever keywords a folder has. The mail server
//! keeps them, so every client sees the same; a folder whose server keeps
//! no new keywords offers only those it has (see `estafette_mail::labels`).

use estafette_mail::labels;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// Thunderbird's labels, in its order.
pub const BUILT_IN: [&str; 5] = ["$label1", "$label2", "$label3", "$label4", "$label5"];

/// The labels a folder offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    /// Built-in ones (those the folder keeps), then the folder's own.
    pub labels: Vec<String>,
    /// Whether a label of a new name can be added here.
    pub new_allowed: bool,
}

/// What a folder with `found` offers.
fn offered(found: labels::FolderLabels) -> Offered {
    let mut out: Vec<String> = Vec::new();
    if found.changeable {
        for k in BUILT_IN {
            if found.new_allowed || found.defined.iter().any(|d| d.eq_ignore_ascii_case(k)) {
                out.push(k.to_owned());
            }
        }
        for k in found.defined {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&k)) {
                out.push(k);
            }
        }
    }
    Offered {
        labels: out,
        new_allowed: found.new_allowed,
    }
}

impl Services {
    /// The labels `folder` offers.
    pub async fn labels(&self, who: &SignedIn, folder: &str) -> Result<Offered, CoreError> {
        let found = self
            .with_imap(&who.0, |imap| {
                let folder = folder.to_owned();
                Box::pin(async move { labels::of_folder(imap, &folder).await })
            })
            .await?;
        Ok(offered(found))
    }

    /// Adds (`on`) or removes the label `keyword` on messages of `folder`.
    pub async fn set_label(
        &self,
        who: &SignedIn,
        folder: &str,
        uids: &[u32],
        keyword: &str,
        on: bool,
    ) -> Result<(), CoreError> {
        let keyword = keyword.trim();
        if !labels::is_label(keyword) {
            return Err(CoreError::Invalid(format!(
                "A label is one word of at most {} letters, digits and simple signs.",
                labels::MAX_KEYWORD
            )));
        }
        self.with_imap(&who.0, |imap| {
            let (folder, uids, keyword) = (folder.to_owned(), uids.to_vec(), keyword.to_owned());
            Box::pin(async move { labels::set(imap, &folder, &uids, &keyword, on).await })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_offers_what_it_keeps() {
        let open = offered(labels::FolderLabels {
            defined: vec!["Projet".into(), "$label2".into()],
            new_allowed: true,
            changeable: true,
        });
        assert_eq!(
            open.labels,
            ["$label1", "$label2", "$label3", "$label4", "$label5", "Projet"]
        );
        assert!(open.new_allowed);
        let fixed = offered(labels::FolderLabels {
            defined: vec!["$LABEL2".into(), "Projet".into()],
            new_allowed: false,
            changeable: true,
        });
        assert_eq!(fixed.labels, ["$label2", "Projet"]);
        let none = offered(labels::FolderLabels {
            defined: vec!["Projet".into()],
            new_allowed: false,
            changeable: false,
        });
        assert!(none.labels.is_empty() && !none.new_allowed);
    }
}
