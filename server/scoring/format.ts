/**
 * Number and duration text for the `reason` sentences. Kept here, not borrowed from
 * the workload module, so the scoring core depends on nothing outside itself.
 */

/** Integers as written; other numbers to 6 significant digits, binary noise removed (0.1+0.2 → "0.3"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** A ratio as a percentage with at most 3 decimals: 0.9996 → "99.96%", -0.5 → "-50%". */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return `${String(Number((ratio * 100).toFixed(3)))}%`;
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
