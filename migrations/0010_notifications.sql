-- Notifications (server/notifications/, docs/notifications.md). Only server/notifications/store.ts
-- reads and writes these tables. Timestamps are integer ms epoch.

-- What each rule last saw of each subject, so a restart neither forgets a status that is being
-- held (`for:`) nor sends a first message twice. subject = "<kind>:<id>", e.g. "outcome:checkout".
CREATE TABLE notification_state (
  rule_id      TEXT NOT NULL,
  subject      TEXT NOT NULL,
  status       TEXT NOT NULL,            -- the status seen at the last pass
  bad_since    INTEGER,                  -- when it entered one of the rule's statuses; NULL when not in one
  fired_status TEXT,                     -- the status the last firing message was about; NULL when none is out
  last_sent_at INTEGER,                  -- when the last firing or reminder was decided
  PRIMARY KEY (rule_id, subject)
) STRICT;

-- Each message decided, with its content as rendered then (a restart sends exactly that).
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  rule_id    TEXT NOT NULL,
  subject    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('firing', 'repeat', 'recovery')),
  status     TEXT NOT NULL,
  since      INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  content    TEXT NOT NULL                -- NotificationContent as JSON
) STRICT;
CREATE INDEX notifications_created ON notifications (created_at);

-- One row per message and channel: pending until sent or out of attempts.
CREATE TABLE notification_deliveries (
  notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_at         INTEGER NOT NULL,       -- when the next attempt is due (pending only)
  last_error      TEXT,
  PRIMARY KEY (notification_id, channel)
) STRICT;
CREATE INDEX notification_deliveries_pending ON notification_deliveries (state, next_at);

-- Every attempt, successful or not.
CREATE TABLE notification_attempts (
  id              INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  at              INTEGER NOT NULL,
  ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error           TEXT
) STRICT;
