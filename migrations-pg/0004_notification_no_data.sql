-- Twin of SQLite migration 0012: notifications of kind `no_data` (a subject with a firing
-- message out stopped being measured; docs/notifications.md).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('firing', 'repeat', 'recovery', 'no_data'));
