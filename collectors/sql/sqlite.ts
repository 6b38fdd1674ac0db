import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import type { QueryRows } from './rows.js';
import { abortable, bounded, CLOSE_BOUND_MS, ConnectError, QueryError, tooManyRows, type QueryOptions, type SqlSource } from './source.js';

/**
 * SQLite files, read in a child process that holds one read-only connection (the "pool" of a
 * SQLite source; see sqlite-child.ts for why a process). A query past statement_timeout
 * ends the wait at once and the process is killed, which stops SQLite mid-step; the next
 * query starts a fresh one. Queries of one collector run one after the other.
 */

const CHILD_FILE = path.join(__dirname, `sqlite-child${path.extname(__filename)}`);

type Reply =
  | { id: number; ok: true; columns: string[]; rows: unknown[][]; over: boolean }
  | { id: number; ok: false; kind: 'connect' | 'query'; message: string; code?: string };

interface Thread {
  worker: ChildProcess;
  /** Resolves once the worker has loaded (its start-up is not counted against a query's timeout). */
  ready: Promise<void>;
  waiting: Map<number, (reply: Reply) => void>;
}

export function sqliteSource(opts: { file: string }): SqlSource {
  const file = path.resolve(opts.file);
  let thread: Thread | undefined;
  let nextId = 0;
  let chain: Promise<unknown> = Promise.resolve();

  const spawn = (): Thread => {
    const w = fork(CHILD_FILE, [file], {
      // Under tsx (tests, benches) the child needs the loader too.
      execArgv: CHILD_FILE.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // The process keeps Pillarboard alive only while a query waits for it (see hold()).
    w.unref();
    w.channel?.unref();
    let stderr = '';
    w.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    (w.stderr as { unref?: () => void } | null)?.unref?.();
    const waiting = new Map<number, (reply: Reply) => void>();
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const t: Thread = { worker: w, ready, waiting };
    w.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) return markReady();
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
    const fail = (message: string) => {
      if (thread === t) thread = undefined;
      markReady();
      for (const [id, resolve] of waiting) resolve({ id, ok: false, kind: 'query', message });
      waiting.clear();
    };
    w.on('error', (err) => fail(`the SQLite reader process failed: ${err.message}`));
    w.on('exit', (code, sig) => fail(`the SQLite reader process stopped (${sig ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    return t;
  };

  const stop = (t: Thread | undefined) => {
    if (!t) return Promise.resolve();
    if (thread === t) thread = undefined;
    if (t.worker.exitCode !== null || t.worker.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => t.worker.once('exit', () => resolve()));
    t.worker.ref(); // whoever awaits the end is kept alive until it comes
    t.worker.kill('SIGKILL');
    return gone;
  };

  const runOne = async (sql: string, params: unknown[], q: QueryOptions): Promise<QueryRows> => {
    const t = (thread ??= spawn());
    t.worker.channel?.ref();
    try {
      return await ask(t, sql, params, q);
    } finally {
      t.worker.channel?.unref();
    }
  };

  const ask = async (t: Thread, sql: string, params: unknown[], q: QueryOptions): Promise<QueryRows> => {
    await abortable(t.ready, q.signal);
    const id = ++nextId;
    const reply = new Promise<Reply>((resolve) => t.waiting.set(id, resolve));
    t.worker.send({ id, sql, params, maxRows: q.maxRows });
    const timeout = AbortSignal.timeout(q.timeoutMs);
    let r: Reply;
    try {
      r = await abortable(reply, AbortSignal.any([q.signal, timeout]), () => {
        t.waiting.delete(id);
        void stop(t);
      });
    } catch (err) {
      if (timeout.aborted && !q.signal.aborted) throw new QueryError(`ran longer than statement_timeout (${q.timeoutMs} ms) and was stopped`);
      throw err;
    }
    if (!r.ok) {
      if (r.kind === 'connect') throw new ConnectError(`cannot open ${file} read-only: ${r.message}`);
      throw new QueryError(`SQLite: ${r.message}${r.code && r.code !== 'SQLITE_ERROR' ? ` (${r.code})` : ''}`);
    }
    if (r.over) throw tooManyRows(q.maxRows);
    return { columns: r.columns, rows: r.rows };
  };

  return {
    query(sql, params, q) {
      // One thread, one query at a time: queue behind the previous one.
      const result = chain.then(() => runOne(sql, params, q));
      chain = result.catch(() => undefined);
      return result;
    },
    async close() {
      await bounded(stop(thread), CLOSE_BOUND_MS);
    },
  };
}
