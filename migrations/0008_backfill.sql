-- Backfill (server/backfill/, docs/collectors.md): which part of which collector (a query of a
-- prometheus collector) has been filled from its source over which range. Only
-- server/backfill/log.ts reads or writes this table. Timestamps are integer ms epoch.

-- One row per planned range. done_to advances in the same transaction as the samples it covers,
-- so after a crash the rows say exactly what is stored: a range resumes after done_to and no
-- sample is written twice. A part with any row is no longer new: serve does not plan it again
-- (`pillarboard backfill --since` extends it further back).
CREATE TABLE backfills (
  id           INTEGER PRIMARY KEY,
  collector_id TEXT NOT NULL,
  part         TEXT NOT NULL,
  from_ts      INTEGER NOT NULL,
  to_ts        INTEGER NOT NULL,
  step_ms      INTEGER NOT NULL CHECK (step_ms > 0),
  -- every sample of the part with ts <= done_to is stored; from_ts - 1 before the first chunk
  done_to      INTEGER NOT NULL,
  samples      INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  error        TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX backfills_by_part ON backfills (collector_id, part);
