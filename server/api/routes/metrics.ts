import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { AppDeps } from '../deps.js';
import { CachingRegistry } from '../../telemetry/cachingRegistry.js';

interface Rendered {
  body: Buffer;
  /** Computed once per render by the first response that sends it (false: ETags are off). */
  etag?: string | false;
}

/**
 * The Prometheus scrape endpoint. Values are computed at scrape time (see telemetry/metrics.ts).
 * Scrapes that arrive together share one render: each render starts after every request it
 * answers arrived (see `sharedRender`), so every response still shows the state at or after
 * its scrape — with many scrapers (an HA Prometheus pair, federation, dashboards) the fixed
 * cost of a render (process metrics, ~300 KB of text, its ETag) is paid once per batch.
 */
export function metricsRoute(deps: AppDeps): Router {
  const r = Router();
  const registry = deps.metrics.registry;
  const render = sharedRender(() => renderMetrics(registry));
  r.get('/metrics', async (req, res) => {
    const rendered = await render();
    if (rendered.etag === undefined) {
      // As res.send would compute it for this body, once for every response sharing it.
      const etagFn = req.app.get('etag fn') as ((body: Buffer) => string) | undefined;
      rendered.etag = typeof etagFn === 'function' ? etagFn(rendered.body) : false;
    }
    res.type(registry.contentType);
    if (rendered.etag) res.set('ETag', rendered.etag);
    res.send(rendered.body);
  });
  return r;
}

async function renderMetrics(registry: Registry): Promise<Rendered> {
  // The same text either way; a CachingRegistry hands it over as bytes, reusing cached parts.
  const body = registry instanceof CachingRegistry ? await registry.metricsBuffer() : Buffer.from(await registry.metrics(), 'utf8');
  return { body };
}

/**
 * Shares renders between callers that arrive together, without ever answering a caller with a
 * render that started before it called: callers join the next render not yet started, which
 * starts once the event loop has read the requests pending with it (setImmediate). A caller
 * arriving while a render runs waits for the next one.
 */
export function sharedRender<T>(render: () => Promise<T>): () => Promise<T> {
  let next: Promise<T> | null = null;
  return () => {
    next ??= new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        next = null; // later callers wait for a render that starts after them
        render().then(resolve, reject);
      });
    });
    return next;
  };
}
