-- Weekly reports (server/reports/, docs/reports.md). Only server/reports/archive.ts reads and
-- writes these tables. Timestamps are integer ms epoch.

-- One row per ISO week: the report data (JSON, schema_version inside) and its renderings.
-- Generating a week again replaces its row; the deliveries of every generation stay.
CREATE TABLE reports (
  week           TEXT PRIMARY KEY,      -- ISO week, e.g. 2026-W47
  timezone       TEXT NOT NULL,
  from_ts        INTEGER NOT NULL,      -- Monday 00:00 local, as UTC ms
  to_ts          INTEGER NOT NULL,      -- the next Monday 00:00 local (exclusive)
  generated_at   INTEGER NOT NULL,
  trigger        TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'api', 'cli')),
  schema_version INTEGER NOT NULL,
  data           TEXT NOT NULL,         -- the WeeklyReport as JSON
  md             TEXT NOT NULL,
  html           TEXT NOT NULL,
  pdf            BLOB,                  -- NULL when PDF is not among the formats or Chromium failed
  pdf_paper      TEXT CHECK (pdf_paper IN ('A4', 'Letter')),
  warnings       TEXT NOT NULL DEFAULT '[]' -- JSON array of strings (e.g. why the PDF is missing)
) STRICT;

-- Every delivery attempt, successful or not: the API and /metrics read these.
CREATE TABLE report_deliveries (
  id          INTEGER PRIMARY KEY,
  report_week TEXT NOT NULL,
  channel     TEXT NOT NULL,            -- email, or a webhook's name
  attempt     INTEGER NOT NULL,         -- 1, 2, … within one delivery of one generation
  at          INTEGER NOT NULL,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error       TEXT
) STRICT;
CREATE INDEX report_deliveries_by_week ON report_deliveries (report_week, at);
CREATE INDEX report_deliveries_by_channel ON report_deliveries (channel, ok, at);

-- What the schedule last produced, so it runs once per week across restarts and catches up
-- a run missed while the server was down.
CREATE TABLE report_schedule (
  name      TEXT PRIMARY KEY,           -- 'weekly'
  last_week TEXT NOT NULL,
  due_at    INTEGER NOT NULL,           -- the cron time that produced it
  ran_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
