import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { parseExposition } from '../collectors/exposition.js';
import { wholeLines } from '../server/import/chunks.js';
import { MAX_TS_MS, readMillis, readSecondsAsMillis, readValue } from '../server/import/numbers.js';
import { HistoryParser, ImportSyntaxError, type ImportFormat } from '../server/import/parse.js';
import { openMetricsCases } from './support/openmetrics-cases.js';

interface Got {
  name: string;
  labels: Record<string, string>;
  ts: number;
  value: number;
}

function parse(text: string, format?: ImportFormat): { samples: Got[]; parser: HistoryParser } {
  const samples: Got[] = [];
  const parser = new HistoryParser((s, ts, value) => samples.push({ name: s.name, labels: { ...s.labels }, ts, value }), format);
  parser.feed(text);
  return { samples, parser };
}

function syntaxError(text: string, format?: ImportFormat): ImportSyntaxError {
  try {
    parse(text, format);
  } catch (err) {
    if (err instanceof ImportSyntaxError) return err;
    throw err;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test('sample values read on the fast path are the doubles Number() reads, for any decimal text', () => {
  const decimal = fc
    .tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,18}$/), fc.option(fc.stringMatching(/^[0-9]{0,18}$/)))
    .map(([sign, int, frac]) => `${sign}${int}${frac === null ? '' : `.${frac}`}`);
  fc.assert(
    fc.property(decimal, (tok) => {
      const text = `x ${tok} y`;
      assert.ok(Object.is(readValue(text, 2, 2 + tok.length), Number(tok)), tok);
    }),
    { numRuns: 5000 },
  );
  for (const tok of ['1e3', '-1.5E-7', 'NaN', '+Inf', '-Inf', '0.1', '12345678901234567890']) {
    assert.ok(Object.is(readValue(tok, 0, tok.length), Number(tok.replace('Inf', 'Infinity'))), tok);
  }
  assert.equal(readValue('0x10', 0, 4), undefined);
  assert.equal(readValue('abc', 0, 3), undefined);
});

test('OpenMetrics seconds become whole milliseconds by decimal rounding; Prometheus milliseconds are integers from 1970 to the latest time the store holds (6429)', () => {
  const r = (s: string) => readSecondsAsMillis(s, 0, s.length);
  assert.equal(r('1600000000'), 1_600_000_000_000);
  assert.equal(r('1600000060.5'), 1_600_000_060_500);
  assert.equal(r('1600000000.123'), 1_600_000_000_123);
  assert.equal(r('1600000000.0004'), 1_600_000_000_000);
  assert.equal(r('1600000000.0005'), 1_600_000_000_001);
  assert.ok(Number.isNaN(r('1.6e9')), 'exponents take the slow path');
  assert.ok(Number.isNaN(r('-1')));
  const m = (s: string) => readMillis(s, 0, s.length);
  assert.equal(m('1600000000000'), 1_600_000_000_000);
  assert.ok(Number.isNaN(m('1600000000000.5')));
  assert.ok(Number.isNaN(m('9999999999999999')), 'after 9999');
  assert.equal(m(String(MAX_TS_MS)), MAX_TS_MS);
  assert.ok(Number.isNaN(m(String(MAX_TS_MS + 1))), 'one ms past what a chunk holds');
  assert.ok(Number.isNaN(m('200000000000000')), 'the year 8307: before 9999 but past the store');
  // The slow path reads what the fast path leaves: an exponent in seconds.
  assert.equal(parse('a 1 1.6e9\n', 'openmetrics').samples[0]!.ts, 1_600_000_000_000);
});

test('the format is detected from # EOF, OpenMetrics-only metadata, the {__name__=…} shape, or the size of the first timestamp', () => {
  const om = parse('# HELP a x\na 1 1600000000\n# EOF\n');
  assert.equal(om.parser.format, 'openmetrics');
  assert.match(om.parser.reason, /line 2 .*seconds/);
  assert.equal(om.samples[0]!.ts, 1_600_000_000_000);
  const unit = parse('# UNIT a_seconds seconds\na_seconds 1 1600000000\n').parser;
  assert.equal(unit.format, 'openmetrics');
  assert.match(unit.reason, /line 1 is "# UNIT/);
  const prom = parse('a{b="c"} 2 1600000000000\n');
  assert.equal(prom.parser.format, 'prometheus');
  assert.match(prom.parser.reason, /milliseconds/);
  assert.equal(prom.samples[0]!.ts, 1_600_000_000_000);
  const dump = parse('{__name__="up", instance="a", job="b"} 1 1600000000000\n');
  assert.equal(dump.parser.format, 'prometheus');
  assert.match(dump.parser.reason, /promtool tsdb dump/);
  assert.deepEqual(dump.samples, [{ name: 'up', labels: { instance: 'a', job: 'b' }, ts: 1_600_000_000_000, value: 1 }]);
  // Given, the format is not guessed: a seconds timestamp read as milliseconds is 1970.
  assert.equal(parse('a 1 1600000000\n', 'prometheus').samples[0]!.ts, 1_600_000_000);
});

test('every valid OpenMetrics test case whose samples all carry timestamps reads as the scrape parser reads it; the others are refused for a missing timestamp', () => {
  let compared = 0;
  let refused = 0;
  for (const c of openMetricsCases().filter((x) => x.shouldParse)) {
    const ref = parseExposition(c.text, { openMetrics: true });
    if (ref.samples.length === 0) continue;
    if (ref.samples.some((s) => s.timestampMs! > MAX_TS_MS)) {
      assert.match(syntaxError(c.text, 'openmetrics').message, /after the latest time the store holds \(year 6429\)/, c.name);
    } else if (ref.samples.every((s) => s.timestampMs !== undefined)) {
      const got = parse(c.text, 'openmetrics').samples;
      const want = ref.samples.map((s) => ({ name: s.name, labels: s.labels, ts: s.timestampMs!, value: s.value }));
      assert.deepEqual(got, want, c.name);
      compared++;
    } else {
      assert.match(syntaxError(c.text, 'openmetrics').message, /has no timestamp/, c.name);
      refused++;
    }
  }
  assert.ok(compared >= 3 && refused >= 20, `compared ${compared}, refused ${refused}`);
});

test('errors name the line and column: missing timestamp, bad value, bad label, text after # EOF, fractional or huge timestamps', () => {
  const at = (text: string, format?: ImportFormat) => {
    const e = syntaxError(text, format);
    return `${e.line}:${e.column}: ${e.message}`;
  };
  assert.match(at('a 1 1600000000000\nb{x="y"} 2\n'), /^2:11: sample of b has no timestamp/);
  assert.match(at('a 1 1600000000000\na{x="y"} abc 1600000000000\n'), /^2:10: invalid value "abc" for a/);
  assert.match(at('a{x=y} 1 1600000000000\n'), /^1:5: expected a quoted value for label x/);
  assert.match(at('a{x="y",x="z"} 1 1600000000000\n'), /^1:9: duplicate label x/);
  assert.match(at('a{x="y} 1 1600000000000\n'), /^1:5: unterminated value for label x/);
  assert.match(at('a 1 1600000000\n# EOF\na 2 1600000001\n'), /^3:1: text after "# EOF"/);
  assert.match(at('a 1 1600000000000.5\n', 'prometheus'), /^1:5: timestamp 1600000000000.5 is not a whole number of milliseconds/);
  assert.match(at('a 1 1600000000000\n', 'openmetrics'), /^1:5: timestamp 1600000000000 s is after the latest time the store holds \(year 6429\); .*--format prometheus/);
  assert.match(at('{job="x"} 1 1600000000000\n'), /^1:1: a series written as \{…\} needs a __name__ label/);
  // Columns count the line's leading blanks; exemplars are OpenMetrics only.
  assert.match(at('  a 1 1600000000000 junk\n', 'prometheus'), /^1:21: unexpected "junk" after the timestamp/);
  assert.match(at('a{x="y"} 1 1600000000000 # {a="b"} 1\n', 'prometheus'), /^1:26: unexpected "# \{a=/);
  assert.equal(parse('a{x="y"} 1 1600000000 # {a="b"} 1\n', 'openmetrics').samples.length, 1);
  // A line that repeats a known series takes the fast path, and still fails at the right column.
  assert.match(at('a{x="y"} 1 1600000000000\na{x="y"} 1 NaNa\n'), /^2:12: invalid timestamp "NaNa"/);
});

test('label values: the text format\'s three escapes (others kept as written); Go escapes in promtool dump lines', () => {
  const t = parse('a{p="x\\"q\\"\\\\n\\n\\t"} 1 1600000000000\n').samples[0]!;
  assert.equal(t.labels['p'], 'x"q"\\n\n\\t');
  const g = parse('{__name__="a", p="tab\\there \\u00e9 \\xc3\\xa9 \\"q\\" \\\\"} 1 1600000000000\n').samples[0]!;
  assert.equal(g.labels['p'], 'tab\there é é "q" \\');
  assert.match(syntaxError('{__name__="a", p="\\q"} 1 1600000000000\n').message, /unknown escape \\q/);
});

test('chunks cut anywhere, even inside a UTF-8 character, read as the whole text does', async () => {
  const text = 'a{city="Zürich",emoji="📈"} 1 1600000000000\r\n\n# comment\n  b 2.5 1600000060000  \na{city="Zürich",emoji="📈"} 3 1600000120000';
  const whole = parse(text).samples;
  assert.equal(whole.length, 3);
  const bytes = Buffer.from(text, 'utf8');
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
    const got: Got[] = [];
    const p = new HistoryParser((s, ts, value) => got.push({ name: s.name, labels: { ...s.labels }, ts, value }));
    for await (const { text: t } of wholeLines(Readable.from(pieces))) p.feed(t);
    assert.deepEqual(got, whole, `chunks of ${size} bytes`);
    assert.equal(p.lineNo, 5);
  }
});

test('a line longer than the bound is refused instead of buffered without end', async () => {
  const long = Buffer.alloc(3000, 'a');
  await assert.rejects(async () => {
    for await (const _ of wholeLines(Readable.from([Buffer.from('a 1 2\n'), long, long]), 4096)) void _;
  }, /line longer than 4096 bytes/);
});
