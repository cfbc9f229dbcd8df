-- A device's events in log order: its latest event's author is the worker `GET /v1/devices`
-- names.
CREATE INDEX events_device_seq ON events (device_id, seq);
