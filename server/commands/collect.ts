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
    if (!opts.once) return await runUntilSignal(runtime, settings, log);
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

async function runUntilSignal(runtime: Runtime, settings: Settings, log: Logger): Promise<number> {
  runtime.startMaintenance();
  log.info('collecting (no HTTP server); stop with Ctrl-C', { config: settings.config, db: settings.db });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    process.on('SIGHUP', () => {
      try {
        runtime.workload.reload('signal');
      } catch (err) {
        log.error('SIGHUP: reload failed', { error: (err as Error).message });
      }
    });
  });
  return 0;
}
