-- Teeka central server (PostgreSQL), version 1. Append-only.

CREATE TABLE areas (
    id        UUID PRIMARY KEY,
    level     TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_id UUID REFERENCES areas (id),
    path      TEXT NOT NULL UNIQUE
);

CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,
    area_id    UUID NOT NULL REFERENCES areas (id),
    role       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    device_id  UUID,
    used_at    TIMESTAMPTZ
);

CREATE TABLE devices (
    id             UUID PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    area_id        UUID NOT NULL REFERENCES areas (id),
    role           TEXT NOT NULL,
    enrolled_at    TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    last_sync_at   TIMESTAMPTZ,
    pending        BIGINT,
    clock_skew_ms  BIGINT
);

-- Inserts are serialized (an advisory lock in the push transaction), so `seq` commits in order
-- and a pull never skips an event that commits later with a smaller number.
CREATE TABLE events (
    seq         BIGSERIAL PRIMARY KEY,
    id          UUID NOT NULL UNIQUE,
    device_id   UUID NOT NULL,
    area_path   TEXT NOT NULL,
    event       TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE entities (
    id        UUID PRIMARY KEY,
    area_path TEXT NOT NULL
);
