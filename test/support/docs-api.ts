import { buildOpenApi } from '../../server/api/openapi.js';
import type { DocFile } from './markdown.js';

/** JSON in the docs against the OpenAPI document (server/api/openapi.ts) and real answers. */

export type Schema = Record<string, unknown>;
export const OPENAPI = buildOpenApi('docs') as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };

export function resolve(s: Schema): Schema {
  let x = s;
  for (let i = 0; i < 20 && typeof x.$ref === 'string'; i++) x = OPENAPI.components.schemas[(x.$ref as string).split('/').pop()!]!;
  return x;
}

/** Keys of `value` (recursively) that `schema` does not declare; [] when it allows them all. */
export function undeclaredKeys(value: unknown, schema: Schema | undefined, at: string): string[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  const s = resolve(schema);
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts) {
    const results = alts.map((a) => undeclaredKeys(value, a, at));
    return results.find((r) => r.length === 0) ?? results.sort((a, b) => a.length - b.length)[0]!;
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => undeclaredKeys(v, s.items as Schema | undefined, `${at}[${i}]`));
  const props = s.properties as Record<string, Schema> | undefined;
  const extra = s.additionalProperties;
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const child = props?.[k] ?? (extra && typeof extra === 'object' ? (extra as Schema) : undefined);
    if (props && !props[k] && !(extra && typeof extra === 'object')) {
      out.push(`${at}.${k}`);
      continue;
    }
    out.push(...undeclaredKeys(v, child, `${at}.${k}`));
  }
  return out;
}

/** `{ … }` and `[ … ]` placeholders and `//` comments (jsonc) → plain JSON. */
export function jsonOf(body: string): unknown {
  let out = '';
  let str = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (str) {
      out += c;
      if (c === '\\') out += body[++i] ?? '';
      else if (c === '"') str = false;
    } else if (c === '"') {
      str = true;
      out += c;
    } else if (c === '/' && body[i + 1] === '/') {
      while (i < body.length && body[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return JSON.parse(out.replace(/\{\s*…\s*\}/g, '{}').replace(/\[\s*…\s*\]/g, '[]'));
}

/** The route a JSON example documents: the nearest `GET|POST|PUT|PATCH /api/…` above it (same section). */
export function routeAbove(f: { doc: DocFile; line: number }): { method: string; path: string } | 'problem' | null {
  for (let i = f.line - 2; i >= 0; i--) {
    const line = f.doc.lines[i]!;
    if (/problem\+json/.test(line)) return 'problem';
    const m = /\b(GET|POST|PUT|PATCH|DELETE) (\/api\/[\w/{}:.-]*)/.exec(line);
    if (m) return { method: m[1]!.toLowerCase(), path: m[2]!.replace(/:(\w+)/g, '{$1}') };
    if (/^#{1,2} /.test(line)) return null;
  }
  return null;
}

/** OpenAPI path templates as regexes: `/api/reports/{week}` matches `/api/reports/2026-W47.pdf`. */
export const OPENAPI_PATHS = Object.keys(OPENAPI.paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

/**
 * A route as the docs write it → concrete paths and the query parameters named:
 * `GET /api/review/lenses/{lens}[?download]`, `GET /api/reports/2026-W47.json|.md|.html|.pdf`,
 * `POST /api/webhooks/{github,gitlab,pagerduty}`, `GET /api/dora[?service=&window=7d\|30d\|90d]`.
 */
export function docRoute(text: string): { paths: string[]; params: string[] } | null {
  const t = text.replace(/[.,;:]+$/, '');
  if (t.includes('…')) return null;
  const q = t.search(/\[?\?/);
  const pathPart = (q === -1 ? t : t.slice(0, q)).replace(/\[[^\]]*\]/g, '').replace(/\|.*$/, '').replace(/:(\w+)/g, '{$1}');
  const params = q === -1 ? [] : [...t.slice(q).matchAll(/[?&](\w+)/g)].map((m) => m[1]!);
  const brace = /\{([^}]*,[^}]*)\}/.exec(pathPart);
  const paths = brace ? brace[1]!.split(',').map((alt) => pathPart.replace(brace[0], alt)) : [pathPart];
  return { paths, params };
}

export function schemaOf(route: { method: string; path: string }, answer: boolean): Schema | undefined {
  const op = OPENAPI.paths[route.path]?.[route.method];
  if (!op) return undefined;
  if (!answer) return op.requestBody?.content?.['application/json']?.schema;
  const ok = op.responses?.['200'] ?? op.responses?.['201'];
  return ok?.content?.['application/json']?.schema;
}

/** Keys of a documented example missing from a real answer (arrays: some real element must have them). */
export function missingFromReal(doc: unknown, real: unknown, at: string): string[] {
  if (doc === null || typeof doc !== 'object') return [];
  if (Array.isArray(doc)) {
    if (!Array.isArray(real)) return [`${at}: the real answer is not a list`];
    if (doc.length > 0 && real.length === 0) return [`${at}: the real answer has no element to compare with`];
    return doc.flatMap((d, i) => {
      const tries = real.map((r) => missingFromReal(d, r, `${at}[${i}]`));
      return tries.find((t) => t.length === 0) ?? tries.sort((a, b) => a.length - b.length)[0] ?? [];
    });
  }
  if (real === null || typeof real !== 'object' || Array.isArray(real)) return [`${at}: the real answer is not an object`];
  return Object.entries(doc as Record<string, unknown>).flatMap(([k, v]) =>
    k in (real as object) ? missingFromReal(v, (real as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}`],
  );
}

/**
 * Every dotted key path an API answer can have (`workload.detail`, `scopes[].keys`), from the
 * OpenAPI response schemas: a backticked path in the docs may name a field of an answer rather
 * than of the workload file.
 */
export function answerKeyPaths(): Set<string> {
  const out = new Set<string>();
  const walk = (schema: Schema | undefined, prefix: string, depth: number) => {
    if (!schema || depth > 6) return;
    const s = resolve(schema);
    for (const alt of ((s.anyOf ?? s.oneOf ?? []) as Schema[])) walk(alt, prefix, depth + 1);
    if (s.items) walk(s.items as Schema, `${prefix}[]`, depth + 1);
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      walk(v, p, depth + 1);
    }
  };
  for (const ops of Object.values(OPENAPI.paths)) {
    for (const op of Object.values(ops)) {
      for (const r of Object.values((op?.responses ?? {}) as Record<string, any>)) walk(r?.content?.['application/json']?.schema, '', 0);
    }
  }
  for (const schema of Object.values(OPENAPI.components.schemas)) walk(schema, '', 0);
  return out;
}
