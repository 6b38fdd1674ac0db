import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluationSnapshot } from '../server/evaluation/index.js';
import { TestRepo } from './support/git-repo.js';
import { testRuntime } from './support/runtime.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * First glance (issue 10): the evaluation that follows the collectors' first runs must already
 * see the DORA series computed from the deployments those runs stored. Before, the derived job
 * ran one debounce later, so a fresh start showed "0 deployments/day" (Critical) for a minute.
 */

const DAY = 86_400_000;

test('the first evaluation after the git collector has run counts its deployments', async () => {
  const clock = new FakeClock();
  const repo = new TestRepo();
  const now = clock.now();
  for (let i = 5; i >= 1; i--) repo.commit('app.txt', i, `change ${i}`, now - i * DAY);
  const { runtime } = testRuntime(`workload: { id: first, title: "First glance" }
collectors:
  - { id: repo, type: git, interval: 1h, jitter: 0, path: "${repo.dir}", service: app, deploy: { branch: main }, since: 30d }
indicators:
  - id: deployment_frequency
    title: "Deployments per day (30 days)"
    pillar: operational_excellence
    unit: deployments/day
    series: 'dora_deployment_frequency_per_day{scope="workload",window="30d"}'
    objective: { min: 0.1 }
evaluation: { interval: 1h }
`, {}, { clock });
  const evaluations: EvaluationSnapshot[] = [];
  runtime.evaluator.on('evaluated', (s: EvaluationSnapshot) => evaluations.push(s));
  runtime.load(true);
  // The start evaluates once before any run; the next evaluation follows the git collector's first run.
  assert.equal(evaluations.length, 1, 'the evaluation at start');
  await clock.advanceAsync(0); // the collector's first run is due at once (jitter 0)
  // It runs git (real processes): wait for its end, without moving the clock.
  for (let i = 0; i < 400 && evaluations.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(evaluations.length, 2, 'one more evaluation, after the first run');
  assert.equal(evaluations[1]!.at, now, 'at the same clock time: it followed the run, not the 1 h timer');
  const indicator = evaluations[1]!.indicators.find((i) => i.id === 'deployment_frequency')!;
  assert.equal(indicator.status, 'ok', JSON.stringify(indicator));
  assert.equal(indicator.value, 5 / 30);
});
