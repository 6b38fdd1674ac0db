-- Pillarboard store, initial schema. Committed migrations are append-only:
-- later features add 0002_..., never edit this file. See docs/store.md.

-- One row per distinct (name, labels). labels is canonical JSON: keys sorted,
-- empty values dropped (PromQL treats an empty label as an absent one).
CREATE TABLE series (
  id     INTEGER PRIMARY KEY,
  name   TEXT NOT NULL,
  labels TEXT NOT NULL,
  UNIQUE (name, labels)
) STRICT;

-- Raw samples, short retention. value NULL means NaN (SQLite cannot store NaN;
-- Prometheus staleness markers are NaN, so NULL reads back as NaN).
-- No foreign key to series: the hot ingest path is only written by the store,
-- which resolves series ids itself, and an FK check per row costs ingest rate.
CREATE TABLE samples (
  series_id INTEGER NOT NULL,
  ts        INTEGER NOT NULL,
  value     REAL,
  PRIMARY KEY (series_id, ts)
) STRICT, WITHOUT ROWID;

-- The head: recent raw samples, clustered by time so a collector run appends to
-- a few pages instead of dirtying one leaf page per series in `samples`. Raw
-- samples are partitioned by meta.head_from: ts >= head_from lives here, older
-- in `samples`; the store moves the oldest half here into `samples` in one
-- transaction when the head grows past a bound. The index serves per-series reads.
CREATE TABLE samples_head (
  ts        INTEGER NOT NULL,
  series_id INTEGER NOT NULL,
  value     REAL,
  PRIMARY KEY (ts, series_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX samples_head_series ON samples_head (series_id, ts);

-- Hourly rollups packed one row per series-day: data is 24 hours x 6 little-endian
-- float64 [count, sum, min, max, last, last_ts]; count 0 marks an empty hour.
-- day = floor(ts / 86400000) (UTC days since the epoch).
CREATE TABLE rollup_1h (
  series_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,
  data      BLOB NOT NULL,
  PRIMARY KEY (series_id, day)
) STRICT, WITHOUT ROWID;

-- Crash-safe dirty markers: an hour (floor(ts / 3600000)) that received samples
-- since its rollups were last brought up to date. Written in the same transaction
-- as the samples; after a restart every series of a marked hour is recomputed.
CREATE TABLE rollup_dirty (
  hour INTEGER PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TABLE collector_runs (
  id              INTEGER PRIMARY KEY,
  collector_id    TEXT NOT NULL,
  started_at      INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL,
  ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error           TEXT,
  samples_written INTEGER NOT NULL,
  warnings        TEXT -- JSON array of strings, NULL when none
) STRICT;
-- Latest runs per collector, and the latest success per collector without
-- scanning a long streak of failures.
CREATE INDEX collector_runs_latest ON collector_runs (collector_id, started_at);
CREATE INDEX collector_runs_latest_by_outcome ON collector_runs (collector_id, ok, started_at);

CREATE TABLE workload_versions (
  id         INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  path       TEXT NOT NULL,
  source     TEXT NOT NULL
) STRICT;

-- Small key/value state: raw_horizon (hour-aligned ms bound below which retention
-- has deleted raw samples) and head_from (see samples_head).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
