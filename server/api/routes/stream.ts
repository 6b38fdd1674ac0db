import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { summaryJson } from './evaluation.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/stream`: Server-Sent Events. Sends the summary at once (`event: summary`), then
 * after every evaluation and every change of the workload file's reload status; a comment line every 15 s keeps proxies from closing the stream.
 * Browsers reconnect by themselves (`retry: 5000`).
 */
export function streamRoute(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/stream', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let id = 0;
    const send = () => {
      let body: string;
      try {
        body = summaryJson(deps);
      } catch (err) {
        res.write(`event: error\ndata: ${JSON.stringify({ detail: (err as Error).message })}\n\n`);
        return;
      }
      res.write(`id: ${++id}\nevent: summary\ndata: ${body}\n\n`);
    };
    res.write('retry: 5000\n\n');
    send();
    const unsubscribe = deps.evaluation.subscribe(send);
    // A refused reload (or the fix after it) changes the summary without an evaluation.
    const unsubscribeWorkload = deps.onWorkloadStatus?.(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeWorkload?.();
    });
  });
  return r;
}
