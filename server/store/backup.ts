import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from './db.js';
import type { BackupProgress } from './types.js';

/**
 * Online backup through SQLite's backup API, which copies pages in steps and
 * lets writes on this connection go on between steps (SQLite carries them into
 * the copy), so the result is a consistent snapshot as of completion. The copy
 * is written beside destFile and renamed into place only when complete: a crash
 * or error never leaves a half-written file under the destination name.
 */
export async function backupDatabase(db: Db, destFile: string, onProgress?: (p: BackupProgress) => void): Promise<void> {
  const tmp = `${destFile}.partial-${process.pid}-${randomUUID()}`;
  try {
    await db.backup(tmp, {
      progress: (p: BackupProgress) => {
        onProgress?.({ totalPages: p.totalPages, remainingPages: p.remainingPages });
        return 256;
      },
    });
    fs.renameSync(tmp, destFile);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`backup to ${destFile} failed: ${(err as Error).message}`, { cause: err });
  }
}
