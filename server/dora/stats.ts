/** Small numeric helpers for the derived metrics. */

/** The median: the middle value, or the mean of the two middle values for an even count; null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Index of the last element ≤ t in ascending `sorted`, or −1. */
export function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The half-open index range [from, to) of ascending `sorted` whose values lie in the window (start, end]. */
export function windowRange(sorted: readonly number[], start: number, end: number): [number, number] {
  return [lastAtOrBefore(sorted, start) + 1, lastAtOrBefore(sorted, end) + 1];
}

export function ratio(count: number, of: number): { value: number | null; count: number; of: number } {
  return { value: of > 0 ? count / of : null, count, of };
}
