-- The address book: the people each account keeps (a card each), and, when
-- a CardDAV server is configured, the address books there and where each
-- card lives in them.
CREATE TABLE address_books (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    href       TEXT NOT NULL,
    name       TEXT NOT NULL,
    -- The book's getctag or sync token when it was last read in full.
    version    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX address_books_href ON address_books (account_id, href);

-- `emails`, `phones` and `groups` hold one value per line, in order.
-- `vcard` is the card as last read from or written to the server, so that
-- what Estafette does not show is kept. `dirty` cards have changes the
-- server has not seen (a `deleted` one is to be removed there); `revision`
-- counts the user's changes, so that a write to the server marks the card
-- clean only if no newer change came meanwhile.
CREATE TABLE cards (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uid          TEXT NOT NULL,
    name         TEXT NOT NULL,
    emails       TEXT NOT NULL,
    phones       TEXT NOT NULL,
    organisation TEXT NOT NULL,
    notes        TEXT NOT NULL,
    groups       TEXT NOT NULL,
    vcard        TEXT NOT NULL DEFAULT '',
    book_id      INTEGER REFERENCES address_books (id) ON DELETE SET NULL,
    href         TEXT,
    etag         TEXT,
    dirty        INTEGER NOT NULL DEFAULT 1,
    deleted      INTEGER NOT NULL DEFAULT 0,
    revision     INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX cards_href ON cards (account_id, href);
CREATE INDEX cards_account ON cards (account_id, dirty);

-- Each card's addresses (kind 'e') and groups (kind 'g'), lowercased, for
-- completion and for finding a group's members.
CREATE TABLE card_values (
    card_id    INTEGER NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    value_key  TEXT NOT NULL
);
CREATE INDEX card_values_lookup ON card_values (account_id, kind, value_key);
CREATE INDEX card_values_card ON card_values (card_id);
