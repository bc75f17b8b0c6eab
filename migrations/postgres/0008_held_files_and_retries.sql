-- Held messages are files now (the data directory's `outbox/`, one per
-- message): the row names its file and the directory that holds it
-- (`stored_in`, the id written in that directory), so that an instance only
-- claims what it can read. A temporary SMTP failure is retried: `attempts`
-- counts the failed ones, `retry_at` says when the next is due and `error`
-- keeps the last reason.
-- Messages waiting as bytes when this runs cannot be sent from a file: they
-- are failed with a reason the user reads in Scheduled, and their send keys
-- are given back so that their drafts can be sent again.
DELETE FROM sends WHERE (account_id, send_key) IN
    (SELECT account_id, send_key FROM outbox WHERE state <> 'failed');
UPDATE outbox SET state = 'failed', credential = '',
    error = 'Estafette was updated while this message waited; send it again.'
    WHERE state <> 'failed';
ALTER TABLE outbox DROP COLUMN message;
ALTER TABLE outbox ADD COLUMN message_file TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN stored_in TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN retry_at BIGINT;
