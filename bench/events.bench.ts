/**
 * Events ingest benchmark, the issue's target: "POST /api/events, batches of 1,000, at
 * >= 20,000 events/s". A real Runtime on a temp database, the real Express app on 127.0.0.1
 * (write token, the app's JSON parser, validation, one transaction per batch), and BATCHES
 * sequential POSTs of 1,000 distinct events each (after WARMUP unrecorded ones) over a
 * keep-alive connection. Request bodies are serialised before timing starts, so the figure is
 * the server's. A second figure times the store alone (upsertEvents of the same batches
 * already validated), to show the share of HTTP + validation.
 * `node --import tsx bench/events.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~10 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { OperationalEvent } from '../collectors/types.js';
import { createApp } from '../server/api/app.js';
import { parseEventsBody } from '../server/events/schema.js';
import { EventStore } from '../server/events/store.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { openStore } from '../server/store/index.js';

const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_EVENTS_BATCHES ?? 100);
const WARMUP = 5;
const TARGET = 20_000;
const NOW = Date.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Batch `b`: a realistic mix — deployments with commits and attributes, changes, incidents. */
function batch(b: number): { events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const start = Math.floor((NOW - 30 * 86_400_000 + n * 1000) / 1000);
    const sha = (n * 2654435761).toString(16).padStart(12, '0');
    if (i % 10 < 6) {
      events.push({
        kind: 'deployment',
        id: `build-${n}`,
        service: `svc-${n % 20}`,
        environment: n % 3 ? 'production' : 'staging',
        start,
        end: start + 240,
        status: n % 17 ? 'success' : 'failure',
        title: `Deploy svc-${n % 20} ${sha.slice(0, 7)}`,
        links: { commits: [{ sha: `${sha}aa`, at: start - 3600 }, { sha: `${sha}bb`, at: start - 7200 }], url: `https://ci.example.com/builds/${n}` },
        attributes: { trigger: 'pipeline', linesChanged: n % 500, rollbackPlan: true },
      });
    } else if (i % 10 < 9) {
      events.push({ kind: 'change', id: `commit:${sha}`, source: 'ci', service: `svc-${n % 20}`, start, title: 'Refactor checkout', links: { commits: [{ sha, at: start }] } });
    } else {
      events.push({ kind: 'incident', id: `INC-${n}`, service: `svc-${n % 20}`, start, end: start + 1800, status: 'resolved', attributes: { severity: 'P2', cause: 'config' } });
    }
  }
  return { events };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-events-bench-'));
  try {
    const configPath = path.join(dir, 'workload.yaml');
    fs.writeFileSync(configPath, 'workload: { id: bench, title: Events bench }\n');
    const runtime = new Runtime({ configPath, dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: 'bench', watch: false });
    runtime.load(false, { evaluate: false });
    const token = runtime.tokens.create('bench', 'write').token;
    const server = createApp(runtime.apiDeps()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;

    const bodies = Array.from({ length: WARMUP + BATCHES }, (_, b) => JSON.stringify(batch(b)));
    const bytes = bodies.reduce((s, b) => s + b.length, 0) / bodies.length;
    const post = async (body: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
      const answer = (await res.json()) as { inserted?: number; detail?: string };
      if (res.status !== 200 || answer.inserted !== BATCH) throw new Error(`POST answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    };
    for (let b = 0; b < WARMUP; b++) await post(bodies[b]!);
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let b = WARMUP; b < WARMUP + BATCHES; b++) {
      const s = performance.now();
      await post(bodies[b]!);
      latencies.push(performance.now() - s);
    }
    const seconds = (performance.now() - t0) / 1000;
    const rate = (BATCHES * BATCH) / seconds;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
    const stored = runtime.store.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    server.close();
    await runtime.close(1000);
    console.log(`events.http   ${BATCHES} batches of ${BATCH} (${fmt(bytes / 1024)} KiB each): ${fmt(rate)} events/s; per batch p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, max ${p(1).toFixed(1)} ms; ${fmt(stored)} rows stored`);

    // The store alone, on a fresh database: the same batches, already parsed and validated.
    const store = openStore({ path: path.join(dir, 'store-only.db'), now: Date.now });
    const events = new EventStore(store.db, Date.now);
    const parsed = bodies.map((b) => {
      const r = parseEventsBody(JSON.parse(b), Date.now());
      if (!r.ok) throw new Error(JSON.stringify(r.issues[0]));
      return r.events as OperationalEvent[];
    });
    for (let b = 0; b < WARMUP; b++) events.upsertEvents(parsed[b]!);
    const s0 = performance.now();
    for (let b = WARMUP; b < WARMUP + BATCHES; b++) events.upsertEvents(parsed[b]!);
    const storeRate = (BATCHES * BATCH) / ((performance.now() - s0) / 1000);
    const v0 = performance.now();
    for (let b = WARMUP; b < WARMUP + BATCHES; b++) parseEventsBody(JSON.parse(bodies[b]!), Date.now());
    const parseRate = (BATCHES * BATCH) / ((performance.now() - v0) / 1000);
    store.close();
    console.log(`events.store  upsertEvents alone: ${fmt(storeRate)} events/s; JSON.parse + validation alone: ${fmt(parseRate)} events/s`);

    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`events.peak_rss  ${peakRssMb} MB`);
    const results = [
      { metric: `POST /api/events (batches of ${BATCH})`, value: Math.round(rate), unit: 'events/s', target: `>= ${TARGET}`, pass: rate >= TARGET },
      { metric: 'upsertEvents (store alone)', value: Math.round(storeRate), unit: 'events/s' },
    ];
    console.log(`BENCH_JSON ${JSON.stringify({ name: 'events', results, peakRssMb })}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
