import { sql } from '../../collectors/sql.js';
import type { CollectorResources } from '../../collectors/resources.js';
import type { CollectResult } from '../../collectors/types.js';
import { silentLogger } from '../../server/log.js';

/** Runs the sql collector once on a raw (unparsed) config, as the runner would. */
export function runSql(
  raw: unknown,
  opts: {
    resources?: CollectorResources;
    lastSuccess?: Date;
    now?: Date;
    signal?: AbortSignal;
    id?: string;
    /** A SQLite file put in after validation, so queries check would refuse reach the run. */
    path?: string;
  } = {},
): Promise<CollectResult> {
  const config = sql.config.parse(raw);
  if (opts.path !== undefined) config.path = opts.path;
  return sql.collect(config, {
    signal: opts.signal ?? AbortSignal.timeout(60_000),
    now: opts.now ?? new Date(),
    log: silentLogger,
    collectorId: opts.id ?? 'shop-db',
    ...(opts.resources ? { resources: opts.resources } : {}),
    ...(opts.lastSuccess ? { lastSuccess: opts.lastSuccess } : {}),
  });
}

/** The error a run rejected with (fails the test when it resolved). */
export async function runError(p: Promise<unknown>): Promise<Error & { partial?: CollectResult }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { partial?: CollectResult };
  }
  throw new Error('the run succeeded; expected it to fail');
}
