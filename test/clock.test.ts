import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { timeoutSignal } from '../server/clock.js';
import { FakeClock } from './support/fake-clock.js';

const CLOCK = path.resolve(__dirname, '..', 'server', 'clock.ts');

/** Runs `body` in a fresh Node process with `systemClock` imported; returns its stdout and exit code. */
function node(body: string) {
  const script = `const { systemClock } = require(${JSON.stringify(CLOCK)});\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return { out: r.stdout, code: r.status, err: r.stderr };
}

test("systemClock's timers never hold the process: it exits with a timer still armed", () => {
  const r = node(`systemClock.setTimeout(() => console.log('fired'), 60_000); systemClock.setInterval(() => console.log('tick'), 60_000); console.log('armed');`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'armed\n', 'exited without waiting for the timers');
});

test('a sleep on systemClock holds the process until it ends, and an abort ends it early', () => {
  const r = node(`
    const stop = new AbortController();
    systemClock.sleep(50).then(() => console.log('slept'));
    systemClock.sleep(60_000, stop.signal).then(() => console.log('woken'));
    stop.abort();`);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trim().split('\n').sort(), ['slept', 'woken']);
});

test('timeoutSignal aborts with a TimeoutError at its time on the given clock, and not once cancelled', () => {
  const clock = new FakeClock();
  const a = timeoutSignal(clock, 1000);
  const b = timeoutSignal(clock, 1000);
  b.cancel();
  clock.advance(999);
  assert.equal(a.signal.aborted, false);
  clock.advance(1);
  assert.equal(a.signal.aborted, true);
  assert.equal((a.signal.reason as DOMException).name, 'TimeoutError');
  assert.equal(b.signal.aborted, false);
  assert.equal(clock.pending(), 0);
});
