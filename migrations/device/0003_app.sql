-- Teeka device store, version 3: what the app needs (sessions, AEFI, workers).
-- Append-only: never edit a migration once it has shipped; add the next one.

-- Immunization sessions, projected from session_opened / session_closed. A session is held at a
-- site (a village area) on a date; once closed it stays closed. `vials` is JSON
-- [{"antigen", "opened"}] of the latest closing (last-writer-wins under the events' stamps).
CREATE TABLE sessions (
    id      TEXT PRIMARY KEY,                    -- the session id of session_opened
    site_id TEXT NOT NULL REFERENCES areas (id),
    date    TEXT NOT NULL,
    closed  INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    vials   TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX sessions_site ON sessions (site_id, date);

-- The session a dose was given (or not given) at, if any. Not a foreign key: a dose may arrive
-- before the opening of its session.
ALTER TABLE doses ADD COLUMN session_id TEXT;
CREATE INDEX doses_session ON doses (session_id) WHERE session_id IS NOT NULL;
ALTER TABLE not_given ADD COLUMN session_id TEXT;
CREATE INDEX not_given_session ON not_given (session_id) WHERE session_id IS NOT NULL;

-- Adverse events following immunization. `codes` is a JSON array of dose codes.
CREATE TABLE aefi (
    id             TEXT PRIMARY KEY,             -- the aefi id of aefi_reported
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    session_id     TEXT,
    date           TEXT NOT NULL,
    severity       TEXT NOT NULL CHECK (severity IN ('minor', 'severe', 'serious')),
    observed       TEXT NOT NULL,
    codes          TEXT NOT NULL
) STRICT;
CREATE INDEX aefi_beneficiary ON aefi (beneficiary_id);
CREATE INDEX aefi_session ON aefi (session_id) WHERE session_id IS NOT NULL;

-- Workers of this device and their PIN hashes. LOCAL ONLY: never synced, no events.
CREATE TABLE workers (
    id         TEXT PRIMARY KEY,                 -- UUIDv7
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('asha', 'anm', 'supervisor')),
    pin_hash   TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- An AEFI or a closing that arrives before the registration or opening it is about stays in the
-- log; when that registration or opening arrives, these find it again (partial indexes: other
-- kinds of events pay nothing).
CREATE INDEX events_aefi_beneficiary ON events (json_extract(body, '$.beneficiary')) WHERE kind = 'aefi_reported';
CREATE INDEX events_session_closed ON events (json_extract(body, '$.session')) WHERE kind = 'session_closed';
