-- Every event carries the stable id of the worker who made it (issue 14). Events made before
-- this have none.
ALTER TABLE events ADD COLUMN worker TEXT;
