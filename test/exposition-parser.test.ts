import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, parseFloatToken } from '../collectors/exposition.js';

/** The example from the Prometheus docs, "Exposition formats" → "Text format example". */
const REFERENCE = String.raw`# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;

describe('exposition parser on the reference example', () => {
  const page = parseExposition(REFERENCE);
  const find = (name: string, labels: Record<string, string> = {}) =>
    page.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  it('reads every sample and reports no error', () => {
    assert.deepEqual(page.errors, []);
    assert.equal(page.samples.length, 2 + 1 + 1 + 1 + 8 + 7);
  });

  it('keeps labels, values and millisecond timestamps of a counter', () => {
    assert.deepEqual(find('http_requests_total', { code: '400' }), {
      name: 'http_requests_total',
      labels: { method: 'post', code: '400' },
      value: 3,
      timestampMs: 1395066363000,
      family: 'http_requests_total',
    });
  });

  it('unescapes backslash, quote and newline in label values', () => {
    const s = find('msdos_file_access_time_seconds');
    assert.equal(s?.labels['path'], 'C:\\DIR\\FILE.TXT');
    assert.equal(s?.labels['error'], 'Cannot find file:\n"FILE.TXT"');
    assert.equal(s?.value, 1458255915);
  });

  it('reads a line with neither labels nor timestamp', () => {
    const s = find('metric_without_timestamp_and_labels');
    assert.deepEqual(s?.labels, {});
    assert.equal(s?.value, 12.47);
    assert.equal(s?.timestampMs, undefined);
  });

  it('reads +Inf and a negative timestamp from before the epoch', () => {
    const s = find('something_weird');
    assert.equal(s?.value, Infinity);
    assert.equal(s?.timestampMs, -3982045);
  });

  it('assigns histogram buckets, sum and count to the histogram family', () => {
    const hist = page.samples.filter((s) => s.family === 'http_request_duration_seconds');
    assert.equal(hist.length, 8);
    assert.equal(find('http_request_duration_seconds_bucket', { le: '+Inf' })?.value, 144320);
    assert.equal(page.families.get('http_request_duration_seconds')?.type, 'histogram');
    assert.equal(page.families.get('http_request_duration_seconds')?.help, 'A histogram of the request duration.');
  });

  it('assigns summary quantiles, sum and count to the summary family', () => {
    const summary = page.samples.filter((s) => s.family === 'rpc_duration_seconds');
    assert.deepEqual(summary.map((s) => s.labels['quantile'] ?? s.name), ['0.01', '0.05', '0.5', '0.9', '0.99', 'rpc_duration_seconds_sum', 'rpc_duration_seconds_count']);
    assert.equal(find('rpc_duration_seconds_sum')?.value, 17560473);
    assert.equal(page.families.get('rpc_duration_seconds')?.type, 'summary');
  });

  it('types a family without a TYPE line as untyped and counts every line', () => {
    assert.equal(page.families.get('metric_without_timestamp_and_labels')?.type, 'untyped');
    assert.equal(page.families.get('http_requests_total')?.type, 'counter');
    assert.equal(page.lines, REFERENCE.split('\n').length - 1);
  });
});

describe('exposition parser details', () => {
  it('reads CRLF line ends, tabs and blank lines like LF', () => {
    const page = parseExposition('# TYPE a gauge\r\n\r\na{x="1"}\t2\r\n  b 3  \r\n');
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.samples.map((s) => [s.name, s.value, s.labels]), [['a', 2, { x: '1' }], ['b', 3, {}]]);
  });

  it('reads NaN, -Inf, exponents and a trailing comma in the label set', () => {
    const page = parseExposition('a NaN\nb -Inf\nc 1.5E-3\nd{x="y",} 6.02e+23\ne -0\n');
    assert.deepEqual(page.errors, []);
    const v = page.samples.map((s) => s.value);
    assert.ok(Number.isNaN(v[0]));
    assert.deepEqual(v.slice(1), [-Infinity, 0.0015, 6.02e23, -0]);
    assert.deepEqual(page.samples[3]?.labels, { x: 'y' });
  });

  it('keeps an unknown escape in a label value with its backslash, as Prometheus 2.42 scrapes it', () => {
    const page = parseExposition(String.raw`esc{a="x\zy",b="\f\\\"",c="\q\n"} 1` + '\n');
    assert.deepEqual(page.errors, []);
    assert.equal(page.samples[0]?.labels['a'], String.raw`x\zy`);
    assert.equal(page.samples[0]?.labels['b'], String.raw`\f\"`);
    assert.equal(page.samples[0]?.labels['c'], '\\q\n');
  });

  it('keeps a label value with }, = and # inside quotes', () => {
    const page = parseExposition('a{q="x} = #y"} 1\n');
    assert.deepEqual(page.errors, []);
    assert.equal(page.samples[0]?.labels['q'], 'x} = #y');
  });

  it('reports malformed lines with line numbers and keeps the rest', () => {
    const text = [
      '# TYPE ok gauge', // 1
      'ok 1', // 2
      'ok{a="1" 2', // 3: missing comma or brace
      'ok{a="x\\"} 3', // 4: trailing backslash swallows the closing quote
      '9bad 4', // 5: name starts with a digit
      'ok{b="2"} notanumber', // 6
      'ok{c="3"}', // 7: no value
      'ok{d="4"} 5 1.5', // 8: fractional timestamp
      'ok{e="5"} 6 7 8', // 9: trailing text
      'ok{a="1",a="2"} 9', // 10: duplicate label
      'ok{f="unterminated} 1', // 11
      '# TYPE ok counter', // 12: second TYPE
      '# TYPE other flavour', // 13: unknown type
      'ok{g="7"} 10', // 14
      '',
    ].join('\n');
    const page = parseExposition(text);
    assert.deepEqual(page.samples.map((s) => s.value), [1, 10]);
    assert.deepEqual(page.errors.map((e) => e.line), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const byLine = new Map(page.errors.map((e) => [e.line, e.message]));
    assert.match(byLine.get(3)!, /expected "," or "}" after the value of label a/);
    assert.match(byLine.get(4)!, /unterminated value for label a/);
    assert.match(byLine.get(5)!, /expected a metric name/);
    assert.match(byLine.get(6)!, /invalid value "notanumber" for ok/);
    assert.match(byLine.get(7)!, /missing value for ok/);
    assert.match(byLine.get(8)!, /not an integer number of milliseconds/);
    assert.match(byLine.get(9)!, /unexpected text after the sample/);
    assert.match(byLine.get(10)!, /duplicate label a/);
    assert.match(byLine.get(11)!, /unterminated value for label f/);
    assert.match(byLine.get(12)!, /second TYPE line for ok/);
    assert.match(byLine.get(13)!, /unknown metric type "flavour"/);
  });

  it('reports a histogram bucket without an le label', () => {
    const page = parseExposition('# TYPE h histogram\nh_bucket{x="1"} 3\nh_sum 1\n');
    assert.deepEqual(page.errors, [{ line: 2, message: 'histogram bucket h_bucket has no "le" label' }]);
    assert.equal(page.samples.length, 1);
  });

  it('refuses a __proto__ label rather than corrupting the labels object', () => {
    const page = parseExposition('a{__proto__="x"} 1\n');
    assert.equal(page.samples.length, 0);
    assert.match(page.errors[0]!.message, /__proto__/);
  });

  it('unescapes HELP text and keeps an empty page empty', () => {
    assert.equal(parseExposition('# HELP a first\\nsecond \\\\ end\n').families.get('a')?.help, 'first\nsecond \\ end');
    assert.deepEqual(parseExposition(''), { samples: [], families: new Map(), errors: [], lines: 0 });
  });

  it('reads OpenMetrics: seconds timestamps, exemplars ignored, # EOF ends the page', () => {
    const om = '# TYPE c counter\nc_total 5 1700000000.5 # {trace_id="abc"} 1\n# EOF\ngarbage after eof\n';
    const page = parseExposition(om, { openMetrics: true });
    assert.deepEqual(page.errors, []);
    assert.equal(page.samples[0]?.timestampMs, 1700000000500);
    assert.equal(page.samples[0]?.family, 'c');
  });

  it('parseFloatToken accepts Go float spellings and rejects hex and words', () => {
    assert.equal(parseFloatToken('+Inf'), Infinity);
    assert.equal(parseFloatToken('-inf'), -Infinity);
    assert.equal(parseFloatToken('1e3'), 1000);
    assert.ok(Number.isNaN(parseFloatToken('NaN')!));
    assert.equal(parseFloatToken('0x10'), undefined);
    assert.equal(parseFloatToken('one'), undefined);
    assert.equal(parseFloatToken(''), undefined);
  });
});
