import * as fs from 'node:fs';
import * as path from 'node:path';
import { after } from 'node:test';
import { Runtime } from '../../server/runtime.js';
import { silentLogger } from '../../server/log.js';
import { tempDir } from './tmp.js';
import { clockAt } from './fake-clock.js';
import type { Clock } from '../../server/clock.js';

/**
 * A Runtime on a temp database and a temp workload file, closed after the test file.
 *
 * Its clock: `opts.clock` (a FakeClock the test steps), or a fixed `opts.now`, or by default the
 * real time. Without a FakeClock its timers are held (clockAt): no collector run, evaluation
 * pass, upkeep or retry fires on real time behind the test; the test drives them (runOnce,
 * evaluateNow), or passes a FakeClock and advances it.
 */
export function testRuntime(workloadYaml: string, env: Record<string, string | undefined> = {}, opts: { now?: () => number; clock?: Clock } = {}) {
  const dir = tempDir();
  const configPath = path.join(dir, 'workload.yaml');
  fs.writeFileSync(configPath, workloadYaml);
  const runtime = new Runtime({
    configPath,
    dbPath: path.join(dir, 'pb.db'),
    env,
    log: silentLogger,
    version: '0.0.0-test',
    watch: false,
    clock: opts.clock ?? clockAt(opts.now ?? (() => Date.now())),
  });
  after(() => runtime.close(1000));
  return { runtime, dir, configPath };
}
