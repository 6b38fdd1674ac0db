import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';

/**
 * The one HTTP client of the collectors, on node:http(s) rather than `fetch` because
 * collectors need what fetch hides: per-request CA / skip-verify, the peer certificate
 * (probe expiry), and a body cap enforced while streaming. Every failure is a
 * `FetchError` whose message names the URL and what to check; `kind` lets callers
 * (the http probe) classify without parsing text.
 */

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 10;

export type FetchErrorKind =
  | 'refused'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'aborted'
  | 'reset'
  | 'status'
  | 'too_large'
  | 'redirect'
  | 'invalid_response'
  | 'network';

export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    message: string,
    readonly kind: FetchErrorKind,
    readonly url: string,
    /** Set for kind `status`: what the server answered, so callers can read an error envelope. */
    readonly response?: { status: number; contentType: string; body: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TlsOptions {
  /** PEM text of extra CA certificates to trust. */
  ca?: string;
  insecureSkipVerify?: boolean;
  /** SNI and certificate host name, when it differs from the URL's host. */
  serverName?: string;
}

export interface RequestOptions {
  signal: AbortSignal;
  method?: string;
  /** Header names are case-insensitive; pass them lower-cased to avoid duplicates. */
  headers?: Record<string, string>;
  body?: string;
  maxBodyBytes?: number;
  /** false: drain the body without keeping it (a probe that only needs the status). */
  readBody?: boolean;
  followRedirects?: boolean;
  tls?: TlsOptions;
  /** Ask for gzip and inflate it; the cap applies to the inflated size (zip bombs). */
  acceptGzip?: boolean;
}

export interface HttpResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  statusText: string;
  /** Media type, lower-cased, without parameters ('' when absent). */
  contentType: string;
  /** The full Content-Type header, e.g. for `version=0.0.4`. */
  contentTypeHeader: string;
  body: string;
  /** Response headers as node:http gives them (names lower-cased); e.g. `link` for pagination. */
  headers: http.IncomingHttpHeaders;
  redirects: number;
  /** ms epoch of the earliest `notAfter` in the peer's chain, for https. */
  certNotAfter?: number;
}

/** The URL without its password, for messages and labels. */
export function displayUrl(url: string | URL): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export function parseMediaType(header: string | undefined): string {
  if (!header) return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Sends one request, following redirects when asked. Rejects with a FetchError only. */
export async function request(url: string, opts: RequestOptions): Promise<HttpResponse> {
  const started = performance.now();
  const method = (opts.method ?? 'GET').toUpperCase();
  let current = new URL(url);
  const origin = current.origin;
  for (let redirects = 0; ; redirects++) {
    // Credentials go only to the origin they were configured for.
    const headers = current.origin === origin ? opts.headers : stripCredentials(opts.headers);
    const hop = await once(current, method, { ...opts, headers }, started);
    if (hop.location === undefined || !opts.followRedirects) return { ...hop.response, redirects };
    if (redirects >= MAX_REDIRECTS) {
      throw new FetchError(`${displayUrl(url)} redirected more than ${MAX_REDIRECTS} times`, 'redirect', url);
    }
    try {
      current = new URL(hop.location, current);
    } catch {
      throw new FetchError(`${displayUrl(current)} redirected to an invalid URL "${hop.location}"`, 'redirect', url);
    }
  }
}

function stripCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'authorization') out[k] = v;
  return out;
}

interface Hop {
  response: Omit<HttpResponse, 'redirects'>;
  location?: string;
}

function once(url: URL, method: string, opts: RequestOptions, started: number): Promise<Hop> {
  const shown = displayUrl(url);
  const { signal } = opts;
  const cap = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise<Hop>((resolve, reject) => {
    if (signal.aborted) return reject(abortError(shown, signal, started));
    let settled = false;
    let body: Readable | undefined;
    const finish = (err: FetchError | undefined, hop?: Hop) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        body?.destroy();
        reject(err);
      } else resolve(hop!);
    };
    const onAbort = () => finish(abortError(shown, signal, started));
    signal.addEventListener('abort', onAbort, { once: true });

    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.acceptGzip) headers['accept-encoding'] = 'gzip';
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const reqOpts: https.RequestOptions = { method, headers, agent: false };
    if (isHttps) {
      if (opts.tls?.ca) reqOpts.ca = opts.tls.ca;
      if (opts.tls?.insecureSkipVerify) reqOpts.rejectUnauthorized = false;
      if (opts.tls?.serverName) reqOpts.servername = opts.tls.serverName;
    }
    const req = (isHttps ? https : http).request(url, reqOpts);
    req.on('error', (err) => finish(classify(err, shown, url, method)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? '';
      const contentTypeHeader = res.headers['content-type'] ?? '';
      const certNotAfter = isHttps ? earliestNotAfter(res.socket as TLSSocket) : undefined;
      const location = status >= 300 && status < 400 ? res.headers.location : undefined;
      const base = { url: url.toString(), status, statusText, contentType: parseMediaType(contentTypeHeader), contentTypeHeader, headers: res.headers };
      if (location !== undefined && opts.followRedirects) {
        res.resume();
        return finish(undefined, { response: { ...base, body: '', certNotAfter }, location });
      }
      const gzip = opts.acceptGzip && /\bgzip\b/i.test(res.headers['content-encoding'] ?? '');
      body = gzip ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = opts.readBody !== false;
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap) {
          finish(new FetchError(`${shown} response body exceeds ${formatBytes(cap)} (raise max_body_bytes if this is expected)`, 'too_large', shown));
        } else if (keep) chunks.push(chunk);
      });
      body.on('error', (err) => finish(classify(err, shown, url, method)));
      res.on('aborted', () => finish(new FetchError(`${shown} closed the connection in the middle of the response body`, 'reset', shown)));
      body.on('end', () => {
        const text = keep ? Buffer.concat(chunks).toString('utf8') : '';
        finish(undefined, { response: { ...base, body: text, certNotAfter } });
      });
    });
    req.end(opts.body);
  });
}

function abortError(shown: string, signal: AbortSignal, started: number): FetchError {
  const reason: unknown = signal.reason;
  const elapsed = Math.round(performance.now() - started);
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new FetchError(`${shown} did not answer in time (gave up after ${elapsed} ms)`, 'timeout', shown, undefined, { cause: reason });
  }
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'no reason given' : String(reason);
  return new FetchError(`request to ${shown} was aborted after ${elapsed} ms (${why})`, 'aborted', shown, undefined, { cause: reason });
}

const TLS_CODES = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL)/;

function classify(err: unknown, shown: string, url: URL, method: string): FetchError {
  if (err instanceof FetchError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? '';
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const prefix = `${method} ${shown} failed:`;
  if (code === 'ECONNREFUSED') {
    return new FetchError(`${prefix} connection refused (is anything listening on ${hostPort}?)`, 'refused', shown, undefined, { cause: err });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new FetchError(`${prefix} cannot resolve host "${url.hostname}" (${code})`, 'dns', shown, undefined, { cause: err });
  }
  if (TLS_CODES.test(code)) {
    const hint = code === 'EPROTO' ? ' (is it really https? the port may speak plain http)' : '; for a private CA set tls.ca, or tls.insecure_skip_verify: true to skip verification';
    return new FetchError(`${prefix} TLS handshake with ${hostPort} failed: ${e.message} (${code})${hint}`, 'tls', shown, undefined, { cause: err });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || e.message === 'socket hang up') {
    return new FetchError(`${prefix} the connection was closed before a complete answer (${code || e.message})`, 'reset', shown, undefined, { cause: err });
  }
  if (code.startsWith('HPE_')) {
    return new FetchError(`${prefix} the answer is not valid HTTP (${code}: ${e.message})`, 'invalid_response', shown, undefined, { cause: err });
  }
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new FetchError(`${prefix} the gzip-encoded body is corrupt (${code})`, 'invalid_response', shown, undefined, { cause: err });
  }
  return new FetchError(`${prefix} ${e.message}${code ? ` (${code})` : ''}`, 'network', shown, undefined, { cause: err });
}

/** The earliest expiry in the presented chain: an intermediate can lapse before the leaf. */
function earliestNotAfter(socket: TLSSocket): number | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  if (!cert || !cert.valid_to) return undefined;
  let earliest = Infinity;
  const seen = new Set<string>();
  while (cert && cert.valid_to && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const t = Date.parse(cert.valid_to);
    if (Number.isFinite(t) && t < earliest) earliest = t;
    cert = cert.issuerCertificate;
  }
  return Number.isFinite(earliest) ? earliest : undefined;
}
