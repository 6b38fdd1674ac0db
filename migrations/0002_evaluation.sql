-- Evaluation state (server/evaluation/, docs/evaluation.md). Only the evaluation module
-- writes these tables. Timestamps are integer ms epoch.

-- One row each time an indicator's status changed: the history of "when did it go red".
-- from_status is NULL for the first evaluation ever recorded of an indicator.
-- value/score are NULL for no_data and stale (never a last known number).
CREATE TABLE indicator_transitions (
  id           INTEGER PRIMARY KEY,
  indicator_id TEXT NOT NULL,
  at           INTEGER NOT NULL,
  from_status  TEXT CHECK (from_status IN ('ok', 'warning', 'critical', 'no_data', 'stale')),
  to_status    TEXT NOT NULL CHECK (to_status IN ('ok', 'warning', 'critical', 'no_data', 'stale')),
  value        REAL,
  score        REAL,
  reason       TEXT NOT NULL
) STRICT;
CREATE INDEX indicator_transitions_by_indicator ON indicator_transitions (indicator_id, at);
-- The newest transitions across all indicators (the API's feed), and pruning by age.
CREATE INDEX indicator_transitions_by_time ON indicator_transitions (at);

-- The latest evaluation of each indicator, so a transition is detected against the last
-- status even across a restart. since = when the current status began.
CREATE TABLE indicator_state (
  indicator_id TEXT PRIMARY KEY,
  status       TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'critical', 'no_data', 'stale')),
  since        INTEGER NOT NULL,
  value        REAL,
  score        REAL,
  reason       TEXT NOT NULL,
  evaluated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
