import { PassThrough } from 'node:stream';

/** Stand-ins for a command's stdout and stderr that keep what was written, as text. */
export function captureIo() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { io: { out, err }, out: () => o, err: () => e };
}
