//! Keeping each user's contacts in step with their address books on the
//! CardDAV server (`[carddav] url`), signed in as they sign in to IMAP.
//!
//! A sync reads each book's version (`getctag`, else its sync token) and,
//! when it changed, lists the book's cards with their ETags: a card new or
//! changed there is fetched and kept here; one removed there is removed
//! here. Then every card changed here is written there under a
//! precondition on the ETag last seen. Nothing is lost either way:
//! - changed on both sides: the server's version is kept in the card, and
//!   the version written here becomes a second card, sent as a new one;
//! - removed there, changed here: the card stays, sent again as new;
//! - removed here, changed there: the server's version comes back;
//! - changed there between the listing and the write: the server refuses
//!   the write (412), and the next sync sees both versions as above.
//!
//! One sync per account runs at a time; a request that arrives while one
//! runs waits for it and for one more at most (however many arrive).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use estafette_dav::vcard;
use estafette_dav::{CardDav, DavError};
use estafette_store::{now, CardFields, CardRow, Remote, Store};
use secrecy::ExposeSecret;
use url::Url;

use crate::address_book::{before, card_of, fields_of, new_uid};
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// How long one request to the CardDAV server may take.
const TIMEOUT: Duration = Duration::from_secs(15);
/// The name of the book made for a user who has none.
const NEW_BOOK: &str = "Contacts";

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// When it ended (Unix seconds).
    pub at: i64,
    pub books: usize,
    /// Cards new or changed on the server, now here.
    pub received: usize,
    /// Cards removed on the server, removed here.
    pub removed: usize,
    /// Cards written to (or removed from) the server.
    pub sent: usize,
    /// Cards changed on both sides, kept as two.
    pub kept_both: usize,
    /// Cards the server refused (they wait for the next sync).
    pub refused: usize,
}

#[derive(Default)]
struct Slot {
    /// Held while a sync runs; the last one's outcome.
    turn: tokio::sync::Mutex<Option<Result<Synced, String>>>,
    /// How many syncs of the account have begun.
    started: AtomicU64,
}

/// The CardDAV side of the address book (nothing when none is configured).
#[derive(Clone)]
pub(crate) struct ContactsSync {
    url: Option<Url>,
    store: Store,
    slots: Arc<Mutex<HashMap<i64, Arc<Slot>>>>,
}

fn dav_error(e: DavError) -> String {
    match e {
        DavError::Refused => "The address book server refused your sign-in.".into(),
        DavError::Unreachable(_) => "The address book server cannot be reached.".into(),
        other => {
            tracing::warn!(error = %other, "CardDAV sync failed");
            format!("The address book server answered in a way Estafette cannot use ({other}).")
        }
    }
}

impl ContactsSync {
    pub(crate) fn new(url: Option<Url>, store: Store) -> Self {
        ContactsSync {
            url,
            store,
            slots: Arc::default(),
        }
    }

    fn slot(&self, account: i64) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(account).or_default().clone()
    }

    /// Syncs the account, or waits for the sync under way and the one
    /// after it; `None` when no server is configured.
    async fn sync(
        &self,
        account: i64,
        user: &str,
        password: &str,
    ) -> Option<Result<Synced, String>> {
        let url = self.url.clone()?;
        let slot = self.slot(account);
        let store = self.store.clone();
        let (user, password) = (user.to_owned(), secrecy::SecretString::from(password));
        // On a task of its own: a reader who leaves does not cut it short
        // between a write to the server and its note here.
        let task = tokio::spawn(async move {
            Self::turn(slot, store, account, &url, &user, password.expose_secret()).await
        });
        match task.await {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                tracing::error!(error = %e, "CardDAV sync: the task failed");
                Some(Err(
                    "The address book could not be read; try again in a moment.".into(),
                ))
            }
        }
    }

    async fn turn(
        slot: Arc<Slot>,
        store: Store,
        account: i64,
        url: &Url,
        user: &str,
        password: &str,
    ) -> Result<Synced, String> {
        let asked = slot.started.load(Ordering::SeqCst);
        let mut last = slot.turn.lock().await;
        if slot.started.load(Ordering::SeqCst) > asked {
            // One began after this was asked, and has ended: it saw all.
            if let Some(outcome) = last.clone() {
                return outcome;
            }
        }
        slot.started.fetch_add(1, Ordering::SeqCst);
        let outcome = Run {
            store: &store,
            account,
            report: Synced::default(),
        }
        .run(url, user, password)
        .await;
        let outcome = match outcome {
            Ok(report) => Ok(report),
            Err(Failure::Dav(e)) => Err(dav_error(e)),
            Err(Failure::Store(e)) => {
                tracing::error!(error = %e, "CardDAV sync: the database failed");
                Err("The address book could not be read; try again in a moment.".into())
            }
        };
        *last = Some(outcome.clone());
        outcome
    }
}

enum Failure {
    Dav(DavError),
    Store(estafette_store::StoreError),
}

impl From<DavError> for Failure {
    fn from(e: DavError) -> Self {
        Failure::Dav(e)
    }
}

impl From<estafette_store::StoreError> for Failure {
    fn from(e: estafette_store::StoreError) -> Self {
        Failure::Store(e)
    }
}

struct Run<'a> {
    store: &'a Store,
    account: i64,
    report: Synced,
}

/// The name a new card gets on the server: its UID when that is a safe
/// file name, else a new one.
fn file_name(uid: &str) -> String {
    let safe = !uid.is_empty()
        && uid.len() <= 100
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !uid.starts_with('.');
    format!("{}.vcf", if safe { uid.to_owned() } else { new_uid() })
}

fn with_slash(href: &str) -> String {
    if href.ends_with('/') {
        href.to_owned()
    } else {
        format!("{href}/")
    }
}

impl Run<'_> {
    async fn run(mut self, url: &Url, user: &str, password: &str) -> Result<Synced, Failure> {
        let dav = CardDav::new(url, user, password, TIMEOUT)?;
        let books = dav.books(NEW_BOOK).await?;
        let known = self.store.address_books(self.account).await?;
        for gone in known
            .iter()
            .filter(|k| !books.iter().any(|b| b.href == k.href))
        {
            self.store
                .forget_address_book(self.account, gone.id)
                .await?;
        }
        let mut ids = Vec::new();
        for book in &books {
            let id = self
                .store
                .keep_address_book(self.account, &book.href, &book.name)
                .await?;
            ids.push((id, book.href.clone()));
            let seen = known
                .iter()
                .find(|k| k.href == book.href)
                .map(|k| k.version.as_str());
            let version = book.version.as_deref().unwrap_or_default();
            if version.is_empty() || seen != Some(version) {
                self.pull(&dav, id, &book.href).await?;
                self.store
                    .set_book_version(self.account, id, version)
                    .await?;
            }
        }
        self.report.books = books.len();
        if let Some(first) = ids.first().cloned() {
            for card in self.store.dirty_cards(self.account).await? {
                let book = ids
                    .iter()
                    .find(|(id, _)| Some(*id) == card.book_id)
                    .cloned()
                    .unwrap_or_else(|| first.clone());
                match self.push(&dav, book, card).await {
                    // This card only: the others are still sent.
                    Err(Failure::Dav(e @ (DavError::Status(_) | DavError::Malformed(_)))) => {
                        tracing::warn!(error = %e, "CardDAV: the server refused a card");
                        self.report.refused += 1;
                    }
                    other => other?,
                }
            }
        }
        self.report.at = now();
        Ok(self.report)
    }

    /// Brings what changed in book `book_id` on the server here. Every
    /// change here is made only if the card is still as it was read before
    /// the requests (its revision): one the user changes meanwhile is left
    /// for the next sync, which sees both versions.
    async fn pull(&mut self, dav: &CardDav, book_id: i64, href: &str) -> Result<(), Failure> {
        let listed = dav.list(href).await?;
        let local = self.store.book_cards(self.account, book_id).await?;
        let by_href: HashMap<&str, &CardRow> = local
            .iter()
            .filter_map(|c| c.href.as_deref().map(|h| (h, c)))
            .collect();
        let there: HashSet<&str> = listed.iter().map(|l| l.href.as_str()).collect();
        for card in &local {
            let Some(h) = card.href.as_deref() else {
                continue;
            };
            if there.contains(h) {
                continue;
            }
            if card.dirty && !card.deleted {
                self.store.detach_card(self.account, card.id).await?;
            } else {
                self.store
                    .drop_card(self.account, card.id, card.revision)
                    .await?;
                self.report.removed += 1;
            }
        }
        let wanted: Vec<String> = listed
            .iter()
            .filter(|l| {
                by_href
                    .get(l.href.as_str())
                    .is_none_or(|c| c.etag.as_deref() != Some(l.etag.as_str()))
            })
            .map(|l| l.href.clone())
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        for fetched in dav.fetch(href, &wanted).await? {
            let Some(fields) = vcard::read_one(&fetched.text).and_then(|r| fields_of(r.card))
            else {
                tracing::warn!(href = %fetched.href, "CardDAV: a card that is no vCard was left on the server");
                continue;
            };
            let remote = Remote {
                book_id,
                href: &fetched.href,
                etag: &fetched.etag,
                vcard: &fetched.text,
            };
            match by_href.get(fetched.href.as_str()) {
                None => self.arrived(&fields, remote).await?,
                Some(card) if same(&card.fields, &fields) && !card.deleted => {
                    // Our own write (or the same change): only its ETag is new.
                    self.store
                        .card_written(
                            self.account,
                            card.id,
                            card.revision,
                            remote,
                            Some(&fetched.etag),
                        )
                        .await?;
                }
                Some(card) if card.dirty && last_written(card).as_ref() == Some(&fields) => {
                    // Unchanged there since we last wrote or read it: the
                    // change here is still to be sent, over this ETag.
                    self.store
                        .card_written(self.account, card.id, -1, remote, Some(&fetched.etag))
                        .await?;
                }
                Some(card) if !card.dirty || card.deleted => {
                    // Changed there only (or removed here but changed
                    // there: it comes back).
                    if self
                        .store
                        .keep_remote_card(
                            self.account,
                            card.id,
                            Some(card.revision),
                            &fields,
                            remote,
                        )
                        .await?
                        .is_some()
                    {
                        self.report.received += 1;
                    }
                }
                Some(card) => {
                    // Changed on both sides: both are kept.
                    let kept = self
                        .store
                        .keep_remote_card(
                            self.account,
                            card.id,
                            Some(card.revision),
                            &fields,
                            remote,
                        )
                        .await?;
                    if kept.is_some() {
                        let mine = CardFields {
                            uid: new_uid(),
                            ..card.fields.clone()
                        };
                        self.store
                            .add_card_copy(self.account, &mine, &card.vcard)
                            .await?;
                        self.report.received += 1;
                        self.report.kept_both += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// A card the server has that no card here is at: one of ours written
    /// there by a sync cut short (same UID, not placed yet) takes its
    /// place; any other is new here.
    async fn arrived(&mut self, fields: &CardFields, remote: Remote<'_>) -> Result<(), Failure> {
        if let Some(ours) = self.store.unplaced_card(self.account, &fields.uid).await? {
            let revision = if same(&ours.fields, fields) {
                ours.revision
            } else {
                -1
            };
            self.store
                .card_written(self.account, ours.id, revision, remote, Some(remote.etag))
                .await?;
            return Ok(());
        }
        self.store
            .keep_remote_card(self.account, 0, None, fields, remote)
            .await?;
        self.report.received += 1;
        Ok(())
    }

    /// Writes a card changed here to book `(id, href)` on the server.
    async fn push(
        &mut self,
        dav: &CardDav,
        (book_id, book): (i64, String),
        card: CardRow,
    ) -> Result<(), Failure> {
        if card.deleted {
            let outcome = match (card.href.as_deref(), card.etag.as_deref()) {
                (Some(href), Some(etag)) if !etag.is_empty() => dav.delete(href, etag).await,
                // Its version there is not known: read again first.
                (Some(_), _) => return Ok(()),
                _ => Ok(()),
            };
            return match outcome {
                Ok(()) => {
                    self.store
                        .drop_card(self.account, card.id, card.revision)
                        .await?;
                    self.report.sent += 1;
                    Ok(())
                }
                // Changed there meanwhile: the next sync brings it back.
                Err(DavError::Changed) => self.read_again(book_id).await,
                Err(e) => Err(e.into()),
            };
        }
        let base = Some(card.vcard.as_str()).filter(|v| !v.is_empty());
        let text = vcard::write(&card_of(&card.fields), base, before(base).as_ref());
        let mut revision = card.revision;
        let written = match card.href.as_deref() {
            Some(href) => match card.etag.as_deref().filter(|e| !e.is_empty()) {
                Some(etag) => dav
                    .put(href, &text, Some(etag))
                    .await
                    .map(|etag| (href.to_owned(), etag)),
                // Its version there is not known: read again first.
                None => return self.read_again(book_id).await,
            },
            None => {
                let href = format!("{}{}", with_slash(&book), file_name(&card.fields.uid));
                match dav.put(&href, &text, None).await {
                    Err(DavError::Changed) => {
                        // A card of that name is there already: this very
                        // card, written by another instance or a sync cut
                        // short (taken as it is there, still to be sent if
                        // it differs), or another one (this one gets a
                        // name of its own).
                        let there = dav.fetch(&book, std::slice::from_ref(&href)).await?;
                        let ours = there.first().and_then(|f| {
                            let read = vcard::read_one(&f.text)?;
                            (read.card.uid == card.fields.uid)
                                .then(|| (f.etag.clone(), fields_of(read.card)))
                        });
                        match ours {
                            Some((etag, fields)) => {
                                if fields.as_ref().is_none_or(|f| !same(f, &card.fields)) {
                                    revision = -1;
                                }
                                Ok((href, Some(etag)))
                            }
                            None => {
                                let href = format!("{}{}.vcf", with_slash(&book), new_uid());
                                dav.put(&href, &text, None).await.map(|etag| (href, etag))
                            }
                        }
                    }
                    other => other.map(|etag| (href, etag)),
                }
            }
        };
        match written {
            Ok((href, etag)) => {
                let remote = Remote {
                    book_id,
                    href: &href,
                    etag: "",
                    vcard: &text,
                };
                self.store
                    .card_written(self.account, card.id, revision, remote, etag.as_deref())
                    .await?;
                self.report.sent += 1;
                Ok(())
            }
            // Changed there since the listing: the next sync keeps both.
            Err(DavError::Changed) => self.read_again(book_id).await,
            Err(e) => Err(e.into()),
        }
    }

    /// The next sync reads the book again, whatever its version says.
    async fn read_again(&mut self, book_id: i64) -> Result<(), Failure> {
        self.store
            .set_book_version(self.account, book_id, "")
            .await?;
        Ok(())
    }
}

/// What the server had of a card when we last wrote or read it.
fn last_written(card: &CardRow) -> Option<CardFields> {
    vcard::read_one(&card.vcard).and_then(|r| fields_of(r.card))
}

/// Whether two versions of a card say the same (a change made on both
/// sides alike is no conflict).
fn same(a: &CardFields, b: &CardFields) -> bool {
    a.name == b.name
        && a.emails == b.emails
        && a.phones == b.phones
        && a.organisation == b.organisation
        && a.notes == b.notes
        && a.groups == b.groups
}

fn password_of(who: &SignedIn) -> Option<secrecy::SecretString> {
    let session = &who.0;
    let sealed = session.sealed_password.as_deref()?;
    session.token.unseal(sealed).ok()
}

impl Services {
    /// Whether contacts are kept in step with a CardDAV server.
    pub fn carddav_configured(&self) -> bool {
        self.config.carddav.url().is_some()
    }

    /// Syncs the user's contacts with their CardDAV books now; `None` when
    /// no server is configured. The error says, to the user, what failed.
    pub async fn sync_contacts(
        &self,
        who: &SignedIn,
    ) -> Result<Option<Result<Synced, String>>, CoreError> {
        if !self.carddav_configured() {
            return Ok(None);
        }
        let password = password_of(who).ok_or(CoreError::NotSignedIn)?;
        Ok(self
            .contacts_sync
            .sync(
                who.account().id,
                &who.account().email,
                password.expose_secret(),
            )
            .await)
    }

    /// Starts a sync of the user's contacts, not waited for (after a change).
    pub(crate) fn push_contacts_later(&self, who: &SignedIn) {
        if !self.carddav_configured() {
            return;
        }
        let Some(password) = password_of(who) else {
            return;
        };
        let sync = self.contacts_sync.clone();
        let account = who.account().id;
        let user = who.account().email.clone();
        tokio::spawn(async move {
            if let Some(Err(e)) = sync.sync(account, &user, password.expose_secret()).await {
                tracing::info!(account, error = %e, "CardDAV: a change waits for the next sync");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_cards_are_named_by_a_safe_uid() {
        assert_eq!(file_name("abc-1_2.x"), "abc-1_2.x.vcf");
        for unsafe_uid in ["", "../x", "a/b", "urn:uuid:1", ".hidden", &"a".repeat(101)] {
            let name = file_name(unsafe_uid);
            assert!(name.ends_with(".vcf") && !name.contains('/') && !name.starts_with('.'));
            assert_ne!(name, format!("{unsafe_uid}.vcf"));
        }
        assert_eq!(with_slash("/a"), "/a/");
        assert_eq!(with_slash("/a/"), "/a/");
    }
}
