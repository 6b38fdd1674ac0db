import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);

/** A body this receiver will not read: `status` is the HTTP answer, `field` the header or part at fault. */
export class OtlpBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly slug: string,
    message: string,
    readonly field: { name: string; in: 'header' | 'body' },
  ) {
    super(message);
    this.name = 'OtlpBodyError';
  }
}

export interface BodyCaps {
  /** Bytes as received (compressed, when the body is). */
  received: number;
  /** Bytes once decompressed: what a gzip bomb is cut at. */
  decoded: number;
}

/** 4 MiB on the wire, 16 MiB decompressed: an SDK's export of 100,000 points is well under both. */
export const DEFAULT_BODY_CAPS: BodyCaps = { received: 4 * 1024 * 1024, decoded: 16 * 1024 * 1024 };

/**
 * The request body, decompressed (`Content-Encoding: gzip` or none). Reading stops at
 * `caps.received` bytes and decompression at `caps.decoded` (zlib's maxOutputLength: the output is
 * cut as it grows, never held whole), each a 413. When reading stops early the request stream is
 * paused, not destroyed, so the 413 still reaches the client; answer with `Connection: close`.
 */
export async function readOtlpBody(req: IncomingMessage, caps: BodyCaps = DEFAULT_BODY_CAPS): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new OtlpBodyError(415, 'unsupported-encoding', `Content-Encoding ${encoding} is not accepted; send gzip or no encoding`, { name: 'Content-Encoding', in: 'header' });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > caps.received) throw tooLarge(`the body is ${declared} bytes, the limit is ${caps.received}`);
  const raw = await readCapped(req, caps.received);
  if (encoding === 'identity') {
    if (raw.length > caps.decoded) throw tooLarge(`the body is ${raw.length} bytes, the limit is ${caps.decoded}`);
    return raw;
  }
  try {
    return await gunzip(raw, { maxOutputLength: caps.decoded });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw tooLarge(`the body decompresses to more than ${caps.decoded} bytes`);
    }
    throw new OtlpBodyError(400, 'malformed-body', `the body is not valid gzip: ${e.message}`, { name: 'body', in: 'body' });
  }
}

const tooLarge = (why: string) => new OtlpBodyError(413, 'payload-too-large', `${why}; nothing was stored`, { name: 'body', in: 'body' });

function readCapped(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let held = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      held += chunk.length;
      if (held > cap) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(tooLarge(`the body exceeds ${cap} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, held));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new OtlpBodyError(400, 'body-aborted', `the body could not be read: ${err.message}`, { name: 'body', in: 'body' }));
    };
    const onAborted = () => onError(new Error('the client closed the connection'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
