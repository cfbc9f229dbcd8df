-- The author of each device's latest event, kept as its events are stored (`GET /v1/devices`
-- and the round report name a phone's worker): read from the devices, not looked up in the log.
ALTER TABLE devices ADD COLUMN worker TEXT;
UPDATE devices SET worker = (
    SELECT json_extract(e.event, '$.author') FROM events e
    WHERE e.device_id = devices.id ORDER BY e.device_id DESC, e.seq DESC LIMIT 1
);
