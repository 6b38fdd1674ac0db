/**
 * The `rel="next"` target of an RFC 8288 `Link` header, as GitHub, GitLab and most REST APIs
 * send for pagination: `<https://api.example.com/items?page=2>; rel="next", <…>; rel="last"`.
 * Commas inside `<…>` or a quoted parameter do not split links; `rel` may list several
 * space-separated types and is compared case-insensitively. Several `Link` headers are read
 * as one list. Returns the target as written (relative or absolute), or undefined.
 */
export function nextLink(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(', ') : header;
  for (const link of splitLinks(text)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/s.exec(link);
    if (!m) continue;
    for (const [name, value] of params(m[2]!)) {
      if (name === 'rel' && value.toLowerCase().split(/\s+/).includes('next')) return m[1]!.trim();
    }
  }
  return undefined;
}

function splitLinks(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inUri = false;
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (inUri) {
      if (c === '>') inUri = false;
    } else if (c === '<') inUri = true;
    else if (c === '"') inQuote = true;
    else if (c === ',') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** `; name=value; name="quoted"` → [name lower-cased, value unquoted]. */
function params(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/g;
  for (const m of text.matchAll(re)) out.push([m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '')]);
  return out;
}
