/**
 * Soak, the issue's evidence: "200 SSE clients + 50 concurrent /api/summary for 10 minutes:
 * 0 errors, RSS flat within 10 %, /api/summary p95 and event-loop lag p99 printed."
 * `node --import tsx bench/soak.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * A real `pillarboard serve` (spawned, the example workload: its host, self-probe and
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
 * RSS "flat within 10 %" compares the last sample with the first one after the warm-up (the
 * first tenth of the run, at least 10 s), as a ratio; the max is printed beside it.
 */
import { spawn } from 'node:child_process';
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
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'serve', '--config', path.join(ROOT, 'examples', 'workload.yaml'), '--db', path.join(dir, 'soak.db'), '--host', '127.0.0.1', '--port', String(port)],
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
    const readLag = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const m = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
      if (!m) throw new Error('/metrics has no nodejs_eventloop_lag_p99_seconds');
      return Number(m[1]);
    };
    const sampler = (async () => {
      while (Date.now() < end) {
        rss.push([(Date.now() - started) / 1000, rssMb(server.pid!)]);
        lagP99.push(await readLag());
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
    const finalLag = await readLag();
    const finalRss = rssMb(server.pid!);
    stopping = true;
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.done));

    server.kill('SIGTERM');
    const code = await exited;

    const warm = rss.find(([t]) => t >= Math.max(10, SECONDS / 10)) ?? rss[0]!;
    const last: [number, number] = [(Date.now() - started) / 1000, finalRss];
    const maxRss = Math.max(...rss.map(([, m]) => m), finalRss);
    const rssRatio = last[1] / warm[1];
    const summaryErrors = summary.errors + summary.timeouts + summary.non2xx;
    const errors = summaryErrors + sse.errors + healthzErrors + (code === 0 ? 0 : 1);
    const lagMax = Math.max(...lagP99, finalLag);

    console.log(`soak.summary  ${summary.requests.total} requests (${Math.round(summary.requests.average)}/s): p50 ${r1(percentile(latencies, 50))} ms, p95 ${r1(percentile(latencies, 95))} ms, p99 ${r1(percentile(latencies, 99))} ms; errors ${summary.errors}, timeouts ${summary.timeouts}, non-2xx ${summary.non2xx}`);
    console.log(`soak.sse  ${SSE_CLIENTS} streams, ${sse.events} events received, ${sse.errors} errors${sse.errorKinds.size ? ` (${[...sse.errorKinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`);
    console.log(`soak.healthz  ${healthz.length} probes: p50 ${r1(percentile(healthz, 50))} ms, p95 ${r1(percentile(healthz, 95))} ms, max ${r1(Math.max(...healthz))} ms; ${healthzErrors} failed`);
    console.log(`soak.eventloop_lag_p99  end ${r1(finalLag * 1000)} ms; per ${SAMPLE_S} s sample: median ${r1(percentile(lagP99, 50) * 1000)} ms, max ${r1(lagMax * 1000)} ms`);
    console.log(`soak.rss  after warm-up (${Math.round(warm[0])} s) ${r1(warm[1])} MB, last ${r1(last[1])} MB, max ${r1(maxRss)} MB; last / warm-up ${rssRatio.toFixed(3)} (flat within 10 %: ≤ 1.10 → ${rssRatio <= TARGETS.rssRatio ? 'yes' : 'NO'}); first sample (${Math.round(rss[0]![0])} s) ${r1(rss[0]![1])} MB`);
    console.log(`soak.shutdown  serve exited ${code} on SIGTERM`);
    console.log(`soak.errors  ${errors} (target 0)`);
    const results = [
      { metric: 'soak errors (non-2xx, socket, SSE drops)', value: errors, unit: 'errors', target: '0', pass: errors === 0 },
      { metric: 'soak RSS last / after warm-up', value: Number(rssRatio.toFixed(3)), unit: 'ratio', target: '<= 1.10', pass: rssRatio <= TARGETS.rssRatio },
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
