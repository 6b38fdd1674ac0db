/**
 * Number and duration text. Two kinds, on purpose:
 * - `formatNumber` and `formatDuration` write a number exactly as configured, for messages
 *   about the workload file ("warning 0.5 is on the good side of the target 0.3").
 * - `formatValue`, `formatPercent`, `formatScore`, `formatTarget` write a measured value the
 *   way people read it (unit scaled, a few significant digits). The dashboard imports these
 *   very functions (web/src/format.ts), so a reason on a tile says "2.16 load per CPU" beside
 *   a headline of "2.16", never "2.16357". Plain JavaScript and Intl only: no Node, no DOM.
 * Kept here, not borrowed from another module, so the scoring core depends on nothing outside itself.
 */

/** Integers as written; other numbers to 6 significant digits, binary noise removed (0.1+0.2 → "0.3"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}


const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Prometheus-style duration, largest unit first: 5_400_000 → "1h30m", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${String(ms)}ms`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const nf = (max: number, min = 0) => new Intl.NumberFormat('en-US', { maximumFractionDigits: max, minimumFractionDigits: min });
const N0 = nf(0);
const N1 = nf(1);
const N2 = nf(2);
const N3 = nf(3);

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A score 0–100 as sent (one decimal at most): "85.7", "80"; "—" when there is none. */
export function formatScore(score: number | null | undefined): string {
  return isNum(score) ? N1.format(score) : '—';
}

/**
 * A 0–1 ratio as a percentage, one decimal: 0.8142 → "81.4%". Between 99% and 100% two
 * decimals, rounded down, so 0.9996 reads "99.96%" and a near miss never reads "100%".
 */
export function formatPercent(ratio: number | null | undefined): string {
  if (!isNum(ratio)) return '—';
  const pct = ratio * 100;
  if (pct > 99 && pct < 100) return `${N2.format(Math.floor(pct * 100) / 100)}%`;
  return `${N1.format(pct)}%`;
}

/** Three significant figures at most, without exponent noise: 0.000123 → "0.000123", 1234.5 → "1,235". */
function plain(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return N0.format(v);
  if (a >= 10) return N1.format(v);
  if (a >= 1) return N2.format(v);
  if (a >= 0.001) return N3.format(v);
  return v.toPrecision(3);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function seconds(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${plain(v * 1e6)} µs`;
  if (a < 1) return `${plain(v * 1e3)} ms`;
  if (a < 120) return `${plain(v)} s`;
  if (a < 7200) return `${plain(v / 60)} min`;
  if (a < 172800) return `${plain(v / 3600)} h`;
  return `${plain(v / 86400)} d`;
}

/**
 * A value in its indicator's unit, as every headline shows it. Units are free text in the
 * workload; the common ones get a human scale (ratio → %, seconds → ms/s/min, bytes →
 * MiB/GiB), the rest print beside the number. "—" for no value.
 */
export function formatValue(value: number | null | undefined, unit: string | null | undefined): string {
  if (!isNum(value)) return '—';
  const u = (unit ?? '').trim();
  switch (u.toLowerCase()) {
    case 'ratio':
      return formatPercent(value);
    case '':
      return plain(value);
    case 'percent':
    case '%':
      return `${plain(value)}%`;
    case 'seconds':
    case 'second':
    case 's':
      return seconds(value);
    case 'bytes':
    case 'byte': {
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
        v /= 1024;
        i++;
      }
      return `${plain(v)} ${BYTE_UNITS[i]}`;
    }
    default:
      return `${plain(value)} ${u}`;
  }
}

export interface ObjectiveLike {
  target: number;
  direction: 'min' | 'max';
  warning?: number | null;
  critical?: number | null;
}

/** "≤ 300 ms" for a max target, "≥ 99%" for a min target. */
export function formatTarget(o: ObjectiveLike, unit: string | null | undefined): string {
  return `${o.direction === 'max' ? '≤' : '≥'} ${formatValue(o.target, unit)}`;
}

/** "warning at 500 ms · critical at 1 s", or what is set of it. */
export function formatBounds(o: ObjectiveLike, unit: string | null | undefined): string {
  const parts: string[] = [];
  if (isNum(o.warning) && o.warning !== o.target) parts.push(`warning at ${formatValue(o.warning, unit)}`);
  if (isNum(o.critical)) parts.push(`critical at ${formatValue(o.critical, unit)}`);
  return parts.join(' · ');
}
