/**
 * The evaluation's own writes per pass (issue 14), SQLite beside PostgreSQL in one run: a pass
 * of 500 indicators (about 5% of them changing status) records the transitions, the states and
 * the last snapshot. SQLite is measured both ways — the former two commits (state and
 * transitions, then the snapshot) and the one transaction a pass is now — so a regression of the
 * embedded path shows; PostgreSQL is one statement per pass (pgState.ts).
 * `node --import tsx bench/evaluation-tables.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 * PostgreSQL is a real server from Debian's package (test/support/postgres.ts), fsync on and
 * synchronous_commit off as in bench/store-pg.bench.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EvaluationRepository } from '../server/evaluation/backend.js';
import { PgEvaluationStore } from '../server/evaluation/pgState.js';
import type { EvaluationSnapshot, IndicatorSnapshot } from '../server/evaluation/snapshot.js';
import { SqliteEvaluationRepository } from '../server/evaluation/sqliteState.js';
import type { Status } from '../server/scoring/types.js';
import { openStore } from '../server/store/index.js';
import { openPgStore } from '../server/store/pg/store.js';
import { startPostgres } from '../test/support/postgres.js';

const INDICATORS = 500;
const PASSES = 200;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const STATUSES: Status[] = ['ok', 'warning', 'critical'];

/** Pass k: indicator i changes status every 20th pass (offset by i), so ~5% change per pass. */
function pass(k: number): EvaluationSnapshot {
  const indicators: IndicatorSnapshot[] = [];
  for (let i = 0; i < INDICATORS; i++) {
    const status = STATUSES[Math.floor((k + i) / 20) % 3]!;
    indicators.push({
      id: `indicator_${i}`, title: `Indicator ${i}`, pillar: 'reliability', unit: 's', weight: 1, kind: 'threshold', value: 0.1 * i + k,
      status, score: 50 + (i % 50), reason: `p95 latency ${i} ms against a target of 300 ms`, windowMs: 3_600_000, dataSince: T0,
      windowCoverage: 1, collectors: ['web'], series: 3,
    });
  }
  return { at: T0 + k * 60_000, indicators, outcomes: [], pillars: {} as EvaluationSnapshot['pillars'], durationMs: 40 };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

type Figures = { p50: number; p95: number; transitions: number };

/** Runs the writers' passes interleaved (pass k of each, in rotating order, then k + 1), so load on the machine hits them alike. */
async function measure(writers: Array<[string, (s: EvaluationSnapshot) => unknown]>): Promise<Figures[]> {
  const times = writers.map(() => [] as number[]);
  const transitions = writers.map(() => 0);
  for (let k = 0; k < PASSES; k++) {
    const s = pass(k);
    for (let j = 0; j < writers.length; j++) {
      const w = (j + k) % writers.length; // who goes first rotates: no writer always follows another
      const write = writers[w]![1];
      const t = performance.now();
      const written = await write(s);
      times[w]!.push(performance.now() - t);
      if (Array.isArray(written)) transitions[w]! += written.length;
    }
  }
  return writers.map(([name], w) => {
    const sorted = times[w]!.sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p95 = quantile(sorted, 0.95);
    console.log(`${name}: pass of ${INDICATORS} indicators p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (${transitions[w]} transitions over ${PASSES} passes)`);
    return { p50, p95, transitions: transitions[w]! };
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-evtables-'));
  const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
  const pgServer = await startPostgres({ durable: true, synchronousCommit: false });
  try {
    const dbs = ['a', 'b', 'c'].map((n) => openStore({ path: path.join(dir, `${n}.db`), now: () => T0 }));
    const [a, b, c] = dbs.map((d) => new SqliteEvaluationRepository(d.db)) as [SqliteEvaluationRepository, SqliteEvaluationRepository, SqliteEvaluationRepository];
    const pgStore = await openPgStore({ url: await pgServer.createDatabase(), now: () => T0 });
    let before: Figures;
    let lite: Figures;
    let liteAsync: Figures;
    let post: Figures;
    try {
      const repo = new PgEvaluationStore(pgStore.pool);
      [before, lite, liteAsync, post] = (await measure([
        ['sqlite, state then snapshot (two commits, as before)', (s) => {
          const tr = a.state.record(s.at, s.indicators);
          a.last.save(s, 'k');
          return tr;
        }],
        ['sqlite, one transaction (recordPassSync)', (s) => b.recordPassSync(s.at, s.indicators, { snapshot: s, specKey: 'k' })],
        ['sqlite, through the async repository', (s) => (c as EvaluationRepository).recordPass(s.at, s.indicators, { snapshot: s, specKey: 'k' })],
        ['postgres, one statement', (s) => repo.recordPass(s.at, s.indicators, { snapshot: s, specKey: 'k' })],
      ])) as [Figures, Figures, Figures, Figures];
    } finally {
      await pgStore.close();
      for (const d of dbs) d.close();
    }
    if (before.transitions !== lite.transitions || lite.transitions !== post.transitions) throw new Error('backends wrote different transitions');
    const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
    console.log(`sqlite one transaction / two commits p50 ${ratio(lite.p50, before.p50)}x; postgres / sqlite p50 ${ratio(post.p50, lite.p50)}x`);
    results.push(
      { metric: 'sqlite pass writes, two commits (before), p50', value: Math.round(before.p50 * 100) / 100, unit: 'ms' },
      { metric: 'sqlite pass writes, one transaction, p50', value: Math.round(lite.p50 * 100) / 100, unit: 'ms', target: '<= two commits', pass: lite.p50 <= before.p50 * 1.1 },
      { metric: 'sqlite pass writes, async repository, p50', value: Math.round(liteAsync.p50 * 100) / 100, unit: 'ms' },
      { metric: 'postgres pass writes, one statement, p50', value: Math.round(post.p50 * 100) / 100, unit: 'ms' },
      { metric: 'postgres pass writes, one statement, p95', value: Math.round(post.p95 * 100) / 100, unit: 'ms' },
    );
  } finally {
    await pgServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'evaluation-tables', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
