-- Operational events (server/events/, docs/events.md): deployments, changes, incidents, game
-- days, reviews and action items, from the API, webhooks and collectors. Only
-- server/events/store.ts reads or writes this table. Timestamps are integer ms epoch.

-- One row per (source, external_id): a second delivery of the same event replaces the row's
-- fields (an incident resolved) and keeps id and received_at. observed_at is the source's own
-- time for the state delivered (attrs.observedAt), so an older delivery that arrives late is
-- ignored instead of undoing a newer one; NULL when the source gives none.
-- attrs is a JSON object (conventions in server/events/types.ts), NULL when empty.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('deployment', 'change', 'incident', 'gameday', 'review', 'action_item')),
  service     TEXT,
  environment TEXT,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  status      TEXT,
  title       TEXT,
  attrs       TEXT,
  observed_at INTEGER,
  received_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (source, external_id)
) STRICT;

-- By kind over time (DORA series, annotations), by service and kind over time (per-service
-- DORA, filtered lists), and by time alone (GET /api/events without a kind).
CREATE INDEX events_by_kind ON events (kind, started_at);
CREATE INDEX events_by_service ON events (service, kind, started_at);
CREATE INDEX events_by_time ON events (started_at);
