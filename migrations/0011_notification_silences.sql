-- Silences of notifications (server/notifications/silences.ts, the only reader and writer of
-- notification_silences; docs/notifications.md). Timestamps are integer ms epoch.
CREATE TABLE notification_silences (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('outcome', 'pillar', 'indicator', 'rule')),
  target     TEXT NOT NULL,               -- the id silenced, or '*' for every one of that kind
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,            -- expiring a silence sets this to the time it was expired
  reason     TEXT NOT NULL,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  CHECK (ends_at >= starts_at)
) STRICT;
CREATE INDEX notification_silences_ends ON notification_silences (ends_at);

-- A message decided while a silence applied: stored with it, and never sent.
ALTER TABLE notifications ADD COLUMN silenced_by INTEGER REFERENCES notification_silences (id);
