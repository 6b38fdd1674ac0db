import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * One writer per database. `serve` and `collect` hold `<db>.lock` beside the database while they
 * run: two of them on one file would both collect, doubling every run without a warning. Commands
 * that read, or write one thing and leave (`report`, `event add`, `token`, `backup`), do not take
 * it and work beside a running server, as SQLite's WAL lets them.
 *
 * The lock file is created exclusively (`O_EXCL`) and records who holds it. A lock left by a
 * process that no longer runs on this host is taken over; one from another host (a database on
 * a shared disk) cannot be checked and is refused, naming the file to remove.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder started, ms epoch. */
  startedAt: number;
  command: string;
  /** Tells two holders with the same pid apart (a lock taken over inside one process). */
  nonce?: string;
}

export class WriterLockError extends Error {
  constructor(
    message: string,
    readonly holder?: LockHolder,
  ) {
    super(message);
    this.name = 'WriterLockError';
  }
}

export interface WriterLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

export const lockPathFor = (dbPath: string) => `${dbPath}.lock`;

/** Takes the writer lock of `dbPath` for this process or throws WriterLockError naming the holder. */
export function acquireWriterLock(
  dbPath: string,
  opts: { command: string; now: () => number; pid?: number; host?: string; isAlive?: (pid: number) => boolean },
): WriterLock {
  const file = lockPathFor(dbPath);
  const me: LockHolder = {
    pid: opts.pid ?? process.pid,
    host: opts.host ?? os.hostname(),
    startedAt: opts.now(),
    command: opts.command,
    nonce: randomUUID(),
  };
  const isAlive = opts.isAlive ?? processAlive;
  // Two attempts: the second after taking over a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, JSON.stringify(me) + '\n');
      fs.closeSync(fd);
      return { path: file, release: releaser(file, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WriterLockError(
          `cannot create the lock file ${file} (${(err as Error).message}); give the user running pillarboard write permission on the database's directory`,
        );
      }
    }
    const holder = readHolder(file);
    if (!holder && ageMs(file, opts.now) < 2_000) {
      throw new WriterLockError(`${dbPath} is being opened by another process (${file} was just created); try again`);
    }
    if (holder && holder.host !== me.host) {
      throw new WriterLockError(
        `${dbPath} is in use by ${describe(holder)}; stop it first (if that process is gone, remove ${file})`,
        holder,
      );
    }
    if (holder && holder.pid !== me.pid && isAlive(holder.pid)) {
      throw new WriterLockError(`${dbPath} is in use by ${describe(holder)}; stop it first, or use another --db`, holder);
    }
    // Stale: its process is gone, or this very process holds it (a runtime reopened in one
    // process), or the file is unreadable (left half-written by a crash).
    fs.rmSync(file, { force: true });
  }
  throw new WriterLockError(`cannot take the lock ${file}: another process keeps creating it`);
}

function describe(h: LockHolder): string {
  return `pillarboard ${h.command} (pid ${h.pid} on ${h.host}, started ${new Date(h.startedAt).toISOString()})`;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'number') {
      return { pid: v.pid, host: v.host, startedAt: v.startedAt, command: typeof v.command === 'string' ? v.command : 'process', nonce: v.nonce };
    }
  } catch {
    // unreadable or half-written: treated as stale
  }
  return undefined;
}

/** Age by the runtime's clock: the file's mtime is the system's wall time, which is what that clock reads in production. */
function ageMs(file: string, now: () => number): number {
  try {
    return now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaser(file: string, me: LockHolder): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holder = readHolder(file);
    if (holder && holder.nonce === me.nonce && holder.pid === me.pid) fs.rmSync(file, { force: true });
  };
}
