-- Teeka device store, version 1.
-- Append-only: never edit a migration once it has shipped; add the next one.
--
-- `events` is the log: every change, immutable, in the order it was appended here.
-- The other tables are a projection of the log, changed in the same transaction as the event.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,            -- UUIDv7
    device_id   TEXT NOT NULL,                   -- the device that recorded it
    hlc         TEXT NOT NULL,                   -- hybrid logical clock stamp, sortable text
    author      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,                   -- device wall clock, UTC, information only
    kind        TEXT NOT NULL,                   -- the body's `type`
    body        TEXT NOT NULL                    -- JSON
) STRICT;
CREATE INDEX events_hlc ON events (hlc, device_id, id);

CREATE TABLE areas (
    id         TEXT PRIMARY KEY,
    level      TEXT NOT NULL CHECK (level IN ('state', 'district', 'block', 'subcentre', 'village')),
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES areas (id),
    je_endemic INTEGER NOT NULL DEFAULT 0 CHECK (je_endemic IN (0, 1))
) STRICT;
CREATE INDEX areas_name ON areas (level, name);

CREATE TABLE households (
    id                TEXT PRIMARY KEY,
    household_id      TEXT NOT NULL UNIQUE,      -- as written in the register
    village_id        TEXT NOT NULL REFERENCES areas (id),
    house_no          TEXT,
    head_of_household TEXT,
    phone             TEXT,
    risk_category     TEXT,
    resistant         INTEGER NOT NULL DEFAULT 0 CHECK (resistant IN (0, 1))
) STRICT;
CREATE INDEX households_village ON households (village_id);

CREATE TABLE beneficiaries (
    id           TEXT PRIMARY KEY,
    register_id  TEXT NOT NULL UNIQUE,
    household_id TEXT NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL CHECK (kind IN ('child', 'pregnant_woman')),
    name         TEXT NOT NULL,
    sex          TEXT CHECK (sex IN ('M', 'F', 'O')),
    dob          TEXT,
    lmp          TEXT,
    mother_name  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('active', 'migrated', 'died')),
    -- The active doses of `doses` packed for the due list (5 bytes each: the code's index in
    -- schedule order, then the date as days since 1970-01-01, i32 little-endian). Derived:
    -- rewritten in the same transaction as every change to this beneficiary's doses.
    doses_packed BLOB NOT NULL DEFAULT X''
) STRICT;
CREATE INDEX beneficiaries_household ON beneficiaries (household_id);

-- Doses given. A corrected dose keeps its row, with `superseded_by` naming the correction.
CREATE TABLE doses (
    id             TEXT PRIMARY KEY,             -- the event id
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    code           TEXT NOT NULL,
    date           TEXT NOT NULL,
    superseded_by  TEXT
) STRICT;
CREATE INDEX doses_beneficiary ON doses (beneficiary_id, code, date) WHERE superseded_by IS NULL;

CREATE TABLE not_given (
    id             TEXT PRIMARY KEY,             -- the event id
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    code           TEXT NOT NULL,
    date           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    superseded_by  TEXT
) STRICT;
CREATE INDEX not_given_beneficiary ON not_given (beneficiary_id);

-- Last-writer-wins bookkeeping: the stamp of the event that last set each mutable field.
CREATE TABLE field_stamps (
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (entity_id, field)
) STRICT, WITHOUT ROWID;
