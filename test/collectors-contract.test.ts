import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { collectorDefinitions, buildRegistry } from '../collectors/index.js';
import type { CollectorDefinition, CollectResult } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';
import { contractFixtures, contractTargetHandler } from './support/collector-fixtures.js';
import { serve, hangingServer, closedPortUrl, type LocalServer } from './support/local-server.js';

/**
 * The contract every collector type meets, run against each entry of
 * `collectorDefinitions`: config errors name the field, an abort ends the run promptly,
 * and a target that is down gives a clear answer.
 */

const ABORT_AFTER_MS = 150;
const PROMPT_MS = 1500;

function run(def: CollectorDefinition<unknown>, raw: unknown, signal: AbortSignal): Promise<CollectResult> {
  const parsed = def.config.safeParse(raw);
  if (!parsed.success) throw new Error(`fixture config for ${def.type} is invalid: ${JSON.stringify(parsed.error.issues)}`);
  return def.collect(parsed.data, { signal, now: new Date(), log: silentLogger, collectorId: `contract-${def.type}` });
}

let healthy: LocalServer;
let hanging: LocalServer;
before(async () => {
  healthy = await serve(contractTargetHandler);
  hanging = await hangingServer();
});
after(async () => {
  await healthy.close();
  await hanging.close();
});

describe('collector registry', () => {
  it('registers every type once, under its lowercase name', () => {
    const registry = buildRegistry(collectorDefinitions);
    assert.equal(registry.size, collectorDefinitions.length);
    for (const def of collectorDefinitions) assert.equal(registry.get(def.type), def);
  });

  it('buildRegistry throws when two definitions share a type', () => {
    const def = collectorDefinitions[0]!;
    assert.throws(() => buildRegistry([def, { ...def }]), new RegExp(`collector type "${def.type}" is registered twice`));
  });

  it('buildRegistry rejects a type that is not lowercase', () => {
    const def = collectorDefinitions[0]!;
    assert.throws(() => buildRegistry([{ ...def, type: 'Prom' }]), /collector type "Prom" is invalid/);
  });
});

for (const def of collectorDefinitions) {
  const fixture = contractFixtures[def.type];

  describe(`${def.type} collector contract`, () => {
    it('has contract fixtures (every registered type must)', () => {
      assert.ok(fixture, `test/support/collector-fixtures.ts has no entry for "${def.type}"`);
    });
    if (!fixture) return;

    it(`rejects an invalid config, naming the field ${fixture.invalid.path}`, () => {
      const result = def.config.safeParse(fixture.invalid.config);
      assert.equal(result.success, false);
      const paths = result.error!.issues.map((i) => i.path.join('.'));
      assert.ok(paths.includes(fixture.invalid.path), `expected an issue at ${fixture.invalid.path}, got ${JSON.stringify(result.error!.issues)}`);
    });

    it('rejects an unknown config key, naming it', () => {
      const result = def.config.safeParse({ ...(fixture.config(healthy.url) as object), no_such_field: 1 });
      assert.equal(result.success, false);
      assert.match(JSON.stringify(result.error!.issues), /no_such_field/);
    });

    it('returns well-formed samples from a healthy target', async () => {
      const result = await run(def, fixture.healthyConfig?.() ?? fixture.config(healthy.url), AbortSignal.timeout(10_000));
      assert.ok(result.samples.length > 0, 'no samples');
      for (const s of result.samples) {
        assert.match(s.name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        assert.equal(typeof s.value, 'number');
        assert.ok(Number.isInteger(s.ts), `ts ${s.ts} is not an integer`);
        for (const [k, v] of Object.entries(s.labels)) assert.equal(typeof v, 'string', `label ${k}`);
      }
    });

    it('rejects promptly when its signal aborts mid-run', async () => {
      const config = fixture.down.kind === 'none' ? fixture.slowConfig : fixture.config(hanging.url);
      assert.ok(config !== undefined, 'a type without target needs slowConfig to test aborts');
      const started = performance.now();
      await assert.rejects(run(def, config, AbortSignal.timeout(ABORT_AFTER_MS)));
      const elapsed = performance.now() - started;
      assert.ok(elapsed < PROMPT_MS, `took ${Math.round(elapsed)} ms to give up after an abort at ${ABORT_AFTER_MS} ms`);
    });

    const down = fixture.down;
    if (down.kind === 'none') {
      it('gives a clear answer for a target that is down', { skip: down.reason }, () => {});
    } else if (down.kind === 'throws') {
      it('fails with an error naming a target that is down', async () => {
        const base = await closedPortUrl();
        const hostPort = new URL(base).host;
        await assert.rejects(run(def, fixture.config(base), AbortSignal.timeout(5000)), (err: Error) => {
          assert.ok(err.message.includes(hostPort), `message does not name ${hostPort}: ${err.message}`);
          assert.match(err.message, /connection refused/);
          return true;
        });
      });
    } else {
      it(`reports a target that is down as ${down.sample} ${down.value}, with the reason in warnings`, async () => {
        const base = await closedPortUrl();
        const result = await run(def, fixture.config(base), AbortSignal.timeout(5000));
        const sample = result.samples.find((s) => s.name === down.sample);
        assert.equal(sample?.value, down.value);
        assert.match((result.warnings ?? []).join('\n'), /connection refused/);
        assert.ok((result.warnings ?? []).join('\n').includes(new URL(base).host));
      });
    }

    const backfill = def.backfill;
    if (!backfill) return;
    /** Drains a backfill of the config's first part over the last hour. */
    const drain = async (raw: unknown, signal: AbortSignal) => {
      const config = def.config.parse(raw);
      const [part] = backfill.parts(config);
      assert.ok(part, 'the fixture config has no backfill part');
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      const range = { from: now - 3_600_000, to: now, stepMs: 60_000, timeoutMs: 10_000 };
      let n = 0;
      for await (const chunk of backfill.fetch(config, part.key, range, { signal, now: new Date(), log: silentLogger, collectorId: `contract-${def.type}` })) {
        n += chunk.samples.length;
      }
      return n;
    };

    it('backfill: parts have stable, distinct keys and name the series they store', () => {
      const config = def.config.parse(fixture.config(healthy.url));
      const parts = backfill.parts(config);
      assert.ok(parts.length > 0);
      assert.deepEqual(backfill.parts(def.config.parse(fixture.config(healthy.url))), parts);
      assert.equal(new Set(parts.map((p) => p.key)).size, parts.length);
      for (const p of parts) assert.ok(p.series.length > 0 && p.series.every((s) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s)));
      const other = backfill.parts(def.config.parse(fixture.config('http://127.0.0.1:1')));
      assert.notDeepEqual(other.map((p) => p.key), parts.map((p) => p.key), 'a part of another source must count as new');
    });

    it('backfill: rejects promptly when its signal aborts mid-request', async () => {
      const started = performance.now();
      await assert.rejects(drain(fixture.config(hanging.url), AbortSignal.timeout(ABORT_AFTER_MS)));
      const elapsed = performance.now() - started;
      assert.ok(elapsed < PROMPT_MS, `took ${Math.round(elapsed)} ms to give up after an abort at ${ABORT_AFTER_MS} ms`);
    });

    it('backfill: fails with an error naming a target that is down', async () => {
      const base = await closedPortUrl();
      await assert.rejects(drain(fixture.config(base), AbortSignal.timeout(5000)), (err: Error) => {
        assert.ok(err.message.includes(new URL(base).host), err.message);
        assert.match(err.message, /connection refused/);
        return true;
      });
    });
  });
}
