-- The listing of migration 0005 is kept by the server's statements instead of a row trigger: a
-- transaction that stores events lists them all at once, with one INSERT … SELECT over the events
-- it added (crates/server/src/db/sqlite.rs, LIST_SCOPES). SQLite has no statement triggers, and
-- its row trigger cost about 37 µs per event stored (measured on a 20,000-event insert: 10 µs
-- without it, 47 µs with it), four times the rest of a push. PostgreSQL keeps its statement
-- trigger (its migration 0005).
-- Append-only: never edit a migration once it has shipped; add the next one.
DROP TRIGGER event_scopes_on_insert;
