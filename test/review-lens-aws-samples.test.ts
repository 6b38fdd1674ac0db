import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runLensExport, runLensImport } from '../server/commands/lens.js';
import { parseLensText } from '../server/review/lens/parse-file.js';
import { silentLogger } from '../server/log.js';
import { openStore } from '../server/store/index.js';
import { tempDir } from './support/tmp.js';
import { captureIo } from './support/capture-io.js';

/**
 * Lenses AWS publishes for its Well-Architected Tool (aws-samples/custom-lens-wa-hub; sources
 * and licence in test/fixtures/lenses/aws-samples/README.md), imported as a user would.
 */

const SAMPLES = path.join(__dirname, 'fixtures', 'lenses', 'aws-samples');
const sample = (name: string) => path.join(SAMPLES, name);
const dir = tempDir('pillarboard-aws-lenses-');
const db = path.join(dir, 'pb.db');
openStore({ path: db, now: Date.now }).close(); // as `pillarboard migrate` leaves it: lens commands refuse a missing database

const io = captureIo;

const ACCEPTED: Array<[string, string, RegExp | null]> = [
  ['AWS-Passport_Passport-Custom-Lens.json', 'a url key on a question', /\$\.pillars\[\d+\]\.questions\[\d+\]\.url: warning: unknown key "url" in a question: kept and exported unchanged/],
  ['ORR-Lens_ORR-Whitepaper-Sample-PUBLISHED.json', 'Url in a resource', /helpfulResource\.Url: warning: unknown key "Url" .*did you mean "url"\?/],
  ['ApiGwLambda_custom-lens-apigw-lambda-v0.1.json', 'empty url strings', /helpfulResource\.url: warning: empty url: kept, and no link is shown/],
  ['Streaming-Media-Lens_streaming-media-lens-v1.02.json', 'displayText over 1,024 characters', null],
];

for (const [file, what, warning] of ACCEPTED) {
  test(`AWS's published ${file} (${what}) imports, with positioned warnings, and exports again unchanged`, () => {
    const c = io();
    const id = path.basename(file, '.json').toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
    assert.equal(runLensImport(db, sample(file), { id }, c.io, silentLogger), 0, c.err());
    assert.match(c.out(), /^imported lens/);
    if (warning) {
      assert.match(c.err(), warning);
      // Every warning line carries file:line:column.
      for (const line of c.err().trim().split('\n')) assert.match(line, new RegExp(`^${file.replace(/[.]/g, '\\.')}|/${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: \\$`));
    } else assert.equal(c.err(), '');
    const out = path.join(dir, `${id}.json`);
    assert.equal(runLensExport(db, id, { out }, io().io, silentLogger), 0);
    // What AWS wrote is all still there: every key and value, unknown ones included.
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), JSON.parse(fs.readFileSync(sample(file), 'utf8')));
    const again = io();
    assert.equal(runLensImport(db, out, { id }, again.io, silentLogger), 0);
    assert.match(again.out(), /^unchanged lens/);
  });
}

test("AWS's published ElastiCache lens is refused (questions without a default risk rule), exit 2 with JSON path, line and column", () => {
  const c = io();
  assert.equal(runLensImport(db, sample('ElastiCache_custom-lens-elasticache-v2.0.json'), {}, c.io, silentLogger), 2);
  const lines = c.err().trim().split('\n');
  assert.match(lines.at(-1)!, /22 errors; nothing imported/);
  assert.match(lines[0]!, /ElastiCache_custom-lens-elasticache-v2\.0\.json:\d+:\d+: \$\.pillars\[\d+\]\.questions\[\d+\]\.riskRules: no "default" rule/);
  const text = fs.readFileSync(sample('ElastiCache_custom-lens-elasticache-v2.0.json'), 'utf8');
  const r = parseLensText(text);
  assert.ok(!r.ok);
  // The position is the riskRules list the default is missing from.
  const first = r.issues[0]!;
  assert.match(text.split('\n')[first.line - 1]!.slice(first.column - 1), /^\[/);
});
