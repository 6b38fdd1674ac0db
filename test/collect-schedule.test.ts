import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir, waitFor } from './support/tmp.js';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');

test('collect without --once keeps collecting on schedule until SIGTERM, then exits 0', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(config, 'workload: { id: c, title: C }\ncollectors:\n  - { id: host, type: host, interval: 1s, jitter: 0, cpu_window_ms: 10 }\n');
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'collect', '--config', config, '--db', db], {
    env: { ...process.env, PILLARBOARD_WATCH: 'false', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r((exitCode = c))));
  const runs = () => {
    if (!fs.existsSync(db)) return 0;
    const r = new Database(db, { readonly: true });
    try {
      return (r.prepare("SELECT count(*) AS n FROM collector_runs WHERE collector_id = 'host'").get() as { n: number }).n;
    } catch {
      return 0; // not migrated yet
    } finally {
      r.close();
    }
  };
  // Three scheduled runs (at 0, 1 and 2 s): it was still collecting after its first runs.
  await waitFor(() => exitCode !== undefined || runs() >= 3, 60_000, 'three scheduled runs');
  assert.equal(exitCode, undefined, `collect exited on its own (code ${exitCode}) instead of running until stopped: ${log}`);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, log);
});
