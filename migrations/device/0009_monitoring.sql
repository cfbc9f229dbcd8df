-- Teeka device store, version 9: monitoring (issue 11). Resistant families' case files and the
-- villages' communication activities. Projections of events: refusal_assigned and
-- refusal_escalated set a case file's fields by last-writer-wins per field (field_stamps, keyed
-- by the household's id); refusal_visited and activity_recorded are facts.
-- Append-only: never edit a migration once it has shipped; add the next one.

-- One row per household with an assignment or an escalation (its refusals are not_given's).
CREATE TABLE case_files (
    id              TEXT PRIMARY KEY REFERENCES households (id),
    persuader       TEXT,                      -- a Persuader code
    persuader_name  TEXT,
    escalated       INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
    escalated_on    TEXT,
    escalation_note TEXT
) STRICT;

CREATE TABLE case_visits (
    id           TEXT PRIMARY KEY,             -- the visit uuid
    household_id TEXT NOT NULL REFERENCES households (id),
    date         TEXT NOT NULL,
    by_role      TEXT NOT NULL,                -- a Persuader code
    by_name      TEXT,
    action       TEXT NOT NULL,                -- a VisitAction code
    outcome      TEXT NOT NULL CHECK (outcome IN ('persuaded', 'still_refusing', 'migrated')),
    note         TEXT
) STRICT;
CREATE INDEX case_visits_household ON case_visits (household_id, date);

CREATE TABLE activities (
    id         TEXT PRIMARY KEY,               -- the activity uuid
    village_id TEXT NOT NULL REFERENCES areas (id),
    date       TEXT NOT NULL,
    kind       TEXT NOT NULL,                  -- an ActivityKind code
    led_by     TEXT NOT NULL,
    leader     TEXT,                           -- a Persuader code
    attendance INTEGER NOT NULL CHECK (attendance >= 0),
    note       TEXT
) STRICT;
CREATE INDEX activities_village ON activities (village_id, date);
