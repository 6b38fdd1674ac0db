import type { StoredEvent } from './types.js';

/** A marker on a time chart: an instant (deployment) or a band (incident from start to end). */
export interface Annotation {
  time: string;
  /** The end of a band; absent for instants and for ongoing incidents. */
  timeEnd?: string;
  kind: StoredEvent['kind'];
  title: string;
  service: string | null;
  /** Where a person reads more (the pipeline run, the incident page), or null. */
  link: string | null;
  status: string | null;
  environment: string | null;
  source: string;
  id: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Pure: the annotation for one stored event, with a title made up when the event has none. */
export function annotationOf(e: StoredEvent): Annotation {
  const url = e.attrs?.url;
  const a: Annotation = {
    time: iso(e.startedAt),
    kind: e.kind,
    title: e.title ?? defaultTitle(e),
    service: e.service ?? null,
    link: typeof url === 'string' ? url : null,
    status: e.status ?? null,
    environment: e.environment ?? null,
    source: e.source,
    id: e.externalId,
  };
  if (e.endedAt !== undefined && e.endedAt > e.startedAt) a.timeEnd = iso(e.endedAt);
  return a;
}

function defaultTitle(e: StoredEvent): string {
  const where = [e.service, e.environment && `(${e.environment})`].filter(Boolean).join(' ');
  const what = { deployment: 'Deployment', change: 'Change', incident: 'Incident', gameday: 'Game day', review: 'Review', action_item: 'Action item' }[e.kind];
  return where ? `${what}: ${where}` : what;
}
