import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { contractViolations } from './api-contract.js';

/**
 * An HTTP handler around an app that checks every answer it sends against the OpenAPI document
 * (test/support/api-contract.ts), for servers that a browser or a client other than supertest
 * talks to (the dashboard tests). Departures are collected, not thrown: the server keeps
 * serving, and the test's teardown fails on them (`assertNone`).
 */
export function recordContract(app: http.RequestListener): { handler: http.RequestListener; violations: string[]; assertNone(): void } {
  const violations: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => {
      const contentType = res.getHeader('content-type')?.toString();
      const streaming = contentType?.startsWith('text/event-stream') ?? false;
      const binary = contentType?.startsWith('application/pdf') ?? false;
      let text: string | undefined;
      const body = Buffer.concat(chunks);
      const what = `${req.method} ${req.url} → ${res.statusCode}`;
      if (!streaming && !binary && req.method !== 'HEAD') {
        try {
          // A 304 keeps the headers of the representation, Content-Encoding included, and has no body.
          text = body.length === 0 ? '' : decode(body, res.getHeader('content-encoding')?.toString());
        } catch (err) {
          violations.push(`${what}: the body does not decode as its Content-Encoding says (${(err as Error).message})`);
          return;
        }
      }
      violations.push(...contractViolations({ method: req.method ?? 'GET', url: req.url ?? '/', status: res.statusCode, contentType, text }));
    });
    app(req, res);
  };
  return {
    handler,
    violations,
    assertNone() {
      const unique = [...new Set(violations)];
      if (unique.length) throw new Error(`${unique.length} answers departed from the OpenAPI document:\n  ${unique.slice(0, 20).join('\n  ')}`);
    },
  };
}

function decode(body: Buffer, encoding: string | undefined): string {
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString('utf8');
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(body).toString('utf8');
  return body.toString('utf8');
}
