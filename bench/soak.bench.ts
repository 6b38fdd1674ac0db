/**
 * Soak, the issue's evidence: "200 SSE clients + 50 concurrent /api/summary for 10 minutes:
 * 0 errors, RSS flat within 10 %, /api/summary p95 and event-loop lag p99 printed."
 * `node --import tsx bench/soak.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * A real `pillarboard serve` (spawned from dist/, as `npm start` runs it, the example workload: its host, self-probe and
 * self-scrape collectors run as they would for a user) on a free loopback port with its own
 * temp database. This process holds SSE_CLIENTS open `/api/stream` connections and runs
 * autocannon with SUMMARY_CLIENTS keep-alive connections on `/api/summary` for the whole
 * duration; meanwhile every SAMPLE_S it reads the server's RSS (/proc), its
 * `nodejs_eventloop_lag_p99_seconds` from /metrics (prom-client resets that histogram on each
 * read, so each sample covers the time since the previous read, including the self-scrape),
 * and every second times one `/healthz`. Errors: socket errors, non-2xx answers, and SSE
 * streams that end or fail before the end.
 *
 * BENCH_SOAK_SECONDS sets the duration (default 600, the issue's 10 minutes, also under `npm run bench`);
 * BENCH_QUICK=1 or `--quick` (`npm run bench -- soak --quick`) makes it 60.
 * RSS "flat within 10 %": the mean RSS over the last minute against the mean over the minute
 * after the warm-up (the first tenth of the run, at least 10 s), as a ratio. Means of the 5-s
 * samples, not two single samples: RSS rides V8's collection cycle (tens of MB between a
 * major GC and the next, soak runs measured ±20 MB within a minute), so one sample against
 * another says where each fell on that saw-tooth, while a leak moves the whole minute. The
 * single-sample ratio, the max and the least-squares slope over the second half (MB per
 * minute; a leak's signature) are printed beside it. Every minute a memory line splits the
 * RSS into the main V8 heap (new and old space), the read workers' heaps and the rest
 * (native: SQLite caches, malloc arenas, Buffers); the growth of each part is printed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? (QUICK ? 60 : 600));
if (!Number.isInteger(SECONDS) || SECONDS < 10) {
  console.error(`BENCH_SOAK_SECONDS must be a whole number of seconds, at least 10 (got "${process.env.BENCH_SOAK_SECONDS}")`);
  process.exit(2);
}
const SSE_CLIENTS = 200;
const SUMMARY_CLIENTS = 50;
const SAMPLE_S = 5;
const ROOT = path.join(__dirname, '..');
const TARGETS = { rssRatio: 1.1 };

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
}
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
// autocannon ships no types: the little used here is declared above.
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => AutocannonInstance;
// As in bench/api.bench.ts: read bodies but do not keep them, so the load generator does not take the server's CPU.
const queue = require('autocannon/lib/pipelinedRequestsQueue.js') as { prototype?: { addBody?: unknown } };
if (typeof queue.prototype?.addBody === 'function') queue.prototype.addBody = () => {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r1 = (n: number) => Math.round(n * 10) / 10;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const MB = 1024 * 1024;
/** Seconds between the lines of the memory timeline. */
const TIMELINE_S = 60;

/** One line of the memory timeline, in MB: where the server's RSS is. */
interface MemoryRow {
  t: number;
  rss: number;
  /** The main thread's V8 heap (prom-client's nodejs_heap_size_*). */
  heapTotal: number;
  heapUsed: number;
  /** Of heapTotal: the young generation and the old one (old, code, map and large-object spaces). */
  newSpace: number;
  oldSpaces: number;
  /** Memory V8 knows of outside its heap (Buffers, ArrayBuffers). */
  external: number;
  /** The read workers' V8 heaps, summed (pillarboard_read_worker_heap_bytes). */
  workerHeap: number;
  /** RSS less both heaps: native memory (SQLite caches, malloc arenas, Buffers, code). */
  rest: number;
  /** From /proc/PID/smaps_rollup: anonymous vs file-backed resident memory. */
  anon: number;
  file: number;
}

function smaps(pid: number): { anon: number; file: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
    return { anon: kb('Anonymous'), file: kb('Rss') - kb('Anonymous') };
  } catch {
    return { anon: NaN, file: NaN };
  }
}

function formatRow(r: MemoryRow): string {
  return `t ${String(Math.round(r.t)).padStart(4)} s  rss ${r1(r.rss)}  main heap ${r1(r.heapUsed)}/${r1(r.heapTotal)} (new ${r1(r.newSpace)}, old ${r1(r.oldSpaces)})  external ${r1(r.external)}  worker heaps ${r1(r.workerHeap)}  rest ${r1(r.rest)}  (anon ${r1(r.anon)}, file ${r1(r.file)}) MB`;
}

/**
 * dist/server/cli.js, what `npm start` runs (the soak measures the server users run, not the
 * tsx loader's compiled-source caches, which hold ~30 MB of heap), compiled again first when
 * it is missing or older than a source file.
 */
function compiledCli(): string {
  const cli = path.join(ROOT, 'dist', 'server', 'cli.js');
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return Math.max(m, newest(p));
      return e.name.endsWith('.ts') ? Math.max(m, fs.statSync(p).mtimeMs) : m;
    }, 0);
  if (built < Math.max(newest(path.join(ROOT, 'server')), newest(path.join(ROOT, 'collectors')))) {
    console.log('soak.build  dist/server is missing or older than the sources: tsc -p tsconfig.json');
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('tsc failed: the soak needs the compiled server');
  }
  return cli;
}

/** Least-squares slope of (seconds, MB) points, in MB per minute. */
function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, [t]) => a + t, 0) / n;
  const mm = points.reduce((a, [, m]) => a + m, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, m] of points) {
    num += (t - mt) * (m - mm);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One SSE client: counts events; any error or early end is an error. Resolves when closed by `stop`. */
function sseClient(base: string, counters: { errors: number; events: number; errorKinds: Map<string, number> }, stopping: () => boolean) {
  let req: http.ClientRequest | undefined;
  const fail = (kind: string) => {
    if (stopping()) return;
    counters.errors++;
    counters.errorKinds.set(kind, (counters.errorKinds.get(kind) ?? 0) + 1);
  };
  const done = new Promise<void>((resolve) => {
    req = http.get(`${base}/api/stream`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) fail(`sse status ${res.statusCode}`);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (counters.events += chunk.match(/^event: /gm)?.length ?? 0));
      res.on('error', () => fail('sse response error'));
      res.on('close', () => {
        fail('sse stream ended early'); // not counted once stopping
        resolve();
      });
    });
    req.on('error', (e) => {
      fail(`sse ${(e as NodeJS.ErrnoException).code ?? e.message}`);
      resolve();
    });
  });
  return { done, close: () => req?.destroy() };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-soak-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cli = compiledCli();
  const server = spawn(
    process.execPath,
    [cli, 'serve', '--config', path.join(ROOT, 'examples', 'workload.yaml'), '--db', path.join(dir, 'soak.db'), '--host', '127.0.0.1', '--port', String(port)],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PORT: String(port), PILLARBOARD_LOG_LEVEL: 'warn', PILLARBOARD_WATCH: 'false', OTEL_SDK_DISABLED: 'true' } },
  );
  let serverErr = '';
  server.stderr!.on('data', (d: Buffer) => (serverErr = (serverErr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > until || server.exitCode !== null) throw new Error(`serve did not answer /healthz: ${serverErr}`);
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    console.log(`soak.setup  pillarboard serve (examples/workload.yaml) pid ${server.pid} on ${base}; ${SSE_CLIENTS} SSE clients + ${SUMMARY_CLIENTS} /api/summary connections for ${SECONDS} s${QUICK ? ' (quick)' : ''}`);

    let stopping = false;
    const sse = { errors: 0, events: 0, errorKinds: new Map<string, number>() };
    const clients = Array.from({ length: SSE_CLIENTS }, () => sseClient(base, sse, () => stopping));

    const started = Date.now();
    const end = started + SECONDS * 1000;
    const rss: Array<[number, number]> = [];
    const lagP99: number[] = [];
    const healthz: number[] = [];
    let healthzErrors = 0;
    const timeline: MemoryRow[] = [];
    const readMetrics = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const gauge = (name: string) => {
        const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
        return m ? Number(m[1]) : NaN;
      };
      const space = (name: string) => Number(new RegExp(`^nodejs_heap_space_size_total_bytes\\{space="${name}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN) / MB;
      const lag = gauge('nodejs_eventloop_lag_p99_seconds');
      if (Number.isNaN(lag)) throw new Error('/metrics has no nodejs_eventloop_lag_p99_seconds');
      const heapTotal = gauge('nodejs_heap_size_total_bytes') / MB;
      const workerHeap = (gauge('pillarboard_read_worker_heap_bytes') || 0) / MB;
      const rssNow = rssMb(server.pid!);
      const row: MemoryRow = {
        t: (Date.now() - started) / 1000,
        rss: rssNow,
        heapTotal,
        heapUsed: gauge('nodejs_heap_size_used_bytes') / MB,
        newSpace: space('new'),
        oldSpaces: heapTotal - space('new') - space('read_only'),
        external: gauge('nodejs_external_memory_bytes') / MB,
        workerHeap,
        rest: rssNow - heapTotal - workerHeap,
        ...smaps(server.pid!),
      };
      return { lag, row };
    };
    let nextTimeline = 0;
    const sampler = (async () => {
      while (Date.now() < end) {
        const { lag, row } = await readMetrics();
        rss.push([row.t, row.rss]);
        lagP99.push(lag);
        if (row.t >= nextTimeline) {
          timeline.push(row);
          console.log(`soak.memory  ${formatRow(row)}`);
          nextTimeline += TIMELINE_S;
        }
        await sleep(Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now())));
      }
    })();
    const prober = (async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const ok = await fetch(`${base}/healthz`).then(async (r) => (await r.arrayBuffer(), r.ok), () => false);
        if (ok) healthz.push(performance.now() - t);
        else healthzErrors++;
        await sleep(1000);
      }
    })();

    const latencies: number[] = [];
    const instance = autocannon({ url: `${base}/api/summary`, connections: SUMMARY_CLIENTS, duration: SECONDS, pipelining: 1, timeout: 10 });
    instance.on('response', (_c, _s, _b, ms) => latencies.push(ms));
    const summary = await instance;
    await Promise.all([sampler, prober]);
    const { lag: finalLag, row: finalRow } = await readMetrics();
    const finalRss = finalRow.rss;
    timeline.push(finalRow);
    console.log(`soak.memory  ${formatRow(finalRow)} (end)`);
    stopping = true;
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.done));

    server.kill('SIGTERM');
    const code = await exited;

    const warmAt = Math.max(10, SECONDS / 10);
    const warm = rss.find(([t]) => t >= warmAt) ?? rss[0]!;
    const last: [number, number] = [(Date.now() - started) / 1000, finalRss];
    rss.push(last);
    const maxRss = Math.max(...rss.map(([, m]) => m));
    const mean = (xs: Array<[number, number]>) => xs.reduce((a, [, m]) => a + m, 0) / xs.length;
    const window = Math.min(60, (last[0] - warmAt) / 2);
    const early = rss.filter(([t]) => t >= warmAt && t < warmAt + window);
    const late = rss.filter(([t]) => t > last[0] - window);
    const rssRatio = mean(late) / mean(early);
    const singleRatio = last[1] / warm[1];
    const slope = slopePerMinute(rss.filter(([t]) => t >= last[0] / 2));
    const summaryErrors = summary.errors + summary.timeouts + summary.non2xx;
    const errors = summaryErrors + sse.errors + healthzErrors + (code === 0 ? 0 : 1);
    const lagMax = Math.max(...lagP99, finalLag);

    console.log(`soak.summary  ${summary.requests.total} requests (${Math.round(summary.requests.average)}/s): p50 ${r1(percentile(latencies, 50))} ms, p95 ${r1(percentile(latencies, 95))} ms, p99 ${r1(percentile(latencies, 99))} ms; errors ${summary.errors}, timeouts ${summary.timeouts}, non-2xx ${summary.non2xx}`);
    console.log(`soak.sse  ${SSE_CLIENTS} streams, ${sse.events} events received, ${sse.errors} errors${sse.errorKinds.size ? ` (${[...sse.errorKinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`);
    console.log(`soak.healthz  ${healthz.length} probes: p50 ${r1(percentile(healthz, 50))} ms, p95 ${r1(percentile(healthz, 95))} ms, max ${r1(Math.max(...healthz))} ms; ${healthzErrors} failed`);
    console.log(`soak.eventloop_lag_p99  end ${r1(finalLag * 1000)} ms; per ${SAMPLE_S} s sample: median ${r1(percentile(lagP99, 50) * 1000)} ms, max ${r1(lagMax * 1000)} ms`);
    console.log(`soak.rss  mean of the last ${Math.round(window)} s ${r1(mean(late))} MB / mean of ${Math.round(warmAt)}–${Math.round(warmAt + window)} s ${r1(mean(early))} MB = ${rssRatio.toFixed(3)} (flat within 10 %: ≤ 1.10 → ${rssRatio <= TARGETS.rssRatio ? 'yes' : 'NO'}); slope over the second half ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MB/min; single samples: ${r1(warm[1])} MB at ${Math.round(warm[0])} s, ${r1(last[1])} MB at the end (${singleRatio.toFixed(3)}), max ${r1(maxRss)} MB, first ${r1(rss[0]![1])} MB`);
    const warmRow = timeline.find((r) => r.t >= warm[0] - SAMPLE_S) ?? timeline[0]!;
    const delta = (k: keyof MemoryRow) => `${finalRow[k] - warmRow[k] >= 0 ? '+' : ''}${r1(finalRow[k] - warmRow[k])}`;
    console.log(`soak.memory_growth  from ${Math.round(warmRow.t)} s to the end: rss ${delta('rss')}, main heap ${delta('heapTotal')} (new ${delta('newSpace')}, old ${delta('oldSpaces')}; used ${delta('heapUsed')}), external ${delta('external')}, worker heaps ${delta('workerHeap')}, rest ${delta('rest')} (anon ${delta('anon')}, file ${delta('file')}) MB`);
    console.log(`soak.shutdown  serve exited ${code} on SIGTERM`);
    console.log(`soak.errors  ${errors} (target 0)`);
    const results = [
      { metric: 'soak errors (non-2xx, socket, SSE drops)', value: errors, unit: 'errors', target: '0', pass: errors === 0 },
      { metric: 'soak RSS last minute / minute after warm-up (means)', value: Number(rssRatio.toFixed(3)), unit: 'ratio', target: '<= 1.10', pass: rssRatio <= TARGETS.rssRatio },
      { metric: 'soak RSS slope, second half', value: Number(slope.toFixed(2)), unit: 'MB/min' },
      { metric: 'soak RSS max', value: Math.round(maxRss), unit: 'MB' },
      { metric: 'soak /api/summary p50', value: r1(percentile(latencies, 50)), unit: 'ms' },
      { metric: 'soak /api/summary p95', value: r1(percentile(latencies, 95)), unit: 'ms' },
      { metric: 'soak event-loop lag p99 (max sample)', value: r1(lagMax * 1000), unit: 'ms' },
      { metric: 'soak /healthz p95', value: r1(percentile(healthz, 95)), unit: 'ms' },
      { metric: 'soak duration', value: SECONDS, unit: 's' },
    ];
    console.log(`BENCH_JSON ${JSON.stringify({ name: 'soak', results, peakRssMb: Math.round(maxRss) })}`);
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
