import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import type { BodyEncoding, BuiltBody } from '../workers/tasks.js';

/**
 * Response compression. Bodies built on a read worker (the series routes) are compressed
 * there, in the coding picked here from Accept-Encoding, so the HTTP thread only sends bytes;
 * every other response goes through the `compression` middleware (zlib streams on libuv's
 * thread pool). Both prefer br (quality 4) to gzip, and leave bodies under 1 KB alone. The
 * event stream is never compressed: a compressor holds events back until its buffer fills.
 */

/** The coding for a body this request accepts: br, else gzip, else none. */
export function bodyEncoding(req: Request): BodyEncoding {
  if (req.acceptsEncodings('br') === 'br') return 'br';
  if (req.acceptsEncodings('gzip') === 'gzip') return 'gzip';
  return 'identity';
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
    filter: (req, res) => {
      if (req.path === '/api/stream') return false;
      const type = res.getHeader('Content-Type');
      if (typeof type === 'string' && type.startsWith('text/event-stream')) return false;
      return compression.filter(req, res);
    },
  });
}
