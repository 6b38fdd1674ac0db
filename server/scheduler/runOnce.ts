import { trace, SpanStatusCode } from '@opentelemetry/api';
import {
  PartialCollectError, type CollectorDefinition, type LimitName, type Logger, type OperationalEvent, type Sample,
} from '../../collectors/types.js';
import { eventFault } from '../../collectors/event-shape.js';
import type { CollectorResources } from '../../collectors/resources.js';
import type { ScheduledCollector } from './types.js';
import { timeoutSignal, type Clock } from '../clock.js';

export interface RunOutcome {
  startedAt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  samples: Sample[];
  /** Operational events the collector returned, minus malformed ones (each dropped with a warning). */
  events: OperationalEvent[];
  warnings: string[];
  /** True when the run ended because its timeout fired (or the server shut down). */
  aborted: boolean;
  /** The limit the run exceeded; it then failed and carries no samples or events. */
  limit?: LimitName;
}

const tracer = trace.getTracer('pillarboard.scheduler');

/**
 * Runs one collector once, bounded by its timeout.
 *
 * The collector gets an AbortSignal that fires at the timeout or when `parent` aborts.
 * The run ends at that moment even if the collector ignores the signal: its promise is
 * abandoned and whatever it resolves to later is discarded, so a hung collector can
 * never hold the scheduler or the shutdown.
 */
export async function runCollectorOnce(
  def: CollectorDefinition<unknown>,
  entry: ScheduledCollector,
  opts: {
    parent?: AbortSignal;
    clock: Clock;
    log: Logger;
    /** Kept between runs (connection pools); the caller closes it when the collector goes. */
    resources?: CollectorResources;
    /** Start time of the collector's last successful run (ms epoch). */
    lastSuccessAt?: number;
  },
): Promise<RunOutcome> {
  const { clock } = opts;
  const startedAt = clock.now();
  const elapsed = () => Math.max(0, clock.now() - startedAt);
  const { signal: timeout, cancel: cancelTimeout } = timeoutSignal(clock, entry.timeoutMs);
  const signal = opts.parent ? AbortSignal.any([timeout, opts.parent]) : timeout;

  return tracer.startActiveSpan(
    `collector ${entry.id}`,
    { attributes: { 'pillarboard.collector.id': entry.id, 'pillarboard.collector.type': entry.type } },
    async (span) => {
      let outcome: RunOutcome;
      try {
        const result = await raceAbort(
          def.collect(entry.config, {
            signal,
            now: new Date(startedAt),
            log: opts.log.child({ collector: entry.id }),
            collectorId: entry.id,
            ...(opts.resources ? { resources: opts.resources } : {}),
            ...(opts.lastSuccessAt !== undefined ? { lastSuccess: new Date(opts.lastSuccessAt) } : {}),
          }),
          signal,
          () =>
            timeout.aborted
              ? `collector ${entry.id} timed out after ${entry.timeoutMs} ms`
              : `collector ${entry.id} aborted: server shutting down`,
        );
        const samples = withLabels(validSamples(result.samples, entry.id), entry.id, entry.labels);
        const warnings = [...(result.warnings ?? [])];
        outcome = {
          startedAt,
          durationMs: elapsed(),
          ok: true,
          samples,
          events: validEvents(result.events, warnings),
          warnings,
          aborted: false,
        };
      } catch (err) {
        // A partial failure (one query of several rejected) still stores what did arrive;
        // the run counts as failed, so the error is visible and staleness rules apply.
        const partial = err instanceof PartialCollectError && !signal.aborted ? err.partial : undefined;
        const warnings = [...(partial?.warnings ?? [])];
        outcome = {
          startedAt,
          durationMs: elapsed(),
          ok: false,
          error: errorMessage(err),
          samples: partial ? withLabels(validSamples(partial.samples, entry.id), entry.id, entry.labels) : [],
          events: validEvents(partial?.events, warnings),
          warnings,
          aborted: signal.aborted,
        };
      }
      cancelTimeout();
      outcome = withinLimits(outcome, entry);
      span.setAttribute('pillarboard.collector.samples', outcome.samples.length);
      if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
      span.end();
      return outcome;
    },
  );
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(reason()));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(reason()));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        // A rejection caused by our own abort reads better as the timeout message.
        reject(signal.aborted ? new Error(reason()) : e);
      },
    );
  });
}

/**
 * Prometheus's scrape limits, applied alike to every collector type: a run over a limit fails
 * with an error naming the limit and stores nothing (no samples, no events), so one bad target
 * cannot flood the database or stall the process writing it. Checked on the labels as stored
 * (with `collector` and the configured labels).
 */
export function withinLimits(outcome: RunOutcome, entry: ScheduledCollector): RunOutcome {
  const limits = entry.limits;
  if (!limits) return outcome;
  const refuse = (limit: LimitName, error: string): RunOutcome => ({ ...outcome, ok: false, error, samples: [], events: [], limit });
  const { samples } = outcome;
  if (limits.samples > 0 && samples.length > limits.samples) {
    return refuse('sample_limit', `sample_limit exceeded: the run returned ${samples.length} samples, the limit is ${limits.samples}; nothing was stored`);
  }
  if (limits.labels === 0 && limits.labelValueLength === 0) return outcome;
  for (const s of samples) {
    let n = 0;
    for (const name in s.labels) {
      n++;
      const value = s.labels[name]!;
      if (limits.labelValueLength > 0 && value.length > limits.labelValueLength) {
        return refuse(
          'label_value_length_limit',
          `label_value_length_limit exceeded: ${s.name} label ${name} is ${value.length} characters long, the limit is ${limits.labelValueLength}; nothing was stored`,
        );
      }
    }
    if (limits.labels > 0 && n > limits.labels) {
      return refuse('label_limit', `label_limit exceeded: ${s.name} has ${n} labels, the limit is ${limits.labels}; nothing was stored`);
    }
  }
  return outcome;
}

/**
 * A collector's samples as the store receives them from a run: malformed ones dropped, the
 * collector's labels and `collector="<id>"` added. Backfill stores its chunks through this too,
 * so history and live collection carry the same series.
 */
export function storedSamples(samples: Sample[], entry: Pick<ScheduledCollector, 'id' | 'labels'>): Sample[] {
  return withLabels(validSamples(samples, entry.id), entry.id, entry.labels);
}

/** Drops samples a collector should never have returned, rather than failing the whole run on one. */
function validSamples(samples: Sample[], collectorId: string): Sample[] {
  if (!Array.isArray(samples)) throw new Error(`collector ${collectorId} returned no sample list`);
  return samples.filter(
    (s) => typeof s.name === 'string' && s.name !== '' && typeof s.value === 'number' && Number.isFinite(s.ts),
  );
}

/** Drops events that could not be stored (one bad event must not lose the run), noting each in `warnings`. */
function validEvents(events: OperationalEvent[] | undefined, warnings: string[]): OperationalEvent[] {
  if (!Array.isArray(events)) return [];
  return events.filter((e, i) => {
    const fault = eventFault(e);
    if (fault) warnings.push(`event ${i} dropped: ${fault.field}: ${fault.reason}`);
    return !fault;
  });
}

/**
 * Every stored sample carries `collector="<id>"` (as Prometheus adds `job`), so an indicator
 * can tell which collector feeds it and go stale when that collector fails. The collector's
 * configured labels come next; a sample's own labels win over configured ones, and a sample
 * label named `collector` is kept as `exported_collector`, as Prometheus does on conflicts.
 */
function withLabels(samples: Sample[], collectorId: string, labels: Record<string, string>): Sample[] {
  // Points of one series usually share one labels object (a matrix result, a backfill chunk):
  // build its stored labels once.
  const built = new Map<Record<string, string>, Record<string, string>>();
  return samples.map((s) => {
    const own = s.labels ?? {};
    let out = built.get(own);
    if (!out) {
      out = { ...labels, ...own, collector: collectorId };
      if (own.collector !== undefined && own.collector !== collectorId) out.exported_collector = own.collector;
      built.set(own, out);
    }
    return { name: s.name, labels: out, ts: s.ts, value: s.value };
  });
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const causeMsg = cause instanceof Error && !err.message.includes(cause.message) ? `: ${cause.message}` : '';
    return err.message + causeMsg;
  }
  return String(err);
}
