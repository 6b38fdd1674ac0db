import type { BackfillRow } from './log.js';

export type BackfillState = 'pending' | 'running' | 'done' | 'failed';

export interface BackfillPartStatus {
  /** The part as stored: the collector's part key (a query, say: `<name>@<hash>`), plus a hash of the collector's labels when it has any. */
  part: string;
  series: string[];
  state: BackfillState;
  /** Oldest and newest point planned (ms epoch), null before planning or when nothing needed filling. */
  from: number | null;
  to: number | null;
  /** Every sample up to here is stored (ms epoch), null before the first chunk. */
  through: number | null;
  samplesWritten: number;
  error: string | null;
}

export interface BackfillStatus {
  state: BackfillState;
  /** Share of the planned time range stored, 0..1 (1 when nothing needed filling). */
  progress: number;
  from: number | null;
  to: number | null;
  samplesWritten: number;
  /** The last failure, while the job waits to retry. */
  error: string | null;
  nextAttemptAt: number | null;
  parts: BackfillPartStatus[];
}

/** A collector's backfill status from its stored ranges and its job's state. Pure. */
export function backfillStatus(
  parts: ReadonlyArray<{ key: string; series: string[] }>,
  rows: readonly BackfillRow[],
  job: { running: boolean; error: string | null; nextAttemptAt: number | null } | null,
): BackfillStatus {
  let total = 0;
  let done = 0;
  const partStatus = parts.map((p): BackfillPartStatus => {
    const mine = rows.filter((r) => r.part === p.key && r.to >= r.from);
    const all = rows.filter((r) => r.part === p.key);
    for (const r of mine) {
      const span = r.to - r.from + r.stepMs;
      total += span;
      done += r.state === 'done' ? span : Math.max(0, Math.min(span, r.doneTo - r.from + 1));
    }
    const failed = all.find((r) => r.state === 'failed');
    const state: BackfillState = all.length === 0 ? 'pending' : failed ? 'failed' : all.some((r) => r.state === 'pending') ? 'pending' : 'done';
    const started = mine.filter((r) => r.doneTo >= r.from);
    return {
      part: p.key,
      series: p.series,
      state: state !== 'done' && job?.running ? 'running' : state,
      from: mine.length ? Math.min(...mine.map((r) => r.from)) : null,
      to: mine.length ? Math.max(...mine.map((r) => r.to)) : null,
      through: started.length ? Math.max(...started.map((r) => Math.min(r.doneTo, r.to))) : null,
      samplesWritten: all.reduce((n, r) => n + r.samples, 0),
      error: failed?.error ?? null,
    };
  });
  const states = partStatus.map((p) => p.state);
  const state: BackfillState = job?.running && states.some((s) => s !== 'done')
    ? 'running'
    : states.includes('failed')
      ? 'failed'
      : states.every((s) => s === 'done')
        ? 'done'
        : 'pending';
  const froms = partStatus.flatMap((p) => (p.from === null ? [] : [p.from]));
  const tos = partStatus.flatMap((p) => (p.to === null ? [] : [p.to]));
  return {
    state,
    progress: total === 0 ? (state === 'done' ? 1 : 0) : Math.round((done / total) * 1000) / 1000,
    from: froms.length ? Math.min(...froms) : null,
    to: tos.length ? Math.max(...tos) : null,
    samplesWritten: partStatus.reduce((n, p) => n + p.samplesWritten, 0),
    error: job?.error ?? partStatus.find((p) => p.error)?.error ?? null,
    nextAttemptAt: job?.nextAttemptAt ?? null,
    parts: partStatus,
  };
}
