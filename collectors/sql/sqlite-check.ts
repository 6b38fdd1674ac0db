import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import type { SqlQuery } from './config.js';

/**
 * What `pillarboard check` can know about SQLite queries without running them: when the file
 * exists now, each query is prepared on a read-only connection (nothing is executed), so a
 * typo in the SQL, a statement that writes or returns no rows, and a value or label column the
 * result does not have are errors at their line and column. A file that does not exist yet (it
 * is created later, as the example's is), cannot be opened or is busy is not checked: the run
 * reports those.
 */

export interface QueryProblem {
  path: (string | number)[];
  message: string;
}

export function checkSqliteQueries(file: string, queries: readonly Pick<SqlQuery, 'sql' | 'value_column' | 'label_columns'>[]): QueryProblem[] {
  if (!fs.existsSync(file)) return [];
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 100 });
  } catch {
    return [];
  }
  const problems: QueryProblem[] = [];
  try {
    queries.forEach((q, i) => {
      let stmt: Database.Statement;
      try {
        stmt = db.prepare(q.sql);
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.code === 'SQLITE_ERROR' || e.name === 'RangeError') problems.push({ path: ['queries', i, 'sql'], message: `SQLite cannot prepare it (${file}): ${e.message}` });
        return;
      }
      if (!stmt.reader) return void problems.push({ path: ['queries', i, 'sql'], message: 'returns no rows: it is not a query (only SELECT, VALUES or WITH … SELECT are run)' });
      if (!stmt.readonly) return void problems.push({ path: ['queries', i, 'sql'], message: 'would write; the collector runs read-only queries only' });
      const columns = stmt.columns().map((c) => c.name);
      const has = (c: string) => columns.includes(c);
      const list = columns.map((c) => `"${c}"`).join(', ');
      if (!has(q.value_column)) problems.push({ path: ['queries', i, 'value_column'], message: `the query's result has no column "${q.value_column}" (its columns: ${list})` });
      q.label_columns.forEach((c, j) => {
        if (!has(c)) problems.push({ path: ['queries', i, 'label_columns', j], message: `the query's result has no column "${c}" (its columns: ${list})` });
      });
    });
  } finally {
    db.close();
  }
  return problems;
}
