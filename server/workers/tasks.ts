import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import type { CollectorStatus } from '../scheduler/types.js';
import { evaluateWorkload, readHistory, storeSeriesData, type EvaluationSnapshot, type HistoryPoints, type WorkloadEvaluationSpec } from '../evaluation/index.js';
import type { PointAggregation, RangeQuery, RetentionPolicy, Selector, Store } from '../store/index.js';
import { writeSeriesList, writeSeriesQuery } from './series-json.js';
import { BodyBuffer } from './body-buffer.js';

/**
 * The reads the server does off its HTTP thread, as messages: plain data that survives
 * structured cloning, so the same task runs in a read worker (read-worker.ts) or, where no
 * workers run, on the main thread (runReadTask with the writer's store) with the same answer.
 */

/** Content codings a worker applies to a body it built; the route picked one from Accept-Encoding. */
export type BodyEncoding = 'br' | 'gzip' | 'identity';

interface Common {
  /** The server clock's now (ms epoch): the store's raw/rollup choice reads it. */
  now: number;
  /** The retention in force (a reload may change it). */
  retention: RetentionPolicy;
}

export type ReadTask = Common &
  (
    | { kind: 'series'; selector: Selector; limit: number; encoding: BodyEncoding }
    | { kind: 'query'; selector: Selector; range: RangeQuery; aggregation: PointAggregation; limit: number; encoding: BodyEncoding }
    | { kind: 'history'; selector: Selector; range: RangeQuery }
    | { kind: 'evaluate'; spec: WorkloadEvaluationSpec; collectors: CollectorStatus[]; hints: Record<string, string> }
  );

/** A response body built by a task: bytes in `encoding`, and the weak ETag of the identity body. */
export interface BuiltBody {
  body: Uint8Array;
  encoding: BodyEncoding;
  etag: string;
}

/** The answer of a `query` task: the body, or that the selector matches more than `limit` series. */
export type QueryAnswer = BuiltBody | { tooManySeries: true };

export type ReadStore = Pick<Store, 'findSeries' | 'querySeries' | 'rawPoints' | 'rollupHours' | 'firstSampleAt' | 'retentionPolicy'>;

/**
 * Runs one task against `store` (the store's retention and clock are the caller's to set).
 * Bodies are written into `scratch`, the calling thread's reused buffer (a new one when absent).
 */
export function runReadTask(store: ReadStore, task: ReadTask, scratch = new BodyBuffer()): BuiltBody | QueryAnswer | HistoryPoints | EvaluationSnapshot {
  switch (task.kind) {
    case 'series': {
      const found = store.findSeries(task.selector, task.limit + 1);
      const out = scratch.reset();
      writeSeriesList((t) => out.put(t), found.slice(0, task.limit), found.length > task.limit);
      return builtFrom(out.view(), task.encoding);
    }
    case 'query':
      if (store.findSeries(task.selector, task.limit + 1).length > task.limit) return { tooManySeries: true };
      return builtFrom(queryJson(store, task, scratch), task.encoding);
    case 'history':
      return readHistory(store, task.selector, task.range);
    case 'evaluate': {
      const { collectors, hints } = task;
      return evaluateWorkload(task.spec, {
        data: storeSeriesData(store),
        collectors: () => collectors,
        now: task.now,
        missingDataHint: (name) => hints[name] ?? null,
      });
    }
  }
}

/**
 * The `/api/series/query` body for `q` (its series already counted against the limit) as UTF-8
 * JSON written into `scratch` (valid until its next reset). Read workers run it, and the HTTP
 * thread for queries too small to be worth the hop (api/routes/series.ts).
 */
export function queryJson(store: Pick<ReadStore, 'querySeries'>, q: { selector: Selector; range: RangeQuery; aggregation: PointAggregation }, scratch: BodyBuffer): Buffer {
  const result = store.querySeries(q.selector, q.range);
  const r = q.range;
  const out = scratch.reset();
  writeSeriesQuery((t) => out.put(t), { from: r.from, to: r.to, step: r.step, aggregation: q.aggregation }, result);
  return out.view();
}

/**
 * Brotli at quality 1 and gzip at level 1: the cheapest settings, chosen by measured cost
 * (bench/query-path.bench.ts; docs/design.md). On the side-by-side 30-day hourly answer (1.9 MB)
 * gzip(1) takes ~17 ms against gzip(6)'s ~54 ms, br q1 ~11 ms against q4's ~65 ms, for larger
 * bodies (555 KB instead of 466 KB; 414 KB instead of 221 KB) — time a query spends before its
 * first byte goes out, against 1–1.5 ms of transfer at 1 Gbit/s.
 */
export const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
};
export const GZIP_OPTIONS: zlib.ZlibOptions = { level: 1 };

export function built(text: string, encoding: BodyEncoding): BuiltBody {
  return builtFrom(Buffer.from(text, 'utf8'), encoding);
}

/**
 * The body for `identity` (UTF-8 JSON) in `encoding`, with its ETag. The answer never shares
 * memory with `identity` (a reused BodyBuffer's view): it is compressed into, or copied to, new bytes.
 */
export function builtFrom(identity: Buffer, encoding: BodyEncoding): BuiltBody {
  const etag = weakEtag(identity);
  // Below 1 KB compression saves less than its headers cost (the compression middleware's threshold).
  if (encoding === 'identity' || identity.length < 1024) return { body: Buffer.from(identity), encoding: 'identity', etag };
  const body = encoding === 'br' ? zlib.brotliCompressSync(identity, BROTLI_OPTIONS) : zlib.gzipSync(identity, GZIP_OPTIONS);
  return { body, encoding, etag };
}

/** Express's default (weak) ETag of a body, as its `etag` module computes it. */
export function weakEtag(body: Buffer): string {
  if (body.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = crypto.createHash('sha1').update(body).digest('base64').substring(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}
