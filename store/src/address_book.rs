//! The address book: each account's cards (people with their addresses,
//! phones, organisation, notes and groups) and, with CardDAV, the address
//! books on the server and each card's place and version there.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::contacts::like_prefix;
use crate::{now, Store, StoreError};

/// What the user sees and edits of a card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFields {
    pub uid: String,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organisation: String,
    pub notes: String,
    pub groups: Vec<String>,
}

/// A card as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    pub id: i64,
    pub fields: CardFields,
    /// The card as last read from or written to the server.
    pub vcard: String,
    pub book_id: Option<i64>,
    pub href: Option<String>,
    pub etag: Option<String>,
    /// Changed here since the server last saw it.
    pub dirty: bool,
    /// Removed here, to be removed on the server.
    pub deleted: bool,
    pub revision: i64,
    pub updated_at: i64,
}

/// An address book on the CardDAV server, as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookRow {
    pub id: i64,
    pub href: String,
    pub name: String,
    pub version: String,
}

/// A card as the server has it, to be kept as it is (not dirty).
#[derive(Debug, Clone, Copy)]
pub struct Remote<'a> {
    pub book_id: i64,
    pub href: &'a str,
    pub etag: &'a str,
    pub vcard: &'a str,
}

fn lines(values: &[String]) -> String {
    values.join("\n")
}

fn unlines(text: String) -> Vec<String> {
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A query of cards, with every column [`card`] reads.
macro_rules! cards_where {
    ($rest:literal) => {
        concat!(
            "SELECT id, uid, name, emails, phones, organisation, notes, groups, vcard, \
             book_id, href, etag, dirty, deleted, revision, updated_at FROM cards WHERE ",
            $rest
        )
    };
}

fn card(r: &AnyRow) -> Result<CardRow, StoreError> {
    Ok(CardRow {
        id: r.try_get("id")?,
        fields: CardFields {
            uid: r.try_get("uid")?,
            name: r.try_get("name")?,
            emails: unlines(r.try_get("emails")?),
            phones: unlines(r.try_get("phones")?),
            organisation: r.try_get("organisation")?,
            notes: r.try_get("notes")?,
            groups: unlines(r.try_get("groups")?),
        },
        vcard: r.try_get("vcard")?,
        book_id: r.try_get("book_id")?,
        href: r.try_get("href")?,
        etag: r.try_get("etag")?,
        dirty: r.try_get::<i64, _>("dirty")? != 0,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
        revision: r.try_get("revision")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Writes the lookup rows (addresses and groups, lowercased) of a card.
async fn index(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    card_id: i64,
    fields: &CardFields,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM card_values WHERE account_id = $1 AND card_id = $2")
        .bind(account_id)
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    let values = fields
        .emails
        .iter()
        .map(|e| ("e", e))
        .chain(fields.groups.iter().map(|g| ("g", g)));
    for (kind, value) in values {
        sqlx::query(
            "INSERT INTO card_values (card_id, account_id, kind, value_key) VALUES ($1, $2, $3, $4)",
        )
        .bind(card_id)
        .bind(account_id)
        .bind(kind)
        .bind(value.to_lowercase())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Why a card was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardRefusal {
    /// The account has as many cards as it may.
    Full,
    /// The account has no card of that id.
    NotFound,
}

impl Store {
    /// The account's cards (not those removed), in no particular order.
    pub async fn cards(&self, account_id: i64) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(cards_where!("account_id = $1 AND deleted = 0"))
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(card).collect()
    }

    /// One of the account's cards (a removed one too).
    pub async fn card(&self, account_id: i64, id: i64) -> Result<Option<CardRow>, StoreError> {
        let row = sqlx::query(cards_where!("account_id = $1 AND id = $2"))
            .bind(account_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(card).transpose()
    }

    /// The account's cards with one of `kind`'s values (`e` an address,
    /// `g` a group) equal to `value` (case aside).
    pub async fn cards_with(
        &self,
        account_id: i64,
        kind: &str,
        value: &str,
    ) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(cards_where!(
            "account_id = $1 AND deleted = 0 AND id IN \
             (SELECT card_id FROM card_values WHERE account_id = $1 AND kind = $2 AND value_key = $3)"
        ))
        .bind(account_id)
        .bind(kind)
        .bind(value.to_lowercase())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(card).collect()
    }

    /// Up to `limit` cards with an address, a name (or a word of it) or a
    /// group starting with `prefix`.
    pub async fn cards_matching(
        &self,
        account_id: i64,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<CardRow>, StoreError> {
        let escaped = like_prefix(prefix);
        let rows = sqlx::query(cards_where!(
            "account_id = $1 AND deleted = 0 AND \
             (lower(name) LIKE $2 ESCAPE '\\' OR lower(name) LIKE $3 ESCAPE '\\' OR id IN \
              (SELECT card_id FROM card_values WHERE account_id = $1 AND value_key LIKE $2 ESCAPE '\\')) \
             ORDER BY lower(name), id LIMIT $4"
        ))
        .bind(account_id)
        .bind(format!("{escaped}%"))
        .bind(format!("% {escaped}%"))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(card).collect()
    }

    /// Adds a card (`id` 0) or changes one of the account's, marking it for
    /// the server; returns its id. Adds are counted one after the other,
    /// however many arrive at once (the account's row is locked first).
    pub async fn save_card(
        &self,
        account_id: i64,
        id: i64,
        fields: &CardFields,
        vcard: Option<&str>,
        max: i64,
    ) -> Result<Result<i64, CardRefusal>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET id = id WHERE id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let id = if id == 0 {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cards WHERE account_id = $1 AND deleted = 0",
            )
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
            if count >= max {
                tx.rollback().await?;
                return Ok(Err(CardRefusal::Full));
            }
            insert(&mut tx, account_id, fields, vcard.unwrap_or_default()).await?
        } else {
            let done = sqlx::query(
                "UPDATE cards SET name = $3, emails = $4, phones = $5, organisation = $6, \
                 notes = $7, groups = $8, dirty = 1, revision = revision + 1, updated_at = $9 \
                 WHERE account_id = $1 AND id = $2 AND deleted = 0",
            )
            .bind(account_id)
            .bind(id)
            .bind(&fields.name)
            .bind(lines(&fields.emails))
            .bind(lines(&fields.phones))
            .bind(&fields.organisation)
            .bind(&fields.notes)
            .bind(lines(&fields.groups))
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(Err(CardRefusal::NotFound));
            }
            if let Some(vcard) = vcard {
                sqlx::query("UPDATE cards SET vcard = $2 WHERE id = $1")
                    .bind(id)
                    .bind(vcard)
                    .execute(&mut *tx)
                    .await?;
            }
            id
        };
        index(&mut tx, account_id, id, fields).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Removes one of the account's cards: at once if the server never had
    /// it, else once the server has removed it too. False if no such card.
    pub async fn remove_card(&self, account_id: i64, id: i64) -> Result<bool, StoreError> {
        let gone =
            sqlx::query("DELETE FROM cards WHERE account_id = $1 AND id = $2 AND href IS NULL")
                .bind(account_id)
                .bind(id)
                .execute(&self.pool)
                .await?;
        if gone.rows_affected() == 1 {
            return Ok(true);
        }
        let marked = sqlx::query(
            "UPDATE cards SET deleted = 1, dirty = 1, revision = revision + 1, updated_at = $3 \
             WHERE account_id = $1 AND id = $2 AND deleted = 0",
        )
        .bind(account_id)
        .bind(id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(marked.rows_affected() == 1)
    }

    // --- CardDAV ---

    pub async fn address_books(&self, account_id: i64) -> Result<Vec<BookRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, href, name, version FROM address_books WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BookRow {
                    id: r.try_get("id")?,
                    href: r.try_get("href")?,
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    /// Keeps a book the server has (its name updated); returns its id.
    pub async fn keep_address_book(
        &self,
        account_id: i64,
        href: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO address_books (account_id, href, name) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, href) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(account_id)
        .bind(href)
        .bind(name)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn set_book_version(
        &self,
        account_id: i64,
        book_id: i64,
        version: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE address_books SET version = $3 WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(book_id)
            .bind(version)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a book the server no longer has: its cards the server had
    /// and nobody changed here go with it; the others stay, as new cards.
    pub async fn forget_address_book(
        &self,
        account_id: i64,
        book_id: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM cards WHERE account_id = $1 AND book_id = $2 AND (dirty = 0 OR deleted = 1)")
            .bind(account_id)
            .bind(book_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE cards SET book_id = NULL, href = NULL, etag = NULL, dirty = 1 \
             WHERE account_id = $1 AND book_id = $2",
        )
        .bind(account_id)
        .bind(book_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM address_books WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(book_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cards of a book (removed ones too).
    pub async fn book_cards(
        &self,
        account_id: i64,
        book_id: i64,
    ) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(cards_where!("account_id = $1 AND book_id = $2"))
            .bind(account_id)
            .bind(book_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(card).collect()
    }

    /// The cards with changes the server has not seen (removed ones too).
    pub async fn dirty_cards(&self, account_id: i64) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(cards_where!("account_id = $1 AND dirty = 1 ORDER BY id"))
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(card).collect()
    }

    /// A card of the account with that UID that the server does not have
    /// yet (written there, perhaps, by a sync cut short).
    pub async fn unplaced_card(
        &self,
        account_id: i64,
        uid: &str,
    ) -> Result<Option<CardRow>, StoreError> {
        let row = sqlx::query(cards_where!(
            "account_id = $1 AND uid = $2 AND href IS NULL AND deleted = 0 ORDER BY id LIMIT 1"
        ))
        .bind(account_id)
        .bind(uid)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(card).transpose()
    }

    /// Keeps a card as the server has it: card `id` (0: a new one) becomes
    /// that version, clean; only if it is still at revision `seen` (when
    /// given): a change made here meanwhile is not overwritten. Returns the
    /// card's id, or `None` when it changed meanwhile.
    pub async fn keep_remote_card(
        &self,
        account_id: i64,
        id: i64,
        seen: Option<i64>,
        fields: &CardFields,
        remote: Remote<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let known: Option<i64> = if id == 0 {
            // Another instance may have kept it meanwhile. (Read before the
            // transaction: on SQLite one that reads first and then writes
            // is refused at once when another writes meanwhile.)
            sqlx::query_scalar("SELECT id FROM cards WHERE account_id = $1 AND href = $2")
                .bind(account_id)
                .bind(remote.href)
                .fetch_optional(&self.pool)
                .await?
        } else {
            Some(id)
        };
        let mut tx = self.pool.begin().await?;
        let id = match known {
            Some(id) => id,
            None => insert(&mut tx, account_id, fields, remote.vcard).await?,
        };
        let done = sqlx::query(
            "UPDATE cards SET uid = $3, name = $4, emails = $5, phones = $6, organisation = $7, \
             notes = $8, groups = $9, vcard = $10, book_id = $11, href = $12, etag = $13, \
             dirty = 0, deleted = 0, updated_at = $14 WHERE account_id = $1 AND id = $2 \
             AND ($15 < 0 OR revision = $15)",
        )
        .bind(account_id)
        .bind(id)
        .bind(&fields.uid)
        .bind(&fields.name)
        .bind(lines(&fields.emails))
        .bind(lines(&fields.phones))
        .bind(&fields.organisation)
        .bind(&fields.notes)
        .bind(lines(&fields.groups))
        .bind(remote.vcard)
        .bind(remote.book_id)
        .bind(remote.href)
        .bind(remote.etag)
        .bind(now())
        .bind(seen.unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        index(&mut tx, account_id, id, fields).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Adds a card that is new here (dirty, for the server), past any limit:
    /// the other side of a conflict, which must not be lost.
    pub async fn add_card_copy(
        &self,
        account_id: i64,
        fields: &CardFields,
        vcard: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = insert(&mut tx, account_id, fields, vcard).await?;
        index(&mut tx, account_id, id, fields).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Notes that the server now has revision `revision` of card `id` at
    /// `href`: clean, unless the user changed it again meanwhile.
    pub async fn card_written(
        &self,
        account_id: i64,
        id: i64,
        revision: i64,
        remote: Remote<'_>,
        etag: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cards SET book_id = $4, href = $5, etag = $6, vcard = $7, \
             dirty = CASE WHEN revision = $3 THEN 0 ELSE 1 END \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account_id)
        .bind(id)
        .bind(revision)
        .bind(remote.book_id)
        .bind(remote.href)
        .bind(etag)
        .bind(remote.vcard)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Drops a card for good (the server removed it, or it was removed here
    /// and now there too), if it is still at revision `seen`.
    pub async fn drop_card(&self, account_id: i64, id: i64, seen: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cards WHERE account_id = $1 AND id = $2 AND revision = $3")
            .bind(account_id)
            .bind(id)
            .bind(seen)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A card the server no longer has, but with changes here, stays as a
    /// new card, to be written to the server again.
    pub async fn detach_card(&self, account_id: i64, id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cards SET book_id = NULL, href = NULL, etag = NULL, dirty = 1 \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

async fn insert(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    fields: &CardFields,
    vcard: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO cards (account_id, uid, name, emails, phones, organisation, notes, groups, \
         vcard, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(account_id)
    .bind(&fields.uid)
    .bind(&fields.name)
    .bind(lines(&fields.emails))
    .bind(lines(&fields.phones))
    .bind(&fields.organisation)
    .bind(&fields.notes)
    .bind(lines(&fields.groups))
    .bind(vcard)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}
