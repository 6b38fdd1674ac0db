-- Compressed chunks (issue 13): raw samples older than the head live here, one
-- series' run of samples per row, encoded by server/store/chunkCodec.ts
-- (delta-of-delta timestamps; XOR or exact decimal values). See docs/store.md.
-- A rowid table, so a chunk of up to ~4 KB stays in its leaf page (a WITHOUT ROWID
-- row spills to overflow pages past ~1 KB) and chunks appended in time order fill
-- pages densely. Chunks of one series never overlap in time; first_ts, last_ts
-- and count repeat the chunk header so range reads and retention pick chunks from
-- the index without decoding them.
-- The old `samples` table stays for databases written by earlier releases: the
-- store converts its rows into chunks when it first opens the file for writing
-- (crash-safe: each transaction moves whole series), after which it stays empty.
CREATE TABLE sample_chunks (
  id        INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  first_ts  INTEGER NOT NULL,
  last_ts   INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  data      BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX sample_chunks_series ON sample_chunks (series_id, first_ts);

-- The head loses its (series_id, ts) index: a collector run of N series touched ~N leaf
-- pages of it per commit (measured: 10x slower ingest than the table alone). The head is
-- now appended in insertion order (seq, never reused) with a (ts, series_id) key that is
-- appended to as well; each store connection keeps the head per series in memory and
-- catches up by reading the rows with seq above the last it saw (docs/store.md, "The head").
-- A sample written again at the same (ts, series_id) replaces the row, under a new seq.
CREATE TABLE samples_head_v2 (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  ts        INTEGER NOT NULL,
  series_id INTEGER NOT NULL,
  value     REAL,
  UNIQUE (ts, series_id)
) STRICT;
INSERT INTO samples_head_v2 (ts, series_id, value) SELECT ts, series_id, value FROM samples_head ORDER BY ts, series_id;
DROP TABLE samples_head;
ALTER TABLE samples_head_v2 RENAME TO samples_head;
