import * as fs from 'node:fs';
import { openStore } from '../store/index.js';
import { requireDatabase } from './database.js';
import { systemClock } from '../clock.js';

/**
 * `pillarboard backup FILE`: SQLite online backup, consistent even while `serve` writes.
 * Shows progress on a terminal; silent when stderr is a file or a pipe.
 */
export async function runBackup(
  dbPath: string,
  dest: string,
  opts: { force: boolean; err: NodeJS.WriteStream | NodeJS.WritableStream },
): Promise<number> {
  requireDatabase(dbPath);
  if (fs.existsSync(dest) && !opts.force) {
    opts.err.write(`pillarboard: ${dest} exists; use --force to overwrite\n`);
    return 2;
  }
  const tty = (opts.err as NodeJS.WriteStream).isTTY === true;
  const store = openStore({ path: dbPath, migrate: false, now: systemClock.now });
  try {
    await store.backup(dest, (p) => {
      if (!tty || p.totalPages === 0) return;
      const pct = Math.floor(((p.totalPages - p.remainingPages) / p.totalPages) * 100);
      opts.err.write(`\rbackup: ${pct}% (${p.totalPages - p.remainingPages}/${p.totalPages} pages)`);
    });
    if (tty) opts.err.write('\n');
    const size = fs.statSync(dest).size;
    opts.err.write(`backup written to ${dest} (${(size / 1048576).toFixed(1)} MiB)\n`);
    return 0;
  } catch (err) {
    opts.err.write(`pillarboard: backup failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store.close();
  }
}
