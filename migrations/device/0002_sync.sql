-- Teeka device store, version 2: what sync needs.

-- This device's own events not yet acknowledged by the server, oldest first.
CREATE TABLE outbox (
    event_seq INTEGER PRIMARY KEY REFERENCES events (seq)
) STRICT;
INSERT INTO outbox (event_seq)
    SELECT seq FROM events WHERE device_id = (SELECT value FROM meta WHERE key = 'device_id');

-- Own events the server refused for good, with its reason: kept, shown, never retried.
CREATE TABLE set_aside (
    event_id TEXT PRIMARY KEY REFERENCES events (id),
    code     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;

-- Two replicas may register the same village, household or beneficiary (the same name or
-- register id) under different ids. The first one this store saw is canonical; every other id
-- is an alias of it, and events about an alias apply to the canonical row.
CREATE TABLE aliases (
    id        TEXT PRIMARY KEY,
    canonical TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The same dose recorded twice for one beneficiary (on one device or two): both records are
-- kept and flagged for review.
ALTER TABLE doses ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1));
UPDATE doses SET flagged = 1
 WHERE superseded_by IS NULL
   AND EXISTS (SELECT 1 FROM doses d2
                WHERE d2.beneficiary_id = doses.beneficiary_id AND d2.code = doses.code
                  AND d2.id <> doses.id AND d2.superseded_by IS NULL);

-- The record a correction replaces, kept beside the correction so that a correction that
-- arrives before the record it corrects still supersedes it.
ALTER TABLE doses ADD COLUMN corrects TEXT;
CREATE INDEX doses_corrects ON doses (corrects) WHERE corrects IS NOT NULL;
ALTER TABLE not_given ADD COLUMN corrects TEXT;
CREATE INDEX not_given_corrects ON not_given (corrects) WHERE corrects IS NOT NULL;
