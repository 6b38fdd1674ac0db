/**
 * PostgreSQL store beside SQLite (issue 14), one run, the same data and the same calls on both:
 * - ingest through the collector path: 100-sample batches (100 series, one scrape each), each
 *   its own write transaction;
 * - ingest of history: 10,000-sample batches (an import or a backfill), straight into chunks;
 * - the same with 4 collectors writing at once (PostgreSQL runs their transactions in parallel);
 * - the 30-day, 100-series hourly range query (rollups), p50 and p95;
 * - events through EventRepository: single deliveries (a webhook or POST /api/events each, new
 *   and repeated), and batches of 100 (a collector's or an import's);
 * - `store copy` of the SQLite store to PostgreSQL and back to a new file, verification included
 *   (samples/s of the store's content, against each engine's history ingest in the same run).
 * PostgreSQL is a real server from Debian's package (test/support/postgres.ts) on a free
 * loopback port, with fsync on and synchronous_commit off — the durability of the SQLite
 * store's WAL with synchronous=NORMAL (a power cut may lose the last commits, never corrupt).
 * Targets (issue 14): PostgreSQL ingest >= 100k samples/s, its query p50 within 3x SQLite's.
 * `node --import tsx bench/store-pg.bench.ts [--quick]` (--quick or BENCH_QUICK=1: 3 days instead of 30).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sample } from '../collectors/types.js';
import type { OperationalEvent } from '../collectors/types.js';
import type { EventRepository } from '../server/events/backend.js';
import { PgEventStore } from '../server/events/pgStore.js';
import { SqliteEventRepository } from '../server/events/sqliteEvents.js';
import { EventStore } from '../server/events/store.js';
import type { MetricStore } from '../server/store/backend.js';
import { openStore, parseSelector } from '../server/store/index.js';
import { copyStore } from '../server/store/copy/index.js';
import { openPgStore } from '../server/store/pg/store.js';
import { SqliteMetricStore } from '../server/store/sqliteBackend.js';
import { startPostgres } from '../test/support/postgres.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const QUICK = process.argv.includes('--quick') || !!process.env.BENCH_QUICK;
const DAYS = QUICK ? 3 : 30;
const SERIES = 100;
const END = Date.UTC(2025, 5, 30);
const T0 = END - DAYS * DAY;
/** Scrapes written through the collector path (100 samples each), after the history. */
const SCRAPES = QUICK ? 300 : 1500;
const QUERY_REPS = QUICK ? 10 : 30;
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const labelsOf = Array.from({ length: SERIES }, (_, k) => Object.freeze({ k: String(k) }));
const value = (k: number, ts: number) => Math.sin((ts - T0) / HOUR + k) * 100 + ((ts / MINUTE) % 7);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The history, minute after minute, in batches of 10,000 (100 minutes of 100 series). */
function* history(): Generator<Sample[]> {
  let batch: Sample[] = [];
  for (let ts = T0; ts < END; ts += MINUTE) {
    for (let k = 0; k < SERIES; k++) batch.push({ name: 'bench_pg', labels: labelsOf[k]!, ts, value: value(k, ts) });
    if (batch.length >= 10_000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

interface Figures {
  historyRate: number;
  collectorRate: number;
  concurrentRate: number;
  p50: number;
  p95: number;
}

async function measure(name: string, store: MetricStore): Promise<Figures> {
  let n = 0;
  let t = performance.now();
  for (const batch of history()) n += await store.writeSamples(batch);
  const historyRate = n / ((performance.now() - t) / 1000);
  console.log(`${name}: history ${fmt(n)} samples in 10k batches: ${fmt(historyRate)} samples/s`);
  await store.updateRollups();

  n = 0;
  t = performance.now();
  for (let i = 0; i < SCRAPES; i++) {
    const ts = END + i * 15_000;
    const batch: Sample[] = labelsOf.map((labels, k) => ({ name: 'bench_pg', labels, ts, value: value(k, ts) }));
    await store.recordRun({ collectorId: 'bench', startedAt: ts, durationMs: 1, ok: true, samplesWritten: batch.length }, batch);
    n += batch.length;
  }
  const collectorRate = n / ((performance.now() - t) / 1000);
  console.log(`${name}: collector path ${fmt(n)} samples in ${SCRAPES} runs of 100: ${fmt(collectorRate)} samples/s`);

  // Collectors run side by side: 4 of them, each its own 100 series, writing at once. Their
  // timestamps follow one clock (as real scrapes do), after the runs above: a run stamped far
  // behind the others would land below the head and go the slow way, into chunks.
  n = 0;
  let tick = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      const labels = Array.from({ length: 100 }, (_, k) => Object.freeze({ collector: String(w), k: String(k) }));
      for (let i = 0; i < SCRAPES / 4; i++) {
        const ts = END + SCRAPES * 15_000 + Math.floor(tick++ / 4) * 15_000;
        const batch: Sample[] = labels.map((l, k) => ({ name: 'bench_pg_side', labels: l, ts, value: value(k, ts) }));
        await store.recordRun({ collectorId: `side${w}`, startedAt: ts, durationMs: 1, ok: true, samplesWritten: batch.length }, batch);
        n += batch.length;
      }
    }),
  );
  const concurrentRate = n / ((performance.now() - t) / 1000);
  console.log(`${name}: collector path, 4 collectors at once: ${fmt(n)} samples: ${fmt(concurrentRate)} samples/s`);
  await store.updateRollups();

  const sel = parseSelector('bench_pg');
  const q = { from: END - DAYS * DAY, to: END - 1, step: HOUR, aggregation: 'avg' as const };
  const check = await store.querySeries(sel, q);
  const points = check.series.reduce((a, x) => a + x.points.length, 0);
  if (check.series.length !== SERIES || points !== SERIES * DAYS * 24) throw new Error(`${name}: the query returned ${check.series.length} series, ${points} points`);
  const times: number[] = [];
  for (let i = 0; i < QUERY_REPS; i++) {
    const s = performance.now();
    await store.querySeries(sel, q);
    times.push(performance.now() - s);
  }
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  console.log(`${name}: ${DAYS}-day ${SERIES}-series hourly query (${fmt(points)} points): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  return { historyRate, collectorRate, concurrentRate, p50, p95 };
}

/** Events written one delivery at a time (new, then the same ones again: updates) and in batches of 100. */
const EVENT_SINGLES = QUICK ? 500 : 2000;
const EVENT_BATCHES = QUICK ? 20 : 100;

interface EventFigures {
  singleRate: number;
  repeatRate: number;
  batchRate: number;
}

async function measureEvents(name: string, events: EventRepository): Promise<EventFigures> {
  const event = (id: string, i: number): OperationalEvent => ({
    kind: i % 5 === 0 ? 'incident' : 'deployment', source: 'bench', externalId: id, service: `svc${i % 10}`, environment: 'production',
    startedAt: END - (i % 1000) * MINUTE, status: 'success', title: `deploy ${i}`,
    attrs: { commits: [{ sha: (i * 2654435761).toString(16).padStart(8, '0'), at: END - DAY }], observedAt: END + i },
  });
  const rate = async (count: number, fn: () => Promise<void>) => {
    const t = performance.now();
    await fn();
    return count / ((performance.now() - t) / 1000);
  };
  const singleRate = await rate(EVENT_SINGLES, async () => {
    for (let i = 0; i < EVENT_SINGLES; i++) await events.upsertEvents([event(`s${i}`, i)]);
  });
  const repeatRate = await rate(EVENT_SINGLES, async () => {
    for (let i = 0; i < EVENT_SINGLES; i++) await events.upsertEvents([event(`s${i}`, i + EVENT_SINGLES)]);
  });
  const batchRate = await rate(EVENT_BATCHES * 100, async () => {
    for (let b = 0; b < EVENT_BATCHES; b++) await events.upsertEvents(Array.from({ length: 100 }, (_, k) => event(`b${b}-${k}`, b * 100 + k)));
  });
  const stored = (await events.listEvents({ source: 'bench' })).length;
  if (stored !== EVENT_SINGLES + EVENT_BATCHES * 100) throw new Error(`${name}: ${stored} events stored`);
  console.log(`${name}: events one delivery at a time ${fmt(singleRate)}/s new, ${fmt(repeatRate)}/s repeated; in batches of 100 ${fmt(batchRate)}/s`);
  return { singleRate, repeatRate, batchRate };
}

async function main(): Promise<void> {
  console.log(`data: ${SERIES} series x ${DAYS} days at 60 s (${fmt(SERIES * DAYS * 1440)} samples), then ${SCRAPES} collector runs of 100 samples`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-pg-'));
  const pgServer = await startPostgres({ durable: true, synchronousCommit: false });
  let lite: Figures;
  let post: Figures;
  let liteEvents: EventFigures;
  let postEvents: EventFigures;
  let copyTo: { s: number; rows: number };
  let copyBack: { s: number; rows: number };
  const samples = SERIES * DAYS * 1440 + SCRAPES * 100;
  try {
    const sqlite = new SqliteMetricStore(openStore({ path: path.join(dir, 'bench.db'), now: () => END }));
    try {
      lite = await measure('sqlite', sqlite);
      liteEvents = await measureEvents('sqlite', new SqliteEventRepository(new EventStore(sqlite.store.db, () => END)));
    } finally {
      await sqlite.close();
    }
    const pgStore = await openPgStore({ url: await pgServer.createDatabase(), now: () => END });
    try {
      post = await measure('postgres', pgStore);
      postEvents = await measureEvents('postgres', new PgEventStore(pgStore.pool, () => END));
    } finally {
      await pgStore.close();
    }
    const copyUrl = await pgServer.createDatabase();
    const to = await copyStore({ from: path.join(dir, 'bench.db'), to: copyUrl, now: Date.now });
    copyTo = { s: to.ms / 1000, rows: to.rows };
    console.log(`store copy sqlite -> postgres: ${fmt(to.rows)} rows (${fmt(samples)} samples) in ${copyTo.s.toFixed(1)} s with verification: ${fmt(samples / copyTo.s)} samples/s`);
    const back = await copyStore({ from: copyUrl, to: path.join(dir, 'back.db'), now: Date.now });
    copyBack = { s: back.ms / 1000, rows: back.rows };
    console.log(`store copy postgres -> sqlite: ${fmt(back.rows)} rows in ${copyBack.s.toFixed(1)} s with verification: ${fmt(samples / copyBack.s)} samples/s`);
  } finally {
    await pgServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(`postgres/sqlite events: one at a time ${ratio(postEvents.singleRate, liteEvents.singleRate)}x, repeated ${ratio(postEvents.repeatRate, liteEvents.repeatRate)}x, batches ${ratio(postEvents.batchRate, liteEvents.batchRate)}x`);
  console.log(`postgres/sqlite: history ingest ${ratio(post.historyRate, lite.historyRate)}x, collector ingest ${ratio(post.collectorRate, lite.collectorRate)}x (4 at once ${ratio(post.concurrentRate, lite.concurrentRate)}x), query p50 ${ratio(post.p50, lite.p50)}x, p95 ${ratio(post.p95, lite.p95)}x`);
  console.log(`store copy/history ingest: to postgres ${ratio(samples / copyTo.s, post.historyRate)}x postgres's ingest, back ${ratio(samples / copyBack.s, lite.historyRate)}x sqlite's ingest`);
  results.push(
    { metric: 'store copy sqlite -> postgres', value: Math.round(samples / copyTo.s), unit: 'samples/s' },
    { metric: 'store copy postgres -> sqlite', value: Math.round(samples / copyBack.s), unit: 'samples/s' },
    { metric: 'sqlite ingest, 10k history batches', value: Math.round(lite.historyRate), unit: 'samples/s' },
    { metric: 'postgres ingest, 10k history batches', value: Math.round(post.historyRate), unit: 'samples/s', target: '>= 100000', pass: post.historyRate >= 100_000 },
    { metric: 'sqlite ingest, 100-sample runs', value: Math.round(lite.collectorRate), unit: 'samples/s' },
    { metric: 'postgres ingest, 100-sample runs', value: Math.round(post.collectorRate), unit: 'samples/s', target: '>= 100000', pass: post.collectorRate >= 100_000 },
    { metric: 'sqlite ingest, 4 collectors at once', value: Math.round(lite.concurrentRate), unit: 'samples/s' },
    { metric: 'postgres ingest, 4 collectors at once', value: Math.round(post.concurrentRate), unit: 'samples/s', target: '>= 100000', pass: post.concurrentRate >= 100_000 },
    { metric: `sqlite ${DAYS}d x100 hourly query p50`, value: Math.round(lite.p50 * 10) / 10, unit: 'ms' },
    { metric: `sqlite ${DAYS}d x100 hourly query p95`, value: Math.round(lite.p95 * 10) / 10, unit: 'ms' },
    { metric: `postgres ${DAYS}d x100 hourly query p50`, value: Math.round(post.p50 * 10) / 10, unit: 'ms', target: '<= 3x sqlite', pass: post.p50 <= 3 * lite.p50 },
    { metric: `postgres ${DAYS}d x100 hourly query p95`, value: Math.round(post.p95 * 10) / 10, unit: 'ms' },
    { metric: 'query p50 postgres/sqlite', value: ratio(post.p50, lite.p50), unit: 'x', target: '<= 3', pass: post.p50 <= 3 * lite.p50 },
    { metric: 'sqlite events, one delivery at a time', value: Math.round(liteEvents.singleRate), unit: 'events/s' },
    { metric: 'postgres events, one delivery at a time', value: Math.round(postEvents.singleRate), unit: 'events/s' },
    { metric: 'sqlite events, repeated deliveries', value: Math.round(liteEvents.repeatRate), unit: 'events/s' },
    { metric: 'postgres events, repeated deliveries', value: Math.round(postEvents.repeatRate), unit: 'events/s' },
    { metric: 'sqlite events, batches of 100', value: Math.round(liteEvents.batchRate), unit: 'events/s' },
    { metric: 'postgres events, batches of 100', value: Math.round(postEvents.batchRate), unit: 'events/s' },
  );
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'store-pg', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
