/**
 * Claiming a week of the report schedule (issue 14: replicas, one leader, no report produced
 * twice). A claim is a row of `report_schedule` beside the schedule's own, named
 * `<schedule>:claim`: `last_week` the week being produced, `due_at` when the claim lapses,
 * `ran_at` when it was taken (with the week, the claim's identity). It is taken with one
 * statement, atomic on SQLite and on PostgreSQL (a second claimer's upsert waits on the row and
 * re-checks the WHERE on the committed row), and only when
 * - the schedule has not produced that week or a later one, and
 * - no other claim holds: none, a released one, or one whose lease has lapsed (a leader that
 *   died mid-run: another replica takes the week over when the lease ends).
 * The holder renews the lease while it works and, when done, records the week as produced and
 * releases the claim in one transaction; after a failure it releases the claim.
 */

export interface WeekClaim {
  week: string;
  /** When the claim was taken (ms epoch): with the week, whose claim it is. */
  at: number;
}

export const claimName = (schedule: string) => `${schedule}:claim`;

/** $1 claim row name, $2 week, $3 lease end, $4 now, $5 schedule name. Answers the claim row's name when taken. */
export const CLAIM_SQL = `INSERT INTO report_schedule AS c (name, last_week, due_at, ran_at)
  SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS bigint), CAST($4 AS bigint)
   WHERE NOT EXISTS (SELECT 1 FROM report_schedule s WHERE s.name = CAST($5 AS text) AND s.last_week >= CAST($2 AS text))
  ON CONFLICT (name) DO UPDATE SET last_week = excluded.last_week, due_at = excluded.due_at, ran_at = excluded.ran_at
   WHERE c.due_at <= excluded.ran_at
  RETURNING name`;

/** $1 claim row name, $2 week, $3 claimed at, $4 new lease end. */
export const RENEW_SQL = 'UPDATE report_schedule SET due_at = $4 WHERE name = $1 AND last_week = $2 AND ran_at = $3';

/** A released claim lapses at once (due_at 0). $1 claim row name, $2 week, $3 claimed at. */
export const RELEASE_SQL = 'UPDATE report_schedule SET due_at = 0 WHERE name = $1 AND last_week = $2 AND ran_at = $3';

/** The schedule's first state, unless one exists. $1 name, $2 week, $3 due at, $4 ran at. */
export const FIRST_SQL = 'INSERT INTO report_schedule (name, last_week, due_at, ran_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING';
