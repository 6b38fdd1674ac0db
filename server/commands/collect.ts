import type { Logger } from '../../collectors/types.js';
import { Runtime } from '../runtime.js';
import { packageVersion, workloadEnv, type Settings } from '../settings.js';
import { renderTable } from './table.js';
import type { Clock } from '../clock.js';

/**
 * `pillarboard collect`: the collectors without the HTTP server. With `once`, each selected
 * collector runs once (in parallel, each bounded by its timeout), the runs are stored like
 * any scheduled run, and a table is printed; exit 1 if any run failed.
 */
export async function runCollect(
  settings: Settings,
  log: Logger,
  opts: { once: boolean; ids?: string[]; out: NodeJS.WritableStream; clock: Clock },
): Promise<number> {
  const runtime = new Runtime({
    configPath: settings.config,
    dbPath: settings.db,
    env: workloadEnv(),
    log,
    version: packageVersion(),
    watch: !opts.once && settings.watch,
    command: 'collect',
    clock: opts.clock,
  });
  try {
    try {
      runtime.load(!opts.once);
    } catch (err) {
      if ((err as Error).name === 'WorkloadInvalidError') {
        process.stderr.write(`pillarboard: ${(err as Error).message}\n`);
        return 2;
      }
      throw err;
    }
    if (!opts.once) return await runUntilSignal(runtime, settings, log, opts.clock);
    const known = new Set(runtime.scheduler.status().map((s) => s.id));
    const unknown = (opts.ids ?? []).filter((id) => !known.has(id));
    if (unknown.length) {
      process.stderr.write(`pillarboard: no collector ${unknown.map((u) => `"${u}"`).join(', ')} in ${settings.config} (known: ${[...known].join(', ')})\n`);
      return 2;
    }
    const runs = await runtime.scheduler.runOnce(opts.ids);
    runtime.store.updateRollups();
    opts.out.write(
      renderTable(
        ['COLLECTOR', 'TYPE', 'RESULT', 'DURATION', 'SAMPLES', 'ERROR'],
        runs.map(({ id, type, run }) => [
          id,
          type,
          run.ok ? 'ok' : 'FAILED',
          `${(run.durationMs / 1000).toFixed(3)}s`,
          String(run.samplesWritten),
          run.error ?? '',
        ]),
      ),
    );
    return runs.every((r) => r.run.ok) ? 0 : 1;
  } finally {
    await runtime.close(settings.shutdownTimeoutMs);
  }
}

/** Longest single sleep Node's timers take (about 24.8 days); the wait below sleeps in such steps. */
const MAX_SLEEP_MS = 2 ** 31 - 1;

async function runUntilSignal(runtime: Runtime, settings: Settings, log: Logger, clock: Clock): Promise<number> {
  runtime.startMaintenance();
  log.info('collecting (no HTTP server); stop with Ctrl-C', { config: settings.config, db: settings.db });
  const stop = new AbortController();
  const onStop = () => stop.abort();
  const onHup = () => {
    try {
      runtime.workload.reload('signal');
    } catch (err) {
      log.error('SIGHUP: reload failed', { error: (err as Error).message });
    }
  };
  process.once('SIGTERM', onStop);
  process.once('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  try {
    // The scheduler's timers are background timers (they never hold the process), and without an
    // HTTP server nothing else would: this awaited sleep is what keeps `collect` running.
    while (!stop.signal.aborted) await clock.sleep(MAX_SLEEP_MS, stop.signal);
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  }
  return 0;
}
