import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashTrials, seededRandom, TRIAL_KINDS } from './support/crash-trials.js';
import { tempDir } from './support/tmp.js';

/**
 * A few crash trials per kind (SIGKILL at a seeded random point, then reopen and check); the
 * 100 run in bench/crash-trials.bench.ts. CRASH_SEED=N replays a seed, CRASH_TRIALS=N per kind.
 */
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TRIALS = Number(process.env.CRASH_TRIALS ?? 8);

for (const [k, kind] of TRIAL_KINDS.entries()) {
  test(`SIGKILL during ${kind} leaves the database intact with every acknowledged write (${TRIALS} trials, seed ${SEED + k})`, async (t) => {
    const r = await runCrashTrials(kind, TRIALS, tempDir(), seededRandom(SEED + k), (line) => t.diagnostic(line));
    t.diagnostic(`seed ${SEED + k}: ${r.kills} kills, ${r.acks} acknowledged writes, ${r.acksChecked} checks, ${r.ms} ms`);
    assert.deepEqual(r.failures, [], `replay with CRASH_SEED=${SEED}`);
    assert.ok(r.acks > 0, 'the writers acknowledged writes');
    // At least half the trials must kill a writer mid-work (the CLI can finish before a late kill).
    assert.ok(r.kills >= Math.ceil(TRIALS / 2), `${r.kills} of ${TRIALS} trials killed the writer`);
  });
}
