/**
 * "Did you mean" for names a user typed: keys, indicator ids, collector ids.
 * Case-insensitive Levenshtein distance; a candidate is close when it is within
 * 2 edits and less than half the name's length away, so short names do not
 * match everything.
 */

/** The nearest candidate, if close. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  return closeMatches(name, candidates, 1)[0];
}

/**
 * Up to `limit` close candidates, nearest first (ties in the candidates' order). With
 * `substrings`, a candidate that contains the name or is contained in it (3 characters or
 * more) is close too, after the edit-distance matches: ids are often typed shortened
 * (`checkout_latency` for `checkout_latency_p95`).
 */
export function closeMatches(name: string, candidates: Iterable<string>, limit = 3, opts: { substrings?: boolean } = {}): string[] {
  const max = Math.min(2, Math.floor(name.length / 2));
  const lower = name.toLowerCase();
  const scored: Array<{ candidate: string; d: number; i: number }> = [];
  let i = 0;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = distance(lower, c);
    if (d <= max) scored.push({ candidate, d, i });
    else if (opts.substrings && Math.min(lower.length, c.length) >= 3 && (c.includes(lower) || lower.includes(c))) {
      scored.push({ candidate, d: max + 1 + Math.abs(c.length - lower.length), i });
    }
    i++;
  }
  return scored
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** `unknown indicator "x"; did you mean "y"?`, else the list of what exists (or that nothing does). */
export function unknownNameMessage(noun: string, name: string, known: readonly string[], where = 'in this file'): string {
  const near = closeMatches(name, known, 3, { substrings: true });
  const head = `unknown ${noun} "${name}"`;
  if (near.length === 1) return `${head}; did you mean "${near[0]}"?`;
  if (near.length > 1) return `${head}; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`;
  if (known.length === 0) return `${head}; there are no ${noun}s ${where}`;
  const list = known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
  return `${head}; ${noun}s ${where}: ${list}`;
}

export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
