//! What the reader changes: marks, moves, deletions and folders.

use estafette_mail::actions;
pub use estafette_mail::actions::Mark;
use estafette_mail::folders::{self, SpecialUse};
use estafette_mail::MailError;

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

pub use estafette_wire::Destination;

/// The messages a request names (`3,5,9:12`), at most a batch of them.
pub fn uids(list: &str) -> Result<Vec<u32>, CoreError> {
    actions::parse_uids(list).ok_or_else(|| CoreError::Invalid("Those are not messages.".into()))
}

impl Services {
    pub async fn set_mark(
        &self,
        who: &SignedIn,
        folder: &str,
        uids: &[u32],
        mark: Mark,
        on: bool,
    ) -> Result<(), CoreError> {
        self.with_imap(&who.0, |imap| {
            let (folder, uids) = (folder.to_owned(), uids.to_vec());
            Box::pin(async move { actions::set_mark(imap, &folder, &uids, mark, on).await })
        })
        .await
    }

    pub async fn move_messages(
        &self,
        who: &SignedIn,
        folder: &str,
        uids: &[u32],
        target: &str,
    ) -> Result<Option<String>, CoreError> {
        self.with_imap(&who.0, |imap| {
            let (folder, uids, target) = (folder.to_owned(), uids.to_vec(), target.to_owned());
            Box::pin(async move { actions::move_to(imap, &folder, &uids, &target).await })
        })
        .await
    }

    /// Sends messages to the Trash, Archive or Junk folder. Deleting in the
    /// Trash (or where there is no Trash) removes them for good. Returns the
    /// folder they went to, if any, and their UIDs there when certain.
    pub async fn send_to(
        &self,
        who: &SignedIn,
        folder: &str,
        uids: &[u32],
        destination: Destination,
    ) -> Result<Option<(String, Option<String>)>, CoreError> {
        self.with_imap(&who.0, |imap| {
            let (folder, uids) = (folder.to_owned(), uids.to_vec());
            Box::pin(async move {
                let role = match destination {
                    Destination::Trash => SpecialUse::Trash,
                    Destination::Archive => SpecialUse::Archive,
                    Destination::Junk => SpecialUse::Junk,
                };
                match folders::special(imap, role).await? {
                    Some(target) if target != folder => {
                        let moved = actions::move_to(imap, &folder, &uids, &target).await?;
                        Ok(Some((target, moved)))
                    }
                    _ if destination == Destination::Trash => {
                        actions::expunge(imap, &folder, &uids).await?;
                        Ok(None)
                    }
                    Some(_) => Ok(None),
                    None => Err(MailError::NoSuchFolder(format!("{role:?}"))),
                }
            })
        })
        .await
    }

    pub async fn create_folder(&self, who: &SignedIn, name: &str) -> Result<(), CoreError> {
        self.with_imap(&who.0, |imap| {
            let name = name.to_owned();
            Box::pin(async move { folders::create(imap, &name).await })
        })
        .await
    }

    pub async fn rename_folder(
        &self,
        who: &SignedIn,
        from: &str,
        to: &str,
    ) -> Result<(), CoreError> {
        self.with_imap(&who.0, |imap| {
            let (from, to) = (from.to_owned(), to.to_owned());
            Box::pin(async move { folders::rename(imap, &from, &to).await })
        })
        .await
    }

    pub async fn delete_folder(&self, who: &SignedIn, name: &str) -> Result<(), CoreError> {
        self.with_imap(&who.0, |imap| {
            let name = name.to_owned();
            Box::pin(async move { folders::delete(imap, &name).await })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_a_request_names_are_read_or_refused() {
        assert_eq!(uids("3, 5,9:11").ok(), Some(vec![3, 5, 9, 10, 11]));
        assert!(matches!(uids("3,x"), Err(CoreError::Invalid(_))));
        assert!(matches!(uids("1:100000"), Err(CoreError::Invalid(_))));
    }
}
