/**
 * The workload file's `otlp:` settings (server/workload/sections/otlp.ts parses them): which
 * resource attributes become labels, and what delta temporality gets. The defaults are what
 * docs/collectors.md, "OTLP metrics", describes.
 */
export interface OtlpSettings {
  /** Every resource attribute becomes a label, except `ignoreResourceAttributes`. */
  promoteAllResourceAttributes: boolean;
  /** With promoteAllResourceAttributes false: only these become labels. */
  promoteResourceAttributes: string[];
  /** With promoteAllResourceAttributes true: these do not (a trailing `*` matches a prefix). */
  ignoreResourceAttributes: string[];
  /** `convert`: delta sums and histograms are accumulated into cumulative ones; `refuse`: their points are refused. */
  deltaTemporality: 'convert' | 'refuse';
}

export const DEFAULT_OTLP_SETTINGS: OtlpSettings = {
  promoteAllResourceAttributes: true,
  promoteResourceAttributes: [],
  ignoreResourceAttributes: ['process.*', 'telemetry.*'],
  deltaTemporality: 'convert',
};

const SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);
const filters = new WeakMap<OtlpSettings, (key: string) => boolean>();

/** Whether a resource attribute is left out of the labels (`service.*` identity always is: it is `job` and `instance`). */
export function skipsResourceAttribute(settings: OtlpSettings): (key: string) => boolean {
  let skip = filters.get(settings);
  if (skip) return skip;
  const matches = (patterns: string[]) => {
    const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
    const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
    return (key: string) => exact.has(key) || prefixes.some((p) => key.startsWith(p));
  };
  const promoted = matches(settings.promoteResourceAttributes);
  const ignored = matches(settings.ignoreResourceAttributes);
  skip = (key) => SERVICE_KEYS.has(key) || (settings.promoteAllResourceAttributes ? ignored(key) : !promoted(key));
  filters.set(settings, skip);
  return skip;
}
