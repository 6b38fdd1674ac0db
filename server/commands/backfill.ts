import type { Logger } from '../../collectors/types.js';
import { collectorRegistry } from '../../collectors/index.js';
import { Backfiller } from '../backfill/index.js';
import { openStore } from '../store/index.js';
import { MissingDatabaseError, requireDatabase } from './database.js';
import { formatDuration, formatIssue, loadWorkloadFile, tryParseDuration } from '../workload/index.js';
import { renderTable } from './table.js';
import { systemClock } from '../clock.js';

export interface BackfillFlags {
  config: string;
  db: string;
  env: Record<string, string | undefined>;
  ids?: string[];
  since?: string;
  log: Logger;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Aborted on Ctrl-C: the backfill stops after its current chunk and resumes next time. */
  signal?: AbortSignal;
}

/**
 * `pillarboard backfill`: fills the history of the workload's collectors that can backfill,
 * now, in the foreground. Without --since it does what serve does in the background (new parts
 * and ranges cut short); with --since every selected part is extended back to now − since.
 * Exit 0 when every selected collector finished, 1 when one failed (what was stored stays, and
 * the next run resumes), 2 for bad input.
 */
export async function runBackfill(f: BackfillFlags): Promise<number> {
  let sinceMs: number | undefined;
  if (f.since !== undefined) {
    const ms = tryParseDuration(f.since);
    if (typeof ms === 'string') return usage(f, `--since ${JSON.stringify(f.since)}: ${ms}`);
    if (ms <= 0) return usage(f, `--since ${JSON.stringify(f.since)}: must be longer than 0s`);
    sinceMs = ms;
  }
  const loaded = loadWorkloadFile(f.config, { registry: collectorRegistry, env: f.env });
  if (!loaded.ok) {
    for (const issue of loaded.errors) f.err.write(formatIssue(issue) + '\n');
    return 2;
  }
  const wl = loaded.workload;
  if (sinceMs !== undefined && sinceMs > wl.storage.retention.hourlyMs) {
    return usage(f, `--since ${f.since} reaches past the hourly retention (${formatDuration(wl.storage.retention.hourlyMs)}, storage.retention.hourly in ${f.config}): that history would be deleted again`);
  }
  const capable = (type: string) => collectorRegistry.get(type)?.backfill !== undefined;
  let selected = wl.collectors.filter((c) => capable(c.type));
  if (f.ids?.length) {
    for (const id of f.ids) {
      const c = wl.collectors.find((x) => x.id === id);
      if (!c) return usage(f, `--collector ${id}: no collector "${id}" in ${f.config} (known: ${wl.collectors.map((x) => x.id).join(', ') || 'none'})`);
      if (!capable(c.type)) return usage(f, `--collector ${id}: collectors of type "${c.type}" cannot backfill (their source keeps no history)`);
    }
    selected = selected.filter((c) => f.ids!.includes(c.id));
  }
  if (selected.length === 0) {
    f.err.write(`pillarboard: no collector in ${f.config} can backfill; nothing to do\n`);
    return 0;
  }
  try {
    requireDatabase(f.db);
  } catch (err) {
    if (err instanceof MissingDatabaseError) return usage(f, err.message);
    throw err;
  }

  const store = openStore({ path: f.db, now: systemClock.now });
  try {
    store.setRetention(wl.storage.retention);
    const backfiller = new Backfiller({ store, registry: collectorRegistry, log: f.log, clock: systemClock });
    const results = await backfiller.run(selected, wl.indicators, { sinceMs, signal: f.signal });
    const rows = results.map((r) => {
      const s = backfiller.status(r.collectorId);
      const range = s?.from != null && s.to != null ? `${new Date(s.from).toISOString()} … ${new Date(s.to).toISOString()}` : '';
      const result = r.parts === 0 ? 'off' : r.error ? 'FAILED' : 'ok';
      return [r.collectorId, String(r.parts), range, String(r.samples), result, r.error ?? ''];
    });
    f.out.write(renderTable(['COLLECTOR', 'PARTS', 'RANGE', 'SAMPLES', 'RESULT', 'ERROR'], rows));
    return results.some((r) => r.error) ? 1 : 0;
  } finally {
    store.close();
  }
}

function usage(f: BackfillFlags, message: string): number {
  f.err.write(`pillarboard: ${message}\n`);
  return 2;
}
