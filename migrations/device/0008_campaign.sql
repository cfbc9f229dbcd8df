-- Teeka device store, version 8: the campaign (issue 10). The microplan's session sites, the
-- rounds with their holidays, the planned sessions not held or moved, and the vial ledger.
-- Every table is a projection of events; mutable fields follow last-writer-wins per field under
-- the events' stamps (field_stamps, keyed by the row's id).
-- Append-only: never edit a migration once it has shipped; add the next one.

-- Session sites (site_registered / site_updated). A site id registered twice makes the second
-- event's id an alias (aliases). Contacts are JSON {"name", "phone"}; `villages` is the JSON
-- array of the village ids it serves, in the microplan's order (one field).
CREATE TABLE sites (
    id                 TEXT PRIMARY KEY,             -- the site uuid of site_registered
    site_id            TEXT NOT NULL UNIQUE,         -- the microplan's id (S-01)
    name               TEXT NOT NULL,
    villages           TEXT NOT NULL DEFAULT '[]',
    site_type          TEXT NOT NULL CHECK (site_type IN ('fixed', 'outreach', 'mobile')),
    hra                TEXT NOT NULL DEFAULT 'none',
    anm                TEXT,
    mobilizers         TEXT NOT NULL DEFAULT '[]',
    avd                TEXT,
    distance_tenths_km INTEGER,
    travel_minutes     INTEGER,
    ri_day             TEXT
) STRICT;

-- Which known villages each site serves: derived from sites.villages whenever that field
-- changes (villages this device does not hold are left out).
CREATE TABLE site_villages (
    site_id    TEXT NOT NULL REFERENCES sites (id),
    village_id TEXT NOT NULL REFERENCES areas (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (site_id, village_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX site_villages_village ON site_villages (village_id);

-- Rounds (round_defined). A number defined twice makes the second id an alias. `ri_days` is a
-- JSON array of weekday codes.
CREATE TABLE rounds (
    id           TEXT PRIMARY KEY,
    number       INTEGER NOT NULL UNIQUE CHECK (number > 0),
    start        TEXT NOT NULL,
    working_days INTEGER NOT NULL CHECK (working_days > 0),
    ri_days      TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- A round's days declared holidays (round_holiday_set; round_defined's holidays too): one row
-- per round and date, `holiday` last-writer-wins. `id` is a UUIDv5 of the round and the date.
CREATE TABLE round_holidays (
    id       TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    date     TEXT NOT NULL,
    holiday  INTEGER NOT NULL DEFAULT 0 CHECK (holiday IN (0, 1)),
    UNIQUE (round_id, date)
) STRICT;

-- What happened to a planned session (session_not_held / session_rescheduled): `id` is
-- teeka_domain::planned_session_key(round, site, date); each column last-writer-wins.
CREATE TABLE planned_sessions (
    id              TEXT PRIMARY KEY,
    round_id        TEXT NOT NULL REFERENCES rounds (id),
    site_id         TEXT NOT NULL REFERENCES sites (id),
    date            TEXT NOT NULL,
    not_held_reason TEXT,
    note            TEXT,
    moved_to        TEXT,
    UNIQUE (round_id, site_id, date)
) STRICT;

-- The microplan site a session is held at, when it names one.
ALTER TABLE sessions ADD COLUMN session_site_id TEXT;
CREATE INDEX sessions_session_site ON sessions (session_site_id, date) WHERE session_site_id IS NOT NULL;

-- The vial ledger (vial_opened / vial_discarded). Not a foreign key to sessions: a vial may
-- arrive before its session's opening. The discard kept is the first by stamp
-- (discard_hlc, discard_device).
CREATE TABLE vials (
    id                TEXT PRIMARY KEY,              -- the vial uuid of vial_opened
    session_id        TEXT NOT NULL,
    antigen           TEXT NOT NULL,
    batch             TEXT,
    expiry            TEXT,
    vvm               INTEGER CHECK (vvm BETWEEN 1 AND 4),
    opened_at         TEXT NOT NULL,
    discard_reason    TEXT,
    discarded_at      TEXT,
    discarded_session TEXT,
    discard_hlc       TEXT,
    discard_device    TEXT
) STRICT;
CREATE INDEX vials_session ON vials (session_id);
CREATE INDEX vials_open ON vials (antigen, opened_at) WHERE discard_reason IS NULL;

-- A discard that arrives before its vial stays in the log; the opening finds it again.
CREATE INDEX events_vial_discarded ON events (json_extract(body, '$.vial')) WHERE kind = 'vial_discarded';
