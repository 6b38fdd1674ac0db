/**
 * The server side of bench/api.bench.ts, run in a child process (fork with IPC) so the load
 * generator does not share its event loop: a real Runtime on the bench database and workload
 * file, evaluated once on load and then PASSES more times (one minute of collector runs
 * between passes, on a clock that starts at the data set's END), then the real Express app on
 * 127.0.0.1 with an ephemeral port.
 *
 * argv: DB_FILE WORKLOAD_FILE PASSES. Messages sent: { type: 'ready', ... } once listening,
 * { type: 'mem', ... } and { type: 'cpu', micros } (user + system CPU time so far) in answer to
 * { cmd: 'mem' } and { cmd: 'cpu' }; { cmd: 'stop' } closes everything and exits.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Sample } from '../../collectors/types.js';
import { createApp } from '../../server/api/app.js';
import { silentLogger } from '../../server/log.js';
import { Runtime } from '../../server/runtime.js';
import type { RunInfo, ScheduledCollector } from '../../server/scheduler/types.js';
import { canonical, COLLECTOR_IDS, END, indicators, MINUTE, minuteSamples, outcomes } from './dataset.js';
import { systemClock } from '../../server/clock.js';

const [dbFile, workloadFile, passesArg] = process.argv.slice(2);
if (!dbFile || !workloadFile || !process.send) throw new Error('usage: fork api-server.ts DB_FILE WORKLOAD_FILE PASSES (with IPC)');
const PASSES = Number(passesArg ?? 10);
const send = (m: unknown) => process.send!(m);

let now = END;
const runtime = new Runtime({
  configPath: workloadFile,
  dbPath: dbFile,
  env: {},
  log: silentLogger,
  version: 'bench',
  watch: false,
  clock: { ...systemClock, now: () => now },
});

/** One run of every collector at `now` storing its minute of samples, as the scheduler would. */
function collectMinute(failing?: string): void {
  const byCollector = new Map<string, Sample[]>(COLLECTOR_IDS.map((id) => [id, []]));
  for (const s of minuteSamples(now)) byCollector.get(s.labels.collector!)!.push(s);
  for (const id of COLLECTOR_IDS) {
    const ok = id !== failing;
    const samples = ok ? byCollector.get(id)! : [];
    const run: RunInfo = { startedAt: now - 1_000, durationMs: 20, ok, samplesWritten: samples.length, ...(ok ? {} : { error: 'connect ECONNREFUSED 127.0.0.1:9' }) };
    runtime.store.recordRun({ collectorId: id, ...run }, samples);
    const previous = runtime.scheduler.status().find((c) => c.id === id);
    runtime.scheduler.seed(id, {
      last: run,
      lastSuccess: ok ? run : previous?.lastSuccess ?? undefined,
      consecutiveFailures: ok ? 0 : (previous?.consecutiveFailures ?? 0) + 1,
    });
    runtime.metrics.collectorObserver.onRun({ id } as ScheduledCollector, run);
  }
}

// Every collector ran once before the server starts: its status is seeded from the store on load.
for (const id of COLLECTOR_IDS) runtime.store.recordRun({ collectorId: id, startedAt: now - 30_000, durationMs: 20, ok: true, samplesWritten: 0 }, []);

let t = performance.now();
runtime.load(false, { evaluate: true }); // loads and validates the workload file, evaluates once
const loadMs = performance.now() - t;
const active = runtime.workload.current()!.workload;
const specMismatch =
  canonical(active.indicators) !== canonical(indicators) ? 'indicators' : canonical(active.outcomes) !== canonical(outcomes) ? 'outcomes' : null;
const first = runtime.evaluator.latest()!;
const statuses: Record<string, number> = {};
for (const i of first.indicators) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
const failed = first.indicators.filter((i) => i.reason.startsWith('evaluation failed')).length;

const passMs: number[] = [];
const engineMs: number[] = [];
const listenersMs: number[] = [];
/** CPU time of each pass (all threads): on a shared machine, what the pass cost without waiting for a CPU. */
const passCpuMs: number[] = [];
// What the Runtime's own 'evaluated' listeners take: the time between a listener called before
// them and one called after them.
let listenersFrom = 0;
let listenersTo = 0;
runtime.evaluator.prependListener('evaluated', () => (listenersFrom = performance.now()));
runtime.evaluator.on('evaluated', () => (listenersTo = performance.now()));
for (let p = 0; p < PASSES; p++) {
  now += MINUTE;
  // The last minute: one collector's run fails (once: shown as failing, its indicators not stale).
  collectMinute(p === PASSES - 1 ? COLLECTOR_IDS[COLLECTOR_IDS.length - 1] : undefined);
  t = performance.now();
  const cpu = process.cpuUsage();
  const snap = runtime.evaluator.evaluateNow();
  passMs.push(performance.now() - t);
  const used = process.cpuUsage(cpu);
  passCpuMs.push((used.user + used.system) / 1000);
  engineMs.push(snap.durationMs);
  listenersMs.push(listenersTo - listenersFrom);
}

const app = createApp(runtime.apiDeps());
const server: Server = app.listen(0, '127.0.0.1', () => {
  send({
    type: 'ready',
    port: (server.address() as AddressInfo).port,
    loadMs,
    specMismatch,
    statuses,
    failed,
    passMs,
    engineMs,
    listenersMs,
    passCpuMs,
    rssAfterEvaluation: process.memoryUsage().rss,
  });
});
server.keepAliveTimeout = 65_000; // as `serve` sets it

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    send({ type: 'cpu', micros: c.user + c.system });
  } else if (m.cmd === 'mem') {
    const mu = process.memoryUsage();
    send({ type: 'mem', rss: mu.rss, heapUsed: mu.heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 });
  } else if (m.cmd === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      void runtime.close(1_000).then(() => process.exit(0));
    });
  }
});
