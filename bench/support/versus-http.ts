/**
 * HTTP for the side-by-side benchmark: GETs on keep-alive connections timed from the request to
 * the last byte on the wire (decompression is the client's work and is not in the time), and a
 * file streamed as a POST body.
 */
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export interface Timed {
  status: number;
  ms: number;
  /** Bytes of the body as sent (compressed when the server compressed it). */
  wireBytes: number;
  /** Content-Encoding the server answered with ('' for none). */
  encoding: string;
  /** The body, decompressed. */
  body(): Buffer;
}

export function timedGet(url: string, acceptEncoding: 'identity' | 'gzip' | 'br' = 'gzip', a: http.Agent = agent): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.get(url, { agent: a, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - t;
        const raw = Buffer.concat(chunks);
        const encoding = String(res.headers['content-encoding'] ?? '');
        resolve({
          status: res.statusCode ?? 0,
          ms,
          wireBytes: raw.length,
          encoding,
          body: () => (encoding === 'gzip' ? zlib.gunzipSync(raw) : encoding === 'br' ? zlib.brotliDecompressSync(raw) : raw),
        });
      });
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`GET ${url}: no answer within 120 s`)));
    req.on('error', reject);
  });
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const r = await timedGet(url, 'identity');
  return { status: r.status, text: r.body().toString('utf8') };
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await timedGet(url, 'gzip');
  const text = r.body().toString('utf8');
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** POSTs a file as the body; resolves with the status and answer once the server has answered. */
export function postFile(url: string, file: string, contentType = 'text/plain'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': fs.statSync(file).size } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).on('error', reject).pipe(req);
  });
}

export async function postEmpty(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
