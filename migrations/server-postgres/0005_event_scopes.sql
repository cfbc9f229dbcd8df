-- District-scale pulls (issue 13). Every event is listed under each prefix of its area path of
-- at most three segments (its state, its district, its block; the path itself when it is one of
-- those), in log order: a pull for a state, a district or a block reads its events from here,
-- whatever the number of areas below it. Kept by a trigger on each insert statement; the events
-- already stored are listed here once.
-- Append-only: never edit a migration once it has shipped; add the next one.
CREATE TABLE event_scopes (
    scope TEXT NOT NULL,
    seq   BIGINT NOT NULL,
    PRIMARY KEY (scope, seq)
);

INSERT INTO event_scopes (scope, seq)
SELECT array_to_string(e.parts[1:n], '/'), e.seq
FROM (SELECT seq, string_to_array(area_path, '/') AS parts FROM events) AS e,
     generate_series(1, least(3, cardinality(e.parts))) AS n;

CREATE FUNCTION event_scopes_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_scopes (scope, seq)
    SELECT array_to_string(e.parts[1:n], '/'), e.seq
    FROM (SELECT seq, string_to_array(area_path, '/') AS parts FROM inserted) AS e,
         generate_series(1, least(3, cardinality(e.parts))) AS n;
    RETURN NULL;
END
$$;

CREATE TRIGGER event_scopes_on_insert AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION event_scopes_on_insert();
