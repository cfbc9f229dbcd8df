-- District-scale pulls (issue 13). Every event is listed under each prefix of its area path of
-- at most three segments (its state, its district, its block; the path itself when it is one of
-- those), in log order: a pull for a state, a district or a block reads its events from here,
-- whatever the number of areas below it. Kept by a trigger as events are stored; the events
-- already stored are listed here once.
-- Append-only: never edit a migration once it has shipped; add the next one.
CREATE TABLE event_scopes (
    scope TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    PRIMARY KEY (scope, seq)
) STRICT, WITHOUT ROWID;

-- i1, i2, i3: where the first three '/' of the path are, each counted from the one before (0: none).
INSERT INTO event_scopes (scope, seq)
SELECT CASE n WHEN 1 THEN (CASE WHEN i1 > 0 THEN substr(a, 1, i1 - 1) ELSE a END)
              WHEN 2 THEN (CASE WHEN i2 > 0 THEN substr(a, 1, i1 + i2 - 1) ELSE a END)
              ELSE (CASE WHEN i3 > 0 THEN substr(a, 1, i1 + i2 + i3 - 1) ELSE a END) END,
       seq
FROM (SELECT seq, a, i1, i2, CASE WHEN i2 > 0 THEN instr(substr(a, i1 + i2 + 1), '/') ELSE 0 END AS i3
      FROM (SELECT seq, a, i1, CASE WHEN i1 > 0 THEN instr(substr(a, i1 + 1), '/') ELSE 0 END AS i2
            FROM (SELECT seq, area_path AS a, instr(area_path, '/') AS i1 FROM events))),
     (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3)
WHERE n = 1 OR (n = 2 AND i1 > 0) OR (n = 3 AND i2 > 0);

CREATE TRIGGER event_scopes_on_insert AFTER INSERT ON events BEGIN
    INSERT INTO event_scopes (scope, seq)
    SELECT CASE n WHEN 1 THEN (CASE WHEN i1 > 0 THEN substr(a, 1, i1 - 1) ELSE a END)
                  WHEN 2 THEN (CASE WHEN i2 > 0 THEN substr(a, 1, i1 + i2 - 1) ELSE a END)
                  ELSE (CASE WHEN i3 > 0 THEN substr(a, 1, i1 + i2 + i3 - 1) ELSE a END) END,
           NEW.seq
    FROM (SELECT a, i1, i2, CASE WHEN i2 > 0 THEN instr(substr(a, i1 + i2 + 1), '/') ELSE 0 END AS i3
          FROM (SELECT a, i1, CASE WHEN i1 > 0 THEN instr(substr(a, i1 + 1), '/') ELSE 0 END AS i2
                FROM (SELECT NEW.area_path AS a, instr(NEW.area_path, '/') AS i1))),
         (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3)
    WHERE n = 1 OR (n = 2 AND i1 > 0) OR (n = 3 AND i2 > 0);
END;
