import { request, FetchError, displayUrl, type HttpResponse, type TlsOptions, DEFAULT_MAX_BODY_BYTES } from './http-client.js';

/**
 * GET (or POST) a text document for a collector that parses what it reads (scrape,
 * prometheus). Unlike `request`, a non-2xx answer is an error here, with a short snippet
 * of the body so a user sees "404 page not found" or a proxy's complaint in the run log.
 */

export { DEFAULT_MAX_BODY_BYTES, FetchError };

export interface FetchTextOptions {
  signal: AbortSignal;
  method?: 'GET' | 'POST';
  /** Sent as-is, after the defaults (so a configured Accept wins) and before auth. */
  headers?: Record<string, string>;
  accept?: string;
  auth?: Partial<{ basic: { username: string; password: string }; bearer: string }>;
  /** application/x-www-form-urlencoded body, for POST. */
  form?: URLSearchParams;
  /** A JSON body (any JSON value), sent as application/json; give `form` or `json`, not both. */
  json?: unknown;
  tls?: TlsOptions;
  maxBodyBytes?: number;
}

export interface FetchTextResult {
  url: string;
  status: number;
  contentType: string;
  contentTypeHeader: string;
  /** Response headers, names lower-cased. */
  headers: HttpResponse['headers'];
  text: string;
}

export async function fetchText(url: string, opts: FetchTextOptions): Promise<FetchTextResult> {
  const headers = buildHeaders(opts);
  const res = await request(url, {
    signal: opts.signal,
    method: opts.method ?? 'GET',
    headers,
    body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.form?.toString(),
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    followRedirects: true,
    tls: opts.tls,
    acceptGzip: true,
  });
  if (res.status < 200 || res.status > 299) {
    const snippet = bodySnippet(res.body, res.contentType);
    throw new FetchError(
      `${displayUrl(res.url)} answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}${snippet ? `: "${snippet}"` : ''}`,
      'status',
      displayUrl(res.url),
      { status: res.status, contentType: res.contentType, body: res.body },
    );
  }
  return { url: res.url, status: res.status, contentType: res.contentType, contentTypeHeader: res.contentTypeHeader, headers: res.headers, text: res.body };
}

function buildHeaders(opts: FetchTextOptions): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': 'pillarboard' };
  if (opts.accept) headers['accept'] = opts.accept;
  if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  if (opts.auth?.basic) {
    const { username, password } = opts.auth.basic;
    headers['authorization'] = 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  } else if (opts.auth?.bearer) {
    headers['authorization'] = 'Bearer ' + opts.auth.bearer;
  }
  return headers;
}

/** At most `max` characters of a body, readable in one log line: HTML tags dropped, whitespace collapsed. */
export function bodySnippet(body: string, contentType = '', max = 160): string {
  let text = body.slice(0, 8192);
  if (contentType.includes('html') || /^\s*</.test(text)) {
    text = text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
