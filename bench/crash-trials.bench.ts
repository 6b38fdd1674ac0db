/**
 * Crash trials, the evidence: "100 × SIGKILL at random points during ingest, event
 * posts and report writes: integrity_check ok and every acknowledged write present, every time."
 * `node --import tsx bench/crash-trials.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~5 min.
 *
 * The trials themselves are test/support/crash-trials.ts (test/crash-trials.test.ts runs a few
 * per kind): BENCH_CRASH_TRIALS (default 100) are split evenly over ingest (collector runs
 * through the store), event posts to a real `pillarboard serve`, `pillarboard event add --db`,
 * and report archive writes. Random points come from CRASH_SEED (printed; set it to replay).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCrashTrials, seededRandom, TRIAL_KINDS, type KindResult } from '../test/support/crash-trials.js';

const TOTAL = Number(process.env.BENCH_CRASH_TRIALS ?? 100);
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

async function main() {
  const perKind = Math.ceil(TOTAL / TRIAL_KINDS.length);
  console.log(`crash.seed  ${SEED} (replay: CRASH_SEED=${SEED}); ${perKind} trials per kind: ${TRIAL_KINDS.join(', ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-crash-bench-'));
  const rows: KindResult[] = [];
  try {
    for (const [k, kind] of TRIAL_KINDS.entries()) {
      const r = await runCrashTrials(kind, perKind, dir, seededRandom(SEED + k));
      rows.push(r);
      console.log(
        `crash.${kind.padEnd(10)} trials ${r.trials}, kills ${r.kills}, acknowledged writes ${r.acks} (checked ${r.acksChecked} times over the trials), failures ${r.failures.length}, ${(r.ms / 1000).toFixed(1)} s`,
      );
      for (const f of r.failures) console.log(`  FAILURE ${f}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sum = (f: (r: KindResult) => number) => rows.reduce((a, r) => a + f(r), 0);
  const failures = sum((r) => r.failures.length);
  const trials = sum((r) => r.trials);
  const kills = sum((r) => r.kills);
  const secs = sum((r) => r.ms) / 1000;
  console.log(`crash.total  ${trials} trials, ${kills} kills, ${sum((r) => r.acks)} acknowledged writes (${sum((r) => r.acksChecked)} checks), ${failures} failures (target 0), ${secs.toFixed(1)} s, seed ${SEED}`);
  const results = [
    { metric: 'crash trials', value: trials, unit: 'trials' },
    { metric: 'crash kills (writer killed mid-work)', value: kills, unit: 'kills' },
    { metric: 'crash acknowledged writes checked', value: sum((r) => r.acksChecked), unit: 'checks' },
    { metric: 'crash failures (lost ack or corrupt db)', value: failures, unit: 'failures', target: '0', pass: failures === 0 },
    { metric: 'crash trials time', value: Math.round(secs), unit: 's' },
  ];
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'crash', results, peakRssMb })}`);
  if (failures > 0) process.exitCode = 1;
}

void main();
