/**
 * Prometheus names for OTLP metrics and attributes, as Prometheus's own OTLP receiver builds them
 * (github.com/prometheus/otlptranslator, strategy UnderscoreEscapingWithSuffixes, no namespace;
 * label names with underscore sanitization and multiple underscores preserved). The table of what
 * comes out is in docs/collectors.md, "OTLP metrics".
 */

/**
 * How a metric is typed for naming: only counters (monotonic sums) get `_total`, only gauges of
 * unit `1` get `_ratio` (a non-monotonic `sum` gets neither, as in Prometheus).
 */
export type NamingType = 'counter' | 'sum' | 'gauge' | 'histogram' | 'summary';

const UNITS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The OTLP unit as (main, per) name suffixes: `By/s` → [`bytes`, `per_second`]; `{request}` annotations give nothing. */
export function unitSuffixes(unit: string): [main: string, per: string] {
  const slash = unit.indexOf('/');
  const mainOtel = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perOtel = slash < 0 ? '' : unit.slice(slash + 1).trim();
  let main = '';
  let per = '';
  if (mainOtel !== '' && !/[{}]/.test(mainOtel)) main = UNITS[mainOtel] ?? mainOtel;
  if (perOtel !== '' && !/[{}]/.test(perOtel)) per = PER_UNITS[perOtel] ?? perOtel;
  return [cleanUnit(main), per === '' ? '' : cleanUnit(`per_${per}`)];
}

function cleanUnit(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9:]/g, '_').replace(/_+/g, '_').replace(/^_/, '');
}

/**
 * The Prometheus metric name of an OTLP metric: its name split on every character that is not
 * [a-zA-Z0-9:], the unit's suffixes added unless a token already says them, `_total` moved to the
 * end of a monotonic sum, `_ratio` added to a gauge of unit `1`, `_` before a leading digit.
 * Empty when nothing of the name is left (the caller refuses the metric).
 */
export function metricName(name: string, unit: string, type: NamingType): string {
  let tokens = name.split(/[^a-zA-Z0-9:]+/).filter((t) => t !== '');
  const [main, perRaw] = unitSuffixes(unit);
  let mainSuffix = tokens.includes(main) ? '' : main;
  let perSuffix = perRaw.replace(/_$/, '');
  if (perSuffix === 'per' || tokens.includes(perSuffix)) perSuffix = '';
  if (perSuffix !== '') mainSuffix = mainSuffix.replace(/_$/, '');
  if (mainSuffix !== '') tokens.push(mainSuffix);
  if (perSuffix !== '') tokens.push(perSuffix);
  if (type === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && type === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  let out = tokens.join('_');
  if (isDigit(out[0])) out = `_${out}`;
  return /^_*$/.test(out) ? '' : out;
}

/**
 * The Prometheus label name of an attribute key: every character outside [a-zA-Z0-9_] becomes
 * `_`; `key_` before a leading digit, `key` before a single leading underscore. Empty when only
 * underscores are left (the caller drops the attribute).
 */
export function labelName(key: string): string {
  if (key === '') return '';
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (isDigit(out[0])) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return /^_*$/.test(out) ? '' : out;
}

/**
 * A bucket bound or quantile as a label value, as Prometheus's translator writes them (Go's
 * FormatFloat(x, 'f', -1, 64): the shortest digits that read back the same, never an exponent):
 * `0.005`, `1`, `0.0000001`, `+Inf`.
 */
export function formatFloat(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  const text = String(x);
  if (!text.includes('e')) return text;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, frac = '', exp] = m;
  const digits = lead! + frac;
  const point = 1 + Number(exp); // where the decimal point falls within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
