-- A fourth kind of notification, `no_data`: a subject with a firing message out stopped being
-- measured (docs/notifications.md, "How a rule decides"). SQLite cannot change a CHECK, so the
-- notification tables are rebuilt: new ones are made and filled, the old ones dropped children
-- first (so dropping `notifications` cascades to nothing), and the new ones renamed — which
-- updates the children's foreign keys to the final name.
CREATE TABLE notifications_0012 (
  id          INTEGER PRIMARY KEY,
  rule_id     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('firing', 'repeat', 'recovery', 'no_data')),
  status      TEXT NOT NULL,
  since       INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  content     TEXT NOT NULL,                -- NotificationContent as JSON
  silenced_by INTEGER REFERENCES notification_silences (id)
) STRICT;
CREATE TABLE notification_deliveries_0012 (
  notification_id INTEGER NOT NULL REFERENCES notifications_0012 (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_at         INTEGER NOT NULL,       -- when the next attempt is due (pending only)
  last_error      TEXT,
  PRIMARY KEY (notification_id, channel)
) STRICT;
CREATE TABLE notification_attempts_0012 (
  id              INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications_0012 (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  at              INTEGER NOT NULL,
  ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error           TEXT
) STRICT;
INSERT INTO notifications_0012 (id, rule_id, subject, kind, status, since, created_at, content, silenced_by)
  SELECT id, rule_id, subject, kind, status, since, created_at, content, silenced_by FROM notifications;
INSERT INTO notification_deliveries_0012 (notification_id, channel, state, attempts, next_at, last_error)
  SELECT notification_id, channel, state, attempts, next_at, last_error FROM notification_deliveries;
INSERT INTO notification_attempts_0012 (id, notification_id, channel, attempt, at, ok, error)
  SELECT id, notification_id, channel, attempt, at, ok, error FROM notification_attempts;
DROP TABLE notification_attempts;
DROP TABLE notification_deliveries;
DROP TABLE notifications;
ALTER TABLE notifications_0012 RENAME TO notifications;
ALTER TABLE notification_deliveries_0012 RENAME TO notification_deliveries;
ALTER TABLE notification_attempts_0012 RENAME TO notification_attempts;
CREATE INDEX notifications_created ON notifications (created_at);
CREATE INDEX notification_deliveries_pending ON notification_deliveries (state, next_at);
