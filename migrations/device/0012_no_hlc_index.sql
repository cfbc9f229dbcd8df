-- Teeka device store, version 12: the log's (hlc, device_id, id) index goes.
-- No query reads the log in that order (events are read by seq, by id, or by the partial indexes
-- of their kind), and it was an eighth of a block's store (65 MiB of 455 after a 50,000-row
-- register) and one more B-tree insert for every event.
DROP INDEX events_hlc;
