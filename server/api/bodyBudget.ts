import type { Request } from 'express';
import { Problem } from './problem.js';

/**
 * Memory held by request bodies that are not yet authenticated (webhook deliveries, whose
 * signature can only be checked over the whole body). Without a bound, hundreds of concurrent
 * 5 MB deliveries with bad signatures were buffered whole (RSS 0.3 → 1.6 GB). A budget is
 * shared by all webhook routes of an app: at most `maxConcurrent` bodies are read at once and
 * at most `maxBytes` are held in total; a request beyond either is answered 503 with
 * Retry-After (providers redeliver) and its connection closed, without reading further.
 */
export class BodyBudget {
  private active = 0;
  private bytes = 0;
  /** The most bytes ever held at once: what a test or a benchmark reads to prove the bound. */
  peakBytes = 0;

  constructor(
    readonly maxBytes = 8 * 1024 * 1024,
    readonly maxConcurrent = 16,
  ) {}

  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * Reads the whole body of `req` into memory within the budget and `limitBytes`, or throws a
   * Problem (413 too large, 503 budget exhausted, 400 aborted). Call `release` on the result
   * once the body is no longer needed.
   */
  async read(req: Request, limitBytes: number): Promise<{ body: Buffer; release: () => void }> {
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      throw new Problem(415, 'unsupported-encoding', 'Unsupported content encoding', `Content-Encoding ${encoding} is not accepted; send the body uncompressed`, [
        { name: 'Content-Encoding', in: 'header', message: `${encoding} is not accepted` },
      ]);
    }
    if (this.active >= this.maxConcurrent) throw busy(`${this.maxConcurrent} bodies are being read already`);
    this.active++;
    let held = 0;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.bytes -= held;
      this.active--;
    };
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (held + chunk.length > limitBytes) throw tooLarge(limitBytes);
        if (this.bytes + chunk.length > this.maxBytes) throw busy(`unauthenticated request bodies already hold ${this.bytes} bytes`);
        held += chunk.length;
        this.bytes += chunk.length;
        if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
        chunks.push(chunk);
      }
    } catch (err) {
      release();
      chunks.length = 0;
      if (err instanceof Problem) throw err;
      throw new Problem(400, 'body-aborted', 'Request body incomplete', `the body could not be read: ${(err as Error).message}`);
    }
    return { body: Buffer.concat(chunks, held), release };
  }
}

const tooLarge = (limit: number) =>
  new Problem(413, 'payload-too-large', 'Request body too large', `the body exceeds ${limit} bytes; nothing was stored`);

const busy = (why: string) =>
  new Problem(503, 'busy', 'Too many deliveries at once', `${why}; retry later; nothing was stored`);
