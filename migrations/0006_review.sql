-- Well-Architected reviews (server/review/, docs/review.md). Only server/review/store.ts
-- reads and writes these tables. Timestamps are integer ms epoch; JSON columns hold what
-- the column comment says.

-- Lenses in the AWS custom-lens format, canonical JSON (exported as it is). id is
-- Pillarboard's own key ("wellarchitected" for the built-in lens). hash = sha256 of lens.
CREATE TABLE review_lenses (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  builtin     INTEGER NOT NULL CHECK (builtin IN (0, 1)),
  hash        TEXT NOT NULL,
  lens        TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One answer per question of a lens.
-- person_choices: JSON array of the choices a person selected, NULL when no person answered.
-- overrides: JSON array of evidence-bound choices where the person's answer stands against
--   the evidence. evidence: JSON object choice id -> { when, result, holds, since, checkedAt,
--   indicators: [{ id, status, value, score }] } for every evidence-bound choice.
-- selected and source are derived from the rest (written with every change, for readers).
CREATE TABLE review_answers (
  lens_id        TEXT NOT NULL,
  question_id    TEXT NOT NULL,
  selected       TEXT NOT NULL DEFAULT '[]',
  source         TEXT CHECK (source IN ('auto', 'manual', 'mixed')),
  person_choices TEXT,
  overrides      TEXT NOT NULL DEFAULT '[]',
  not_applicable INTEGER NOT NULL DEFAULT 0 CHECK (not_applicable IN (0, 1)),
  reason         TEXT CHECK (reason IN ('out_of_scope', 'business_priorities', 'architecture_constraints', 'other')),
  note           TEXT,
  answered_by    TEXT,
  answered_at    INTEGER,
  evidence       TEXT NOT NULL DEFAULT '{}',
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (lens_id, question_id)
) STRICT, WITHOUT ROWID;

-- Answers set aside when a lens was re-imported without their question (or with fewer
-- choices), or deleted: nothing answered is ever lost. answer = the review_answers row as JSON.
CREATE TABLE review_answers_archive (
  id          INTEGER PRIMARY KEY,
  lens_id     TEXT NOT NULL,
  question_id TEXT NOT NULL,
  archived_at INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  answer      TEXT NOT NULL
) STRICT;
CREATE INDEX review_answers_archive_by_question ON review_answers_archive (lens_id, question_id, archived_at);

-- Named snapshots of the whole review. kind 'weekly' milestones carry their ISO week
-- (e.g. 2026-W48), at most one per week. snapshot = JSON (server/review/milestones.ts).
CREATE TABLE review_milestones (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('manual', 'weekly')),
  week       TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  snapshot   TEXT NOT NULL
) STRICT;
CREATE INDEX review_milestones_by_time ON review_milestones (created_at);

-- The improvement plan's bookkeeping per risky question: who, by when, how far.
-- action_items: JSON array of "source:externalId" references to action_item events.
CREATE TABLE review_improvements (
  lens_id      TEXT NOT NULL,
  question_id  TEXT NOT NULL,
  owner        TEXT,
  due          TEXT,
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'accepted')),
  note         TEXT,
  action_items TEXT NOT NULL DEFAULT '[]',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (lens_id, question_id)
) STRICT, WITHOUT ROWID;
