-- Teeka device store, version 6: a village's ASHA (name and phone), projected from
-- village_asha_set (last-writer-wins per field under the events' stamps, in field_stamps).
-- Append-only: never edit a migration once it has shipped; add the next one.
ALTER TABLE areas ADD COLUMN asha_name TEXT;
ALTER TABLE areas ADD COLUMN asha_phone TEXT;
