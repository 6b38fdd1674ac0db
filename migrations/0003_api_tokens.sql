-- API tokens. Only a SHA-256 of each token is stored: tokens are 192-bit random
-- strings, so a fast hash is enough (no password-style stretching needed), and a
-- leaked database does not leak usable tokens. `prefix` (the first characters) lets
-- people recognise a token in `token list` without it being usable.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  scope        TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
  hash         TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
) STRICT;
-- A name is unique among live tokens; a revoked token's name can be reused.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
