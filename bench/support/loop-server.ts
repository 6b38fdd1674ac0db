/**
 * The server side of bench/loop.bench.ts, in a child process (fork with IPC): a real Runtime on
 * the bench database with READ_WORKERS read worker threads (0: every read and pass on the main
 * thread, the path before server/workers), the real Express app on 127.0.0.1, and the event
 * loop's delay measured by perf_hooks.monitorEventLoopDelay.
 *
 * argv: DB_FILE WORKLOAD_FILE READ_WORKERS. Messages: { type: 'ready', port } once listening;
 * { cmd: 'lag-reset' } → { type: 'lag-reset' }; { cmd: 'lag' } → { type: 'lag', p50, p99, max } (ms), rss (bytes, all threads) and busy (event-loop utilisation 0–1);
 * { cmd: 'evaluate', ms } runs evaluation passes back to back for ms → { type: 'evaluated', passes };
 * { cmd: 'stop' } closes everything and exits.
 */
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createApp } from '../../server/api/app.js';
import { systemClock } from '../../server/clock.js';
import { silentLogger } from '../../server/log.js';
import { Runtime } from '../../server/runtime.js';
import { END } from './dataset.js';

const [dbFile, workloadFile, workersArg] = process.argv.slice(2);
if (!dbFile || !workloadFile || !process.send) throw new Error('usage: fork loop-server.ts DB_FILE WORKLOAD_FILE READ_WORKERS (with IPC)');
const send = (m: unknown) => process.send!(m);

const runtime = new Runtime({
  configPath: workloadFile,
  dbPath: dbFile,
  env: {},
  log: silentLogger,
  version: 'bench',
  watch: false,
  clock: { ...systemClock, now: () => END },
  readWorkers: Number(workersArg ?? 0),
});
runtime.load(false, { evaluate: true });
const app = createApp(runtime.apiDeps());
const server = app.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
server.keepAliveTimeout = 65_000;

const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
/** The HTTP thread's busy share since the last reset: what our code costs it, apart from waiting for a CPU. */
let elu = performance.eventLoopUtilization();

process.on('message', (m: { cmd: string; ms?: number }) => {
  if (m.cmd === 'lag-reset') {
    lag.reset();
    elu = performance.eventLoopUtilization();
    send({ type: 'lag-reset' });
  } else if (m.cmd === 'lag') {
    send({ type: 'lag', p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max), rss: process.memoryUsage().rss, busy: performance.eventLoopUtilization(elu).utilization });
  } else if (m.cmd === 'evaluate') {
    const until = performance.now() + (m.ms ?? 1000);
    let passes = 0;
    const next = (): void => {
      if (performance.now() >= until) {
        send({ type: 'evaluated', passes });
        return;
      }
      // The timed pass's path: on a read worker when there are any, else on this thread.
      void runtime.evaluator.evaluateSoon().then(() => {
        passes++;
        setImmediate(next);
      });
    };
    next();
  } else if (m.cmd === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      void runtime.close(1_000).then(() => process.exit(0));
    });
  }
});
