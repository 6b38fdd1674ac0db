/**
 * Float parsing shared by the exposition parser and the Prometheus API decoder: both
 * write numbers as Go's strconv.FormatFloat does, including "+Inf", "-Inf" and "NaN".
 */

/** Parses a Go-style float as Prometheus writes them: `1e-3`, `+Inf`, `-Inf`, `NaN`. */
export function parseFloatToken(tok: string): number | undefined {
  if (tok.length === 0) return undefined;
  const n = Number(tok);
  if (!Number.isNaN(n)) {
    // Number() also reads 0x10, 0b1 and 0o7, which Prometheus does not write.
    const c = tok.charCodeAt(0) === 43 || tok.charCodeAt(0) === 45 ? 1 : 0;
    if (tok.charCodeAt(c) === 48 && tok.length > c + 1 && /[xXbBoO]/.test(tok[c + 1]!)) return undefined;
    return n;
  }
  switch (tok.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}
