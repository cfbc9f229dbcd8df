-- Deliveries (issue 9, item 11): a pregnant woman's pregnancy ends with a `delivery_recorded`
-- event. Her status may become 'delivered', so the status check is widened (SQLite cannot alter a
-- CHECK: the table is rebuilt, its rows and index kept); the latest delivery of a mother
-- (last-writer-wins, as every field) and a newborn's link to its mother are columns. The
-- migration runs with foreign keys off and checked before it commits (crates/store/src/migrate.rs).

CREATE TABLE beneficiaries_0005 (
    id           TEXT PRIMARY KEY,
    register_id  TEXT NOT NULL UNIQUE,
    household_id TEXT NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL CHECK (kind IN ('child', 'pregnant_woman')),
    name         TEXT NOT NULL,
    sex          TEXT CHECK (sex IN ('M', 'F', 'O')),
    dob          TEXT,
    lmp          TEXT,
    mother_name  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('active', 'migrated', 'died', 'delivered')),
    doses_packed BLOB NOT NULL DEFAULT X'',
    -- A newborn registered by a delivery: its mother (a beneficiary id, canonical).
    mother_id        TEXT,
    -- A mother's latest delivery: its date, outcome code and number of newborns.
    delivered_on     TEXT,
    delivery_outcome TEXT,
    live_births      INTEGER
) STRICT;

INSERT INTO beneficiaries_0005
    (id, register_id, household_id, kind, name, sex, dob, lmp, mother_name, status, doses_packed)
SELECT id, register_id, household_id, kind, name, sex, dob, lmp, mother_name, status, doses_packed
FROM beneficiaries;

DROP TABLE beneficiaries;
ALTER TABLE beneficiaries_0005 RENAME TO beneficiaries;
CREATE INDEX beneficiaries_household ON beneficiaries (household_id);
CREATE INDEX beneficiaries_mother ON beneficiaries (mother_id) WHERE mother_id IS NOT NULL;

-- The deliveries applied, by event id: one that arrives before its mother's registration waits
-- in the log and applies once, when she is first registered (never again on a later
-- registration of the same id).
CREATE TABLE deliveries (
    id        TEXT PRIMARY KEY,             -- the event id
    mother_id TEXT NOT NULL REFERENCES beneficiaries (id)
) STRICT;

-- Deliveries that arrive before their mother's registration are found again from the log.
CREATE INDEX events_delivery_mother ON events (json_extract(body, '$.beneficiary')) WHERE kind = 'delivery_recorded';
