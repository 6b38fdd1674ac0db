import Database from 'better-sqlite3';

/**
 * The child process that runs a `sql` collector's SQLite queries. better-sqlite3 is
 * synchronous: on the main thread a slow query would stall the HTTP server, and SQLite cannot
 * be interrupted from JavaScript, so not even a worker thread can be stopped mid-step (it
 * keeps burning a CPU). A process can be killed: at statement_timeout the parent does. The
 * file is opened `readonly` and must exist; a statement SQLite does not mark read-only, or one
 * that returns no rows, is refused before it runs.
 */

interface Task {
  id: number;
  sql: string;
  params: unknown[];
  maxRows: number;
}

const file = process.argv[2]!;
const send = (m: unknown) => process.send!(m);
let db: Database.Database | undefined;

function open(): Database.Database {
  db ??= new Database(file, { readonly: true, fileMustExist: true });
  return db;
}

// The parent is gone (it exited or dropped us): nothing left to answer.
process.on('disconnect', () => process.exit(0));
send({ ready: true });

process.on('message', (task: Task) => {
  try {
    const stmt = open().prepare(task.sql);
    if (!stmt.reader) throw Object.assign(new Error('returns no rows: it is not a query (only SELECT, VALUES or WITH … SELECT are run)'), { kind: 'query' });
    if (!stmt.readonly) throw Object.assign(new Error('refused, it would write (the file is opened read-only)'), { kind: 'query' });
    const columns = stmt.columns().map((c) => c.name);
    stmt.raw(true);
    const rows: unknown[][] = [];
    let over = false;
    for (const row of stmt.iterate(...task.params) as IterableIterator<unknown[]>) {
      if (rows.length >= task.maxRows) {
        over = true;
        break; // ends the iteration: SQLite stops stepping
      }
      rows.push(row);
    }
    send({ id: task.id, ok: true, columns, rows, over });
  } catch (err) {
    const e = err as Error & { code?: string; kind?: string };
    // A missing or unreadable file is the database being unusable, not this query's fault.
    const kind = e.kind ?? (db === undefined ? 'connect' : 'query');
    send({ id: task.id, ok: false, kind, message: e.message, code: e.code });
  }
});
