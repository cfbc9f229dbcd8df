-- Pulls read each visible area's events in log order from this index, instead of scanning the
-- whole log: a village device's first sync costs its village's events, not the state's.
CREATE INDEX events_area_seq ON events (area_path, seq);
