/**
 * The HTTP loop never waits (issue 13, goal 3; issue 12, item 8): `/healthz` p99 <= 10 ms while
 * the heaviest benchmark queries run in a loop, and the event loop's delay p99 (perf_hooks
 * monitorEventLoopDelay, in the server) printed — with the baseline in the same run: the same
 * server with PILLARBOARD_READ_WORKERS=0, i.e. every read and evaluation pass on the HTTP thread
 * as before server/workers. Then the sizes and times of the big series answers as JSON text,
 * gzip and br (what the read workers do per response), and the text built directly against the
 * old objects + JSON.stringify.
 * `node --import tsx bench/loop.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~2 min.
 *
 * Data: the evaluation/API bench's (bench/support/dataset.ts: 6.05 M samples in 500 series,
 * 30 days). The server runs in a child (bench/support/loop-server.ts); this process sends the
 * heavy query back to back on one keep-alive connection (Accept-Encoding: br, gzip, as a
 * browser) and, at the same time, GET /healthz every 10 ms on another, recording each answer's
 * time. Phases, each PHASE_S long, per server: idle (probes only: the floor the machine itself
 * sets — on a shared 2-core machine it is not 0), raw 24 h × 100 series at 60 s (144,000 points,
 * the heaviest answer), 30 d × 300 series hourly (216,000 points from rollups), and evaluation
 * passes back to back (500 indicators). BENCH_LOOP_PHASE_S=N changes the phase length.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openStore, parseSelector, type RangeQuery } from '../server/store/index.js';
import { seriesQueryJson } from '../server/workers/series-json.js';
import { built } from '../server/workers/tasks.js';
import { bulkLoad, DAY, END, HOUR, SAMPLE_COUNT, defs, workloadYaml } from './support/dataset.js';

const PHASE_S = Number(process.env.BENCH_LOOP_PHASE_S ?? 8);
const HEALTHZ_EVERY_MS = 10;
const TARGET_HEALTHZ_P99_MS = 10;
const WORKERS = Math.max(1, Math.min(4, os.availableParallelism()));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const IDLE = 'idle (the floor)';

const s = (ms: number) => ms / 1000;
const QUERIES = [
  {
    label: 'raw 24 h × 100 series @60 s',
    path: `/api/series/query?match=bench_latency_seconds{instance=~"i[0-9]?[0-9]"}&from=${s(END - DAY)}&to=${s(END)}&step=60&source=raw`,
    selector: 'bench_latency_seconds{instance=~"i[0-9]?[0-9]"}',
    range: { from: END - DAY, to: END, step: 60_000, aggregation: 'avg', source: 'raw' } as RangeQuery,
  },
  {
    label: 'hourly 30 d × 300 series',
    path: `/api/series/query?match=bench_latency_seconds&limit=300&from=${s(END - 30 * DAY)}&to=${s(END)}&step=3600`,
    selector: 'bench_latency_seconds',
    range: { from: END - 30 * DAY, to: END, step: HOUR, aggregation: 'avg', source: 'auto' } as RangeQuery,
  },
];

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the server sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string }) => {
      if (m.type === type) done(null, m as T);
    };
    const onExit = (code: number | null) => done(new Error(`the server exited (${code}) before "${type}"`));
    function done(err: Error | null, m?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** One GET: status, bytes received and milliseconds to the last byte. */
function get(agent: http.Agent, port: number, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t }));
    });
    req.on('error', reject);
  });
}

interface Phase {
  healthz: number[];
  healthzErrors: number;
  work: number;
  workMs: number[];
  workBytes: number;
  lag: { p50: number; p99: number; max: number; rss: number; busy: number };
}

/** Runs `work` in a loop (or once, when it loops itself) for PHASE_S while probing /healthz. */
async function phase(child: ChildProcess, port: number, work: (until: number) => Promise<{ count: number; ms: number[]; bytes: number }>): Promise<Phase> {
  child.send({ cmd: 'lag-reset' });
  await nextMessage(child, 'lag-reset', 10_000);
  const until = performance.now() + PHASE_S * 1000;
  const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const healthz: number[] = [];
  let healthzErrors = 0;
  const probe = (async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const r = await get(healthAgent, port, '/healthz');
      if (r.status === 200) healthz.push(r.ms);
      else healthzErrors++;
      const wait = HEALTHZ_EVERY_MS - (performance.now() - started);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  const [w] = await Promise.all([work(until), probe]);
  healthAgent.destroy();
  child.send({ cmd: 'lag' });
  const lag = await nextMessage<Phase['lag']>(child, 'lag', 10_000);
  return { healthz, healthzErrors, work: w.count, workMs: w.ms, workBytes: w.bytes, lag };
}

function queryLoop(port: number, urlPath: string) {
  return async (until: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ms: number[] = [];
    let bytes = 0;
    while (performance.now() < until) {
      const r = await get(agent, port, urlPath, { 'Accept-Encoding': 'br, gzip' });
      if (r.status !== 200) throw new Error(`${urlPath} answered ${r.status}`);
      ms.push(r.ms);
      bytes = r.bytes;
    }
    agent.destroy();
    return { count: ms.length, ms, bytes };
  };
}

function evaluationLoop(child: ChildProcess) {
  return async (until: number) => {
    child.send({ cmd: 'evaluate', ms: Math.max(0, until - performance.now()) });
    const r = await nextMessage<{ passes: number }>(child, 'evaluated', 120_000);
    return { count: r.passes, ms: [], bytes: 0 };
  };
}

async function startServer(dbFile: string, workloadFile: string, workers: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(__dirname, 'support', 'loop-server.ts'), [dbFile, workloadFile, String(workers)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage<{ port: number }>(child, 'ready', 120_000);
  return { child, port: ready.port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.send({ cmd: 'stop' });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill(), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type Result = { metric: string; value: number; unit: string; target?: string; pass?: boolean };

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-loop-'));
  const dbFile = path.join(dir, 'loop.db');
  const workloadFile = path.join(dir, 'workload.yaml');
  const results: Result[] = [];
  const children: ChildProcess[] = [];
  try {
    const loadMs = bulkLoad(dbFile);
    const store = openStore({ path: dbFile, now: () => END });
    store.updateRollups();
    fs.writeFileSync(workloadFile, workloadYaml('http://127.0.0.1:9/metrics'));
    console.log(`loop.data  ${fmt(SAMPLE_COUNT)} samples in ${defs.length} series (bare load ${(loadMs / 1000).toFixed(1)} s); phases of ${PHASE_S} s; /healthz every ${HEALTHZ_EVERY_MS} ms`);

    // ---- answer bodies: text vs objects, identity vs gzip vs br ----
    for (const q of QUERIES) {
      const selector = parseSelector(q.selector);
      const head = { from: q.range.from, to: q.range.to, step: q.range.step, aggregation: 'avg' };
      const result = store.querySeries(selector, q.range);
      const points = result.series.reduce((n, x) => n + x.points.length, 0);
      /** Median of 5 timed runs after one untimed; `fresh` (untimed) makes each run's input. */
      const time = <T>(fresh: () => T, fn: (input: T) => unknown) => {
        fn(fresh());
        const ms: number[] = [];
        for (let i = 0; i < 5; i++) {
          const input = fresh();
          const t = performance.now();
          fn(input);
          ms.push(performance.now() - t);
        }
        return percentile(ms, 50);
      };
      // seriesQueryJson consumes its result (points rewritten in place): each run gets a copy.
      const copy = () => ({ source: result.source, series: result.series.map((x) => ({ series: x.series, points: x.points.map((p) => [p[0], p[1]] as [number, number]) })) });
      const objectsMs = time(copy, (r) =>
        Buffer.from(
          JSON.stringify({
            from: new Date(head.from).toISOString(),
            to: new Date(head.to).toISOString(),
            stepSeconds: head.step / 1000,
            aggregation: head.aggregation,
            source: r.source,
            series: r.series.map((x) => ({ name: x.series.name, labels: x.series.labels, points: x.points.map(([t, v]) => [t / 1000, v]) })),
          }),
        ),
      );
      const textMs = time(copy, (r) => Buffer.from(seriesQueryJson(head, r)));
      const text = seriesQueryJson(head, copy());
      const identity = Buffer.from(text);
      const gzipMs = time(() => identity, (b) => zlib.gzipSync(b));
      const brMs = time(() => identity, (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } }));
      const builtBrMs = time(() => text, (t) => built(t, 'br'));
      const gz = zlib.gzipSync(identity).length;
      const br = built(text, 'br').body.length;
      const kb = (n: number) => `${fmt(n / 1024)} KB`;
      console.log(
        `loop.body  ${q.label}: ${fmt(points)} points, JSON ${kb(identity.length)}; written from the point arrays ${textMs.toFixed(1)} ms vs view objects + JSON.stringify ${objectsMs.toFixed(1)} ms (${(objectsMs / textMs).toFixed(2)}×); ` +
          `gzip(6) ${kb(gz)} in ${gzipMs.toFixed(1)} ms, br(q4) ${kb(br)} in ${brMs.toFixed(1)} ms (${(brMs / gzipMs).toFixed(2)}× gzip's time, ${(gz / br).toFixed(2)}× smaller); the worker's whole br body with ETag ${builtBrMs.toFixed(1)} ms`,
      );
      results.push(
        { metric: `${q.label}: JSON bytes`, value: identity.length, unit: 'bytes' },
        { metric: `${q.label}: gzip bytes`, value: gz, unit: 'bytes' },
        { metric: `${q.label}: br bytes`, value: br, unit: 'bytes' },
        { metric: `${q.label}: gzip time`, value: Number(gzipMs.toFixed(1)), unit: 'ms' },
        { metric: `${q.label}: br time`, value: Number(brMs.toFixed(1)), unit: 'ms' },
        { metric: `${q.label}: JSON as text`, value: Number(textMs.toFixed(1)), unit: 'ms' },
        { metric: `${q.label}: JSON via objects`, value: Number(objectsMs.toFixed(1)), unit: 'ms' },
      );
    }
    store.close();

    // ---- the loop: baseline (reads on the HTTP thread) then read workers, same phases ----
    const figures = new Map<string, Phase>();
    for (const workers of [0, WORKERS]) {
      const mode = workers === 0 ? 'main thread' : `${workers} read workers`;
      const { child, port } = await startServer(dbFile, workloadFile, workers);
      children.push(child);
      // Warm-up, unrecorded: a pass (its history samples leave rollups to update, which the
      // next read does on the main thread), then each query once per worker thread (its start
      // and first read), so the query phases measure the steady state.
      child.send({ cmd: 'evaluate', ms: 1 });
      await nextMessage(child, 'evaluated', 120_000);
      for (let i = 0; i < Math.max(1, workers); i++) {
        const agent = new http.Agent({ keepAlive: false });
        await Promise.all(QUERIES.map((q) => get(agent, port, q.path, { 'Accept-Encoding': 'br, gzip' })));
      }
      const phases: Array<[string, (until: number) => Promise<{ count: number; ms: number[]; bytes: number }>]> = [
        // The floor: nothing but the probes. On a shared machine the OS's scheduling shows here.
        [IDLE, async (until) => {
          await new Promise((r) => setTimeout(r, Math.max(0, until - performance.now())));
          return { count: 0, ms: [], bytes: 0 };
        }],
        ...QUERIES.map((q) => [q.label, queryLoop(port, q.path)] as [string, ReturnType<typeof queryLoop>]),
        ['evaluation passes (500 indicators)', evaluationLoop(child)],
      ];
      for (const [label, work] of phases) {
        const p = await phase(child, port, work);
        figures.set(`${mode}|${label}`, p);
        const hz = { p50: percentile(p.healthz, 50), p99: percentile(p.healthz, 99), max: Math.max(...p.healthz) };
        const unit = p.workMs.length ? `queries p50 ${percentile(p.workMs, 50).toFixed(0)} ms, ${fmt(p.workBytes / 1024)} KB as sent` : label === IDLE ? 'requests besides the probes' : 'passes';
        console.log(
          `loop.${workers === 0 ? 'baseline' : 'workers '}  ${mode.padEnd(15)} ${label.padEnd(36)} /healthz p50 ${hz.p50.toFixed(1)} ms p99 ${hz.p99.toFixed(1)} ms max ${hz.max.toFixed(0)} ms ` +
            `(${p.healthz.length} probes, ${p.healthzErrors} errors); event-loop lag p99 ${p.lag.p99.toFixed(1)} ms max ${p.lag.max.toFixed(0)} ms, HTTP thread busy ${(p.lag.busy * 100).toFixed(0)} %; ${p.work} ${unit}; server RSS ${fmt(p.lag.rss / 1048576)} MB`,
        );
        const tag = `${label} [${workers === 0 ? 'main thread' : 'workers'}]`;
        const isTarget = workers > 0 && label !== IDLE;
        results.push(
          {
            metric: `/healthz p99 during ${tag}`,
            value: Number(hz.p99.toFixed(2)),
            unit: 'ms',
            ...(isTarget ? { target: `<= ${TARGET_HEALTHZ_P99_MS} ms`, pass: hz.p99 <= TARGET_HEALTHZ_P99_MS } : {}),
          },
          { metric: `event-loop lag p99 during ${tag}`, value: p.lag.p99, unit: 'ms' },
          { metric: `event-loop lag max during ${tag}`, value: p.lag.max, unit: 'ms' },
          { metric: `HTTP thread busy during ${tag}`, value: Number((p.lag.busy * 100).toFixed(1)), unit: '%' },
          { metric: `server RSS after ${tag}`, value: Math.round(p.lag.rss / 1048576), unit: 'MB' },
          { metric: `${workers === 0 ? 'baseline' : 'workers'} ${label}: ${p.workMs.length ? 'queries' : 'passes'}`, value: p.work, unit: 'count' },
        );
      }
      await stopServer(child);
    }
    for (const q of [IDLE, ...QUERIES.map((x) => x.label), 'evaluation passes (500 indicators)']) {
      const a = figures.get(`main thread|${q}`)!;
      const b = figures.get(`${WORKERS} read workers|${q}`)!;
      const ratio = percentile(a.healthz, 99) / percentile(b.healthz, 99);
      console.log(`loop.ratio  ${q}: /healthz p99 ${ratio.toFixed(1)}× lower with read workers; lag p99 ${a.lag.p99.toFixed(1)} → ${b.lag.p99.toFixed(1)} ms`);
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'loop', results, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
