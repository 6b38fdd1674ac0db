import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../store/index.js';
import { systemClock } from '../clock.js';

/** `pillarboard migrate`: applies pending migrations and says which. */
export function runMigrate(dbPath: string, out: NodeJS.WritableStream): number {
  fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  const store = openStore({ path: dbPath, migrate: false, now: systemClock.now });
  try {
    const applied = store.migrate();
    const all = store.appliedMigrations();
    if (applied.length === 0) out.write(`${dbPath}: up to date (${all.length} migration(s) applied)\n`);
    for (const name of applied) out.write(`applied ${name}\n`);
    return 0;
  } finally {
    store.close();
  }
}
