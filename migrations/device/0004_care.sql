-- Teeka device store, version 4: an ANM's session work (issue 9).
-- Append-only: never edit a migration once it has shipped; add the next one.

-- AEFI: the signs ticked (JSON array of sign codes), when it began (RFC 3339, UTC) and where it
-- was referred. Each field of a report follows last-writer-wins (field_stamps, keyed by the aefi
-- id) under aefi_reported and aefi_updated.
ALTER TABLE aefi ADD COLUMN signs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE aefi ADD COLUMN onset TEXT;
ALTER TABLE aefi ADD COLUMN referral TEXT CHECK (referral IN ('not_referred', 'phc', 'chc', 'hospital'));

-- What an "other" reason was.
ALTER TABLE not_given ADD COLUMN note TEXT;

-- Not-given records withdrawn (a refusal undone): kept even when the record has not arrived, so
-- that it is superseded when it does. Not a foreign key for that reason.
CREATE TABLE not_given_withdrawn (
    record_id    TEXT PRIMARY KEY,               -- the not_given id (its event id)
    withdrawn_by TEXT NOT NULL                   -- the not_given_withdrawn event
) STRICT;

-- An edit of an AEFI that arrives before its report stays in the log; the report finds it again.
CREATE INDEX events_aefi_updated ON events (json_extract(body, '$.aefi')) WHERE kind = 'aefi_updated';

-- households.resistant is no longer read: a household is resistant while one of its members has
-- a refusal standing (not superseded, not withdrawn), derived when read.
