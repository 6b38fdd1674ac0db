import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { collectorRegistry } from '../collectors/index.js';
import { runCheck } from '../server/commands/check.js';
import { silentLogger } from '../server/log.js';

/**
 * The example workload's commented business outcome (issue 16 item 4): the file as shipped
 * passes `pillarboard check`; with the three `shop-orders` blocks uncommented it still does,
 * and its sql collector counts the orders of the last hour in the shop file examples/shop-db.js
 * creates (what `npm start` runs first).
 */

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'workload.yaml');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureShopDb } = require(path.join(ROOT, 'examples', 'shop-db.js')) as { ensureShopDb: (file: string, nowS?: number) => number };

/** The example with every line between `# >>> shop-orders` and `# <<< shop-orders` uncommented. */
function uncommented(text: string, shopFile: string): string {
  let inside = false;
  let blocks = 0;
  const lines = text.split('\n').map((line) => {
    if (/^\s*# >>> shop-orders\s*$/.test(line)) {
      inside = true;
      blocks++;
      return line;
    }
    if (/^\s*# <<< shop-orders\s*$/.test(line)) {
      inside = false;
      return line;
    }
    return inside ? line.replace(/^(\s*)# ?/, '$1') : line;
  });
  assert.equal(blocks, 3, 'the example marks three shop-orders blocks (collector, indicator, outcome)');
  return lines.join('\n').replace('path: data/example-shop.db', `path: ${JSON.stringify(shopFile)}`);
}

function check(file: string): { code: number; out: string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const code = runCheck(file, { PORT: '8080' }, out, err);
  return { code, out: String(out.read() ?? '') + String(err.read() ?? '') };
}

describe('example workload: the commented sql business outcome', () => {
  let dir: string;
  let shopFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-example-sql-'));
    shopFile = path.join(dir, 'data', 'example-shop.db');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes pillarboard check as shipped, with the block commented', () => {
    const r = check(EXAMPLE);
    assert.equal(r.code, 0, r.out);
  });

  it('creates the shop file when missing, and leaves a file with enough future orders alone', () => {
    const now = Math.floor(Date.now() / 1000);
    const n = ensureShopDb(shopFile, now);
    assert.ok(n > 1000, `only ${n} orders`);
    assert.equal(ensureShopDb(shopFile, now), n, 'a second start adds nothing');
    // Three weeks later the stream is topped up again, so the example never runs dry.
    assert.ok(ensureShopDb(shopFile, now + 25 * 86_400) > n);
  });

  it('uncommented, passes check and its sql collector counts the last hour of the created file', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    ensureShopDb(shopFile, nowS);
    const file = path.join(dir, 'workload.yaml');
    fs.writeFileSync(file, uncommented(fs.readFileSync(EXAMPLE, 'utf8'), shopFile));
    const r = check(file);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /5 collectors, 20 indicators, 3 outcomes/);

    const { loadWorkloadFile } = await import('../server/workload/index.js');
    const loaded = loadWorkloadFile(file, { registry: collectorRegistry, env: { PORT: '8080' } });
    assert.ok(loaded.ok);
    const entry = loaded.workload.collectors.find((c) => c.id === 'shop-db')!;
    const def = collectorRegistry.get(entry.type)!;
    const result = await def.collect(entry.config, { signal: AbortSignal.timeout(30_000), now: new Date(nowS * 1000), log: silentLogger, collectorId: entry.id });
    const db = new Database(shopFile, { readonly: true });
    const expected = (db.prepare('SELECT count(*) AS n FROM orders WHERE created_at > ? AND created_at <= ?').get(nowS - 3600, nowS) as { n: number }).n;
    db.close();
    assert.ok(expected > 0);
    assert.ok(result.samples.length > 1 && result.samples.every((s) => s.name === 'shop_orders_last_hour' && /^[A-Z]{2}$/.test(s.labels.country ?? '')));
    assert.equal(result.samples.reduce((sum, s) => sum + s.value, 0), expected);
  });
});
