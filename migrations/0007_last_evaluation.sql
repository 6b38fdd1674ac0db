-- The latest evaluation snapshot (server/evaluation/last.ts), so a restarted server shows what
-- it showed before instead of a wall of "no data" or "stale" until its collectors have run
-- again. One row; only the evaluation module writes it. spec_key identifies the indicators,
-- outcomes and settings it was evaluated with: a snapshot of another workload is not resumed.
CREATE TABLE evaluation_last (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  at       INTEGER NOT NULL,
  spec_key TEXT NOT NULL,
  snapshot TEXT NOT NULL
) STRICT;
