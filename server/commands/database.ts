import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.js';
import { CliError } from './errors.js';

/**
 * The database the commands other than `serve`, `collect`, `migrate` and `import` work on must already
 * exist: a token created in, or an event written to, a fresh empty file nobody serves from is
 * lost without a word. Run from the wrong directory, the default `./data/pillarboard.db` is
 * the wrong file, so the message names the absolute path looked at and how to point at the
 * right one.
 */
export class MissingDatabaseError extends CliError {
  constructor(readonly dbPath: string) {
    const abs = path.resolve(dbPath);
    const from = path.isAbsolute(dbPath) ? '' : ` (${dbPath} from ${process.cwd()})`;
    // Exit 2: the path given is wrong (a usage error), nothing failed at run time.
    super(
      `no database at ${abs}${from}; point --db FILE or PILLARBOARD_DB at the database \`pillarboard serve\` uses ` +
        '(only serve, collect, migrate and import create one)',
      2,
    );
    this.name = 'MissingDatabaseError';
  }
}

/** Throws MissingDatabaseError unless `dbPath` is an existing file. */
export function requireDatabase(dbPath: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dbPath);
  } catch {
    throw new MissingDatabaseError(dbPath);
  }
  if (!stat.isFile()) throw new MissingDatabaseError(dbPath);
}

/** Opens (and migrates, unless told not to) an existing database; never creates one. */
export function openExistingStore(opts: OpenStoreOptions): Store {
  requireDatabase(opts.path);
  return openStore(opts);
}
