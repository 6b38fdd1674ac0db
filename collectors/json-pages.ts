import { fetchText, bodySnippet, FetchError } from './fetch-text.js';
import { displayUrl, formatBytes, type TlsOptions } from './http-client.js';
import { toBytes } from './config-schemas.js';
import { DEFAULT_MAX_TOTAL_BYTES, type JsonConfig, type JsonPagination } from './json-config.js';
import { parseJsonPath, selectAll } from './json-path.js';
import { nextLink } from './json-link.js';
import { describe } from './json-values.js';

/**
 * The pages of one run of a `json` collector, fetched one after another through the shared
 * HTTP client (its timeouts via the run's signal, its per-response `max_body_bytes`, gzip and
 * redirect rules), each parsed as JSON.
 *
 * Pagination stops when the API gives no next page (no `rel="next"` link; a next URL or
 * cursor that is missing, null or ""). It fails the run — nothing from any page is stored —
 * when it would read more than `max_pages` pages or `max_total_bytes` bytes, when a next URL
 * or cursor comes back a second time (an API stuck in a loop), or when a next URL points to
 * another origin than `url` (credentials are never sent elsewhere).
 */

export interface Page {
  doc: unknown;
  /** 1-based. */
  number: number;
  url: string;
}

const ACCEPT = 'application/json;q=1, */*;q=0.1';

export async function* fetchPages(config: JsonConfig, signal: AbortSignal, tls: TlsOptions | undefined): AsyncGenerator<Page> {
  const p = config.pagination;
  const maxPages = p?.max_pages ?? 1;
  const maxTotal = toBytes(p?.max_total_bytes, DEFAULT_MAX_TOTAL_BYTES);
  const maxBody = toBytes(config.max_body_bytes);
  const origin = new URL(config.url).origin;
  const seen = new Set<string>();
  const numbered = p?.type === 'page_number' || p?.type === 'offset';
  const first = withQuery(config.url, numbered ? { ...config.query, [p.param]: String(p.start) } : config.query);
  let url = first;
  let body = config.body;
  let total = 0;
  let previous: string | undefined;

  for (let number = 1; ; number++) {
    const remaining = maxTotal - total;
    const capByTotal = p !== undefined && remaining < maxBody;
    let res;
    try {
      res = await fetchText(url, {
        signal,
        method: config.method,
        accept: ACCEPT,
        headers: config.headers,
        auth: config.auth,
        json: config.method === 'POST' ? body : undefined,
        tls,
        maxBodyBytes: capByTotal ? remaining : maxBody,
      });
    } catch (err) {
      if (capByTotal && err instanceof FetchError && err.kind === 'too_large') throw totalTooLarge(url, number, maxTotal);
      throw err;
    }
    // URLs already read, as asked and as answered after redirects: a next link to either is a loop.
    if (p?.type !== 'cursor') seen.add(new URL(url).toString()).add(res.url);
    total += Buffer.byteLength(res.text, 'utf8');
    if (p !== undefined && total > maxTotal) throw totalTooLarge(url, number, maxTotal);
    const doc = parseDocument(res.url, res.contentType, res.text, number, p !== undefined);
    // The next page is worked out before this one is read: a loop or a cap is the cause to
    // report, not the duplicate series it would produce.
    const next = p ? nextPage(p, doc, res.headers.link, res.url, config, number, first) : undefined;
    if (!p || next === undefined) {
      // Numbered pages end with one past the last: nothing to read there.
      if (!(numbered && number > 1)) yield { doc, number, url: res.url };
      return;
    }
    if (next.kind === 'url' && new URL(next.url).origin !== origin) {
      throw new Error(`page ${number} of ${displayUrl(config.url)} points the next page to ${displayUrl(next.url)}, another origin; refusing to follow (credentials are sent only to ${origin})`);
    }
    const key = next.kind === 'url' ? next.url : JSON.stringify(next.cursor);
    if (seen.has(key)) {
      throw new Error(`${displayUrl(config.url)}: page ${number} gives the same next ${next.kind === 'url' ? `URL ${displayUrl(next.url)}` : `cursor ${key}`} as an earlier page; stopped to avoid a loop`);
    }
    seen.add(key);
    if (previous !== undefined && res.text === previous) {
      throw new Error(`${displayUrl(config.url)}: page ${number} is the same as page ${number - 1}; stopped to avoid a loop (does the API read the pagination parameter?)`);
    }
    previous = res.text;
    // Numbered pages only end at an empty page, which is one request more, not a page more.
    if (number >= maxPages + (numbered ? 1 : 0)) {
      throw new Error(`${displayUrl(config.url)} has more than pagination.max_pages (${maxPages}) pages; raise max_pages if this is expected (nothing was stored)`);
    }
    yield { doc, number, url: res.url };
    if (next.kind === 'url') url = withQuery(next.url, config.query);
    else if (p.type === 'cursor' && p.param !== undefined) {
      const u = new URL(first);
      u.searchParams.set(p.param, String(next.cursor));
      url = u.toString();
    } else if (p.type === 'cursor' && p.body_field !== undefined) {
      body = { ...((config.body ?? {}) as Record<string, unknown>), [p.body_field]: next.cursor } as JsonConfig['body'];
    }
  }
}

/** `url` with the configured query parameters set (an API key a next link may leave out). */
function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * The error with the values of the configured query parameters replaced by ***, wherever a
 * URL in its message carries them: they are often API keys.
 */
export function maskQuery(err: unknown, query: Record<string, string> | undefined): unknown {
  if (!(err instanceof Error) || !query) return err;
  for (const name of Object.keys(query)) {
    const encoded = encodeURIComponent(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    err.message = err.message.replace(new RegExp(`([?&]${encoded}=)[^&#\\s"'<>]*`, 'g'), '$1***');
  }
  return err;
}

type Next = { kind: 'url'; url: string } | { kind: 'cursor'; cursor: string | number };

function nextPage(p: JsonPagination, doc: unknown, link: string | string[] | undefined, current: string, config: JsonConfig, number: number, first: string): Next | undefined {
  if (p.type === 'page_number' || p.type === 'offset') {
    if (!hasItems(doc, config)) return undefined;
    const u = new URL(first);
    u.searchParams.set(p.param, String(p.type === 'offset' ? p.start + number * p.step : p.start + number));
    return { kind: 'url', url: u.toString() };
  }
  if (p.type === 'link_header') {
    const target = nextLink(link);
    return target ? { kind: 'url', url: resolve(target, current, 'the Link header') } : undefined;
  }
  const found = pick(p.path, doc, config);
  if (found === undefined) return undefined;
  if (p.type === 'next_url') {
    if (typeof found !== 'string') throw new Error(`${displayUrl(config.url)}: pagination.path ${p.path} found ${describe(found)}, not a URL`);
    return { kind: 'url', url: resolve(found, current, `pagination.path ${p.path}`) };
  }
  if (typeof found !== 'string' && typeof found !== 'number') {
    throw new Error(`${displayUrl(config.url)}: pagination.path ${p.path} found ${describe(found)}, not a cursor (a string or number)`);
  }
  return { kind: 'cursor', cursor: found };
}

/** False for a page on which every metric's `items` selects nothing: the end of numbered pages. */
function hasItems(doc: unknown, config: JsonConfig): boolean {
  return config.metrics.some((m) => {
    if (m.items === undefined) return false;
    const r = parseJsonPath(m.items);
    return r.ok && selectAll(r.path, doc).length > 0;
  });
}

/** The one value at `path`; undefined for none, null or "" (the last page). */
function pick(path: string, doc: unknown, config: JsonConfig): unknown {
  const r = parseJsonPath(path);
  if (!r.ok) throw new Error(`pagination.path ${path}: ${r.message}`);
  const found = selectAll(r.path, doc);
  if (found.length > 1) throw new Error(`${displayUrl(config.url)}: pagination.path ${path} matched ${found.length} values; it must pick one`);
  const v = found[0];
  return v === null || v === '' ? undefined : v;
}

function resolve(target: string, base: string, from: string): string {
  let u: URL;
  try {
    u = new URL(target, base);
  } catch {
    throw new Error(`${from} gives an invalid next page URL "${target}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${from} gives a next page URL that is not http(s): "${target}"`);
  return u.toString();
}

function parseDocument(url: string, contentType: string, text: string, number: number, paged: boolean): unknown {
  const shown = displayUrl(url) + (paged ? ` (page ${number})` : '');
  if (contentType === 'text/html' || contentType === 'application/xhtml+xml') {
    throw new Error(`${shown} answered ${contentType}, not JSON (a login page or a proxy error?): "${bodySnippet(text, contentType, 100)}"`);
  }
  try {
    // A byte order mark is not JSON (RFC 8259 §8.1) but some Windows-hosted APIs send one.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (err) {
    const why = (err as Error).message;
    const snippet = bodySnippet(text, contentType, 80);
    throw new Error(`${shown} answered invalid JSON (${why})${snippet ? `: "${snippet}"` : ' (an empty body)'}`);
  }
}

function totalTooLarge(url: string, number: number, maxTotal: number): Error {
  return new Error(`${displayUrl(url)}: page ${number} takes the run past pagination.max_total_bytes (${formatBytes(maxTotal)} over all pages); raise it if this is expected (nothing was stored)`);
}
