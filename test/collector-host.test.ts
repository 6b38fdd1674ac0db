import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { host } from '../collectors/host.js';
import { PartialCollectError, type CollectResult } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';

const NOW = new Date('2026-01-05T10:00:00.000Z');

function collect(raw: unknown, signal = AbortSignal.timeout(10_000)): Promise<CollectResult> {
  return host.collect(host.config.parse(raw), { signal, now: NOW, log: silentLogger, collectorId: 'host-test' });
}

function get(r: CollectResult, name: string, labels: Record<string, string> = {}): number {
  const s = r.samples.find((x) => x.name === name && JSON.stringify(x.labels) === JSON.stringify(labels));
  assert.ok(s, `no sample ${name}${JSON.stringify(labels)}`);
  return s.value;
}

describe('host collector', () => {
  it('returns sane CPU, load, memory and uptime values for this machine', async () => {
    const r = await collect({ cpu_window_ms: 100 });
    const cpu = get(r, 'host_cpu_utilization_ratio');
    assert.ok(cpu >= 0 && cpu <= 1, `cpu ${cpu}`);
    assert.equal(get(r, 'host_cpu_count'), os.cpus().length);
    for (const n of ['host_load1', 'host_load5', 'host_load15']) assert.ok(get(r, n) >= 0, n);
    const total = get(r, 'host_memory_total_bytes');
    const available = get(r, 'host_memory_available_bytes');
    assert.equal(total, os.totalmem());
    assert.ok(available > 0 && available <= total);
    assert.equal(get(r, 'host_memory_used_bytes'), total - available);
    assert.ok(get(r, 'host_uptime_seconds') > 0);
    assert.ok(r.samples.every((s) => s.ts === NOW.getTime()));
  });

  it('measures the file system of each configured path, / by default', async () => {
    const r = await collect({ cpu_window_ms: 10 });
    const size = get(r, 'host_filesystem_size_bytes', { path: '/' });
    const free = get(r, 'host_filesystem_free_bytes', { path: '/' });
    assert.ok(size > 0 && free >= 0 && free <= size, `size ${size} free ${free}`);
    const two = await collect({ cpu_window_ms: 10, disks: ['/', os.tmpdir()] });
    assert.ok(get(two, 'host_filesystem_size_bytes', { path: os.tmpdir() }) > 0);
  });

  it('sees CPU work done during its window', async () => {
    const busy = collect({ cpu_window_ms: 300 });
    const until = performance.now() + 250;
    while (performance.now() < until) Math.sqrt(Math.random()); // keep one core busy
    const cpu = get(await busy, 'host_cpu_utilization_ratio');
    assert.ok(cpu > 0.2 / os.cpus().length, `cpu ${cpu} while one core was busy`);
  });

  it('fails through PartialCollectError for a missing disk path and keeps the other samples', async () => {
    await assert.rejects(collect({ cpu_window_ms: 10, disks: ['/', '/no/such/disk'] }), (err: unknown) => {
      assert.ok(err instanceof PartialCollectError);
      assert.equal(err.message, 'disk path /no/such/disk cannot be measured: does not exist (check host.disks)');
      assert.ok(err.partial.samples.some((s) => s.name === 'host_filesystem_free_bytes' && s.labels['path'] === '/'));
      assert.ok(err.partial.samples.some((s) => s.name === 'host_cpu_utilization_ratio'));
      return true;
    });
  });

  it('gives up its CPU window when aborted, rejecting with the abort reason instead of measuring on', async () => {
    const stop = new AbortController();
    const run = collect({ cpu_window_ms: 10_000 }, stop.signal);
    stop.abort(new Error('server shutting down'));
    // Only the abort path says "aborted" (a finished window resolves with samples); no stopwatch needed.
    await assert.rejects(run, /^Error: host collector aborted while measuring CPU utilisation \(server shutting down\)$/);
  });

  it('rejects a CPU window outside 10 ms .. 10 s, naming the field', () => {
    const r = host.config.safeParse({ cpu_window_ms: 5 });
    assert.equal(r.error?.issues[0]?.path.join('.'), 'cpu_window_ms');
  });
});
