import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';

/**
 * The wall-screen dashboard: the static build in `web/dist` (see web/build.mjs and
 * docs/dashboard.md).
 *
 * - Files are served from memory, indexed from the build directory, so a request path can
 *   only ever name a file the build wrote (no traversal). The index is rebuilt when
 *   `index.html` changes, so `npm run build` under a running server takes effect.
 * - `/assets/*` names carry a content hash: cached for a year, `immutable`. `index.html` is
 *   `no-cache` (revalidated with its ETag), so a new build reaches every screen on reload.
 * - The build writes a `.gz` beside each compressible file; it is sent when the client
 *   accepts gzip (express has no compression middleware here, and precompressing at build
 *   time costs nothing per request).
 * - Any other GET that is not an API path, `/metrics`, `/healthz`, `/readyz` or a file gets
 *   `index.html`, so a refresh on a drill-down URL (`/pillars/reliability`) works; the
 *   client-side router renders it. A missing `/assets/…` file is a 404, not HTML.
 */

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // The docs copied by web/build.mjs: plain text, which every browser shows rather than downloads.
  '.md': 'text/plain; charset=utf-8',
};
const NOT_SPA = /^\/(api|metrics|healthz|readyz)(\/|$)/;

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
  cacheControl: string;
}

/** Finds the repository root (the directory with package.json and web/) above this module. */
export function defaultWebRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'web'))) return path.join(dir, 'web', 'dist');
    dir = path.dirname(dir);
  }
  return path.resolve('web', 'dist');
}

class StaticIndex {
  private files = new Map<string, StaticFile>();
  private indexMtime = -1;

  constructor(private readonly root: string) {}

  /** The file index, reloaded when index.html changed (or appeared) since the last load. */
  current(): Map<string, StaticFile> | null {
    let mtime: number;
    try {
      mtime = fs.statSync(path.join(this.root, 'index.html')).mtimeMs;
    } catch {
      return null;
    }
    if (mtime !== this.indexMtime) {
      this.files = load(this.root);
      this.indexMtime = mtime;
    }
    return this.files;
  }
}

function load(root: string): Map<string, StaticFile> {
  const out = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const urlPath = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(full, urlPath);
        continue;
      }
      if (!entry.isFile() || entry.name.endsWith('.gz')) continue;
      const body = fs.readFileSync(full);
      const gzPath = `${full}.gz`;
      const ext = path.extname(entry.name);
      out.set(urlPath, {
        body,
        gzip: fs.existsSync(gzPath) ? fs.readFileSync(gzPath) : null,
        type: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
        cacheControl: urlPath === '/index.html' ? 'no-cache' : urlPath.startsWith('/assets/') ? IMMUTABLE : 'public, max-age=86400',
      });
    }
  };
  walk(root, '');
  return out;
}

function acceptsGzip(req: Request): boolean {
  for (const part of (req.get('accept-encoding') ?? '').split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/i.exec(p)).find((m) => m !== null);
    return !q || Number(q[1]) > 0;
  }
  return false;
}

function send(req: Request, res: Response, file: StaticFile): void {
  const gz = file.gzip !== null && acceptsGzip(req);
  // Each encoding is its own representation, so each has its own (strong) validator.
  const etag = gz ? `${file.etag.slice(0, -1)}-gz"` : file.etag;
  res.setHeader('Content-Type', file.type);
  res.setHeader('Cache-Control', file.cacheControl);
  res.setHeader('ETag', etag);
  if (file.gzip) res.setHeader('Vary', 'Accept-Encoding');
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  if (gz) res.setHeader('Content-Encoding', 'gzip');
  const body = gz ? file.gzip! : file.body;
  res.setHeader('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/**
 * `GET /` and every other non-API GET: the dashboard. Keep it last among routes; it passes
 * API paths and missing assets on to the 404 handler.
 */
export function indexRoute(_deps: AppDeps, opts: { webRoot?: string } = {}): Router {
  const r = Router();
  const index = new StaticIndex(opts.webRoot ?? defaultWebRoot());
  r.get('/{*path}', (req, res, next) => {
    if (NOT_SPA.test(req.path)) return next();
    const files = index.current();
    if (!files) {
      res
        .status(503)
        .type('text/plain')
        .setHeader('Cache-Control', 'no-store')
        .send('The Pillarboard dashboard is not built (web/dist/index.html is missing): run `npm run build`.\nThe API answers at /api/summary.\n');
      return;
    }
    let file = files.get(req.path);
    if (file === undefined && req.path.endsWith('/')) file = files.get(`${req.path}index.html`);
    if (file !== undefined) return send(req, res, file);
    if (req.path.startsWith('/assets/') || /\.(js|css|map|svg|png|ico|json|txt|md)$/.test(req.path)) return next();
    send(req, res, files.get('/index.html')!);
  });
  return r;
}
