/**
 * A growable byte buffer a thread reuses for every response body it writes. Measured on the
 * side-by-side 30-day × 100-series answer (1.9 MB of JSON, bench/query-path.bench.ts): writing
 * the body's parts into memory the thread already has took ~15 ms where joining them into one
 * string and encoding that into a new Buffer took ~30 ms — a fresh multi-megabyte string or
 * buffer costs its page faults every time, which on this machine outweighs printing the numbers.
 *
 * Contract: `view()` is valid until the next `reset()`; whoever keeps the bytes past that copies
 * them (built() does). Not shared between threads: one per worker, one per main-thread reader.
 */
export class BodyBuffer {
  private buf: Buffer;
  private used = 0;

  constructor(
    private readonly initialBytes = 64 * 1024,
    /** Above this capacity the buffer is given back after the body that needed it (reset()). */
    private readonly keepBytes = 8 * 1024 * 1024,
  ) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Starts a new body; a buffer grown past `keepBytes` by the last one is given back. */
  reset(): this {
    if (this.buf.length > this.keepBytes) this.buf = Buffer.allocUnsafeSlow(this.initialBytes);
    this.used = 0;
    return this;
  }

  /** Appends `s` as UTF-8. */
  put(s: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8; byteLength is only paid when that bound does not fit.
    if (this.used + s.length * 3 > this.buf.length) this.grow(Buffer.byteLength(s, 'utf8'));
    this.used += this.buf.write(s, this.used, "utf8");
  }

  /** The bytes written since reset(), without a copy. */
  view(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  private grow(extra: number): void {
    const need = this.used + extra;
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
