/**
 * The inside of a Go double-quoted string (strconv.Quote, as `promtool tsdb dump` writes label
 * values): `\a \b \f \n \r \t \v \\ \' \"`, `\xHH` and `\NNN` (bytes), `\uHHHH` and
 * `\UHHHHHHHH` (code points). Bytes from `\x`/octal escapes are decoded as UTF-8 together
 * with the text around them, as Go's string is a byte string.
 */

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34 };

/** The unquoted value, or where (offset in `s`) and what is wrong. */
export function unquoteGo(s: string): string | { at: number; error: string } {
  if (s.indexOf('\\') === -1) return s;
  const bytes: number[] = [];
  const pushText = (t: string) => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  let chunk = 0;
  for (let i = 0; i < s.length; ) {
    if (s[i] !== '\\') {
      i++;
      continue;
    }
    pushText(s.slice(chunk, i));
    const e = s[i + 1];
    if (e === undefined) return { at: i, error: 'a backslash ends the value' };
    if (e in SIMPLE) {
      bytes.push(SIMPLE[e]!);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return { at: i, error: `invalid escape \\${e}${hex}: expected ${n} hex digits` };
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return { at: i, error: `invalid escape \\${e}${hex}: not a Unicode code point` };
      else pushText(String.fromCodePoint(v));
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return { at: i, error: `invalid escape \\${oct}: expected three octal digits up to 377` };
      bytes.push(parseInt(oct, 8));
      i += 4;
    } else {
      return { at: i, error: `unknown escape \\${e}` };
    }
    chunk = i;
  }
  pushText(s.slice(chunk));
  return Buffer.from(bytes).toString('utf8');
}
