import compression from 'compression';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { Request, RequestHandler, Response } from 'express';
import { BROTLI_OPTIONS, builtFrom, GZIP_OPTIONS, weakEtag, type BodyEncoding, type BuiltBody } from '../workers/tasks.js';

/**
 * Response compression. Bodies built on a read worker (the series routes) are compressed
 * there, in the coding picked here from Accept-Encoding, so the HTTP thread only sends bytes;
 * the summary is compressed once per state and coding (routes/evaluation.ts); every other
 * response goes through the `compression` middleware (zlib streams on libuv's thread pool). Both prefer br to gzip, at the cheapest settings (br quality 1, gzip level 1: BROTLI_OPTIONS,
 * GZIP_OPTIONS, chosen by measured cost), and leave bodies under 1 KB alone. The
 * event stream is never compressed: a compressor holds events back until its buffer fills.
 */

/** The coding for a body this request accepts: br, else gzip, else none. */
export function bodyEncoding(req: Request): BodyEncoding {
  if (req.acceptsEncodings('br') === 'br') return 'br';
  if (req.acceptsEncodings('gzip') === 'gzip') return 'gzip';
  return 'identity';
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** `body` in `coding`, compressed on libuv's thread pool with the settings the workers and the middleware use. */
export function compressBody(body: Buffer, coding: 'br' | 'gzip'): Promise<Buffer> {
  return coding === 'br' ? brotli(body, BROTLI_OPTIONS) : gzip(body, GZIP_OPTIONS);
}

/** Above this size a body built on the HTTP thread is compressed on libuv's pool (sync gzip would hold the loop past ~0.5 ms). */
const COMPRESS_HERE_BYTES = 64 * 1024;

/**
 * A body written on the HTTP thread (into a reused BodyBuffer: `identity` is only valid until
 * the next request reuses it), with its ETag: compressed at once when small, else copied and
 * compressed on libuv's thread pool, so the loop is free meanwhile.
 */
export async function builtHere(identity: Buffer, encoding: BodyEncoding): Promise<BuiltBody> {
  if (encoding === 'identity' || identity.length < COMPRESS_HERE_BYTES) return builtFrom(identity, encoding);
  const own = Buffer.from(identity);
  return { body: await compressBody(own, encoding), encoding, etag: weakEtag(own) };
}

/** Sends a worker-built JSON body with its coding and ETag (a matching If-None-Match gets 304). */
export function sendBuilt(res: Response, b: BuiltBody): void {
  res.vary('Accept-Encoding');
  res.set('Content-Type', 'application/json; charset=utf-8');
  res.set('ETag', b.etag);
  if (b.encoding !== 'identity') res.set('Content-Encoding', b.encoding);
  res.send(Buffer.from(b.body.buffer, b.body.byteOffset, b.body.byteLength));
}

/** The compression middleware for everything else; the SSE stream is left alone. */
export function compressResponses(): RequestHandler {
  return compression({
    threshold: 1024,
    level: GZIP_OPTIONS.level,
    brotli: BROTLI_OPTIONS,
    filter: (req, res) => {
      if (req.path === '/api/stream') return false;
      const type = res.getHeader('Content-Type');
      if (typeof type === 'string' && type.startsWith('text/event-stream')) return false;
      return compression.filter(req, res);
    },
  });
}
