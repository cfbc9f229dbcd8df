-- Teeka central server (SQLite), version 1. Append-only.

CREATE TABLE areas (
    id        TEXT PRIMARY KEY,
    level     TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_id TEXT REFERENCES areas (id),
    path      TEXT NOT NULL UNIQUE          -- State/District/Block/Subcentre/Village
) STRICT;

CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,            -- sha256 of the normalized code
    area_id    TEXT NOT NULL REFERENCES areas (id),
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    device_id  TEXT,                        -- set when used
    used_at    TEXT
) STRICT;

CREATE TABLE devices (
    id             TEXT PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    area_id        TEXT NOT NULL REFERENCES areas (id),
    role           TEXT NOT NULL,
    enrolled_at    TEXT NOT NULL,
    revoked_at     TEXT,
    last_sync_at   TEXT,
    pending        INTEGER,                 -- events pending as last reported
    clock_skew_ms  INTEGER                  -- device clock minus server clock, last measured
) STRICT;

-- The log of every accepted event, in the order accepted. `area_path` is the village (or area)
-- the event belongs to, for scoped pulls.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL,
    area_path   TEXT NOT NULL,
    event       TEXT NOT NULL,              -- the whole event, JSON
    received_at TEXT NOT NULL
) STRICT;

-- Which village each area, household and beneficiary id belongs to (device-made village ids
-- included), for checking the scope of events that refer to them.
CREATE TABLE entities (
    id        TEXT PRIMARY KEY,
    area_path TEXT NOT NULL
) STRICT, WITHOUT ROWID;
