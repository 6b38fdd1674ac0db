import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES, type TlsOptions } from './http-client.js';
import { compilePattern, patternProblem, type Pattern } from './pattern.js';

/**
 * Config building blocks shared by the HTTP-based collectors, so `auth`, `headers`,
 * `tls` and `max_body_bytes` mean the same thing in every type. Defaults live here,
 * beside the schema that documents them.
 */

/** True for an absolute http:// or https:// URL with a host: never javascript:, data: or file:. */
export function isHttpUrl(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 2048) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const httpUrl = z.string().refine(isHttpUrl, { error: 'must be an absolute http:// or https:// URL (at most 2048 characters)' });

export const authSchema = z
  .strictObject({
    basic: z.strictObject({ username: z.string(), password: z.string() }).optional(),
    bearer: z.string().min(1).optional(),
  })
  .refine((a) => !(a.basic && a.bearer), { error: 'give auth.basic or auth.bearer, not both' })
  .describe('{ basic: { username, password } } or { bearer: token }; sent only to the configured origin.');

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const headersSchema = z.record(
  z.string().regex(HEADER_NAME, { error: 'is not a valid HTTP header name' }),
  z.string().refine((v) => !/[\r\n]/.test(v), { error: 'header values cannot contain line breaks' }),
).describe('Extra request headers, name: value.');

export const tlsSchema = z
  .strictObject({
    /** PEM text of CA certificates to trust in addition to the system's. */
    ca: z
      .string()
      .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), {
        error: 'must be PEM text (-----BEGIN CERTIFICATE-----…); to read a file, use tls.ca_file',
      })
      .optional(),
    /** Path of a PEM file of CA certificates, read at every run (so a rotated CA is picked up). */
    ca_file: z.string().min(1).optional(),
    insecure_skip_verify: z.boolean().default(false),
    server_name: z.string().min(1).optional(),
  })
  .refine((t) => !(t.ca && t.ca_file), { error: 'give tls.ca or tls.ca_file, not both' })
  .describe('{ ca?: PEM text, ca_file?: path, insecure_skip_verify?: false, server_name? } for https targets.');

export type TlsConfig = z.output<typeof tlsSchema>;

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i;

/** Bytes as a positive integer or a string such as "512KiB", "10MiB", "1MB". */
export const byteSize = z
  .union([z.number().int().positive(), z.string().regex(SIZE)], {
    error: 'must be a positive number of bytes or a size such as "10MiB"',
  })
  .describe('Largest response body read, in bytes or as "10MiB"; a larger one fails the run. Default 10 MiB.');

export function toBytes(v: number | string | undefined, fallback = DEFAULT_MAX_BODY_BYTES): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v);
  if (!m) throw new Error(`invalid size "${v}"`);
  return Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
}

/** A regular expression in RE2 syntax (see pattern.ts), checked at load time so a typo is a config error. */
export const regexSource = z.string().superRefine((s, ctx) => {
  const problem = patternProblem(s, { anchored: false });
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Fully anchored, as Prometheus anchors relabel and matcher regexes; linear-time (RE2). */
export function anchored(source: string): Pattern {
  return compilePattern(source, { anchored: true });
}

/**
 * A union chosen by the input's shape, so errors point inside the chosen branch
 * (`targets.0.url`) instead of zod's generic "Invalid input" for a whole union.
 */
export function byShape<A extends z.ZodType, B extends z.ZodType>(
  isA: (v: unknown) => boolean,
  a: A,
  b: B,
): z.ZodType<z.output<A> | z.output<B>, z.input<A> | z.input<B>> {
  return z.any().transform((v, ctx) => {
    const r = (isA(v) ? a : b).safeParse(v);
    if (r.success) return r.data as z.output<A> | z.output<B>;
    for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<A> | z.output<B>, z.input<A> | z.input<B>>;
}

/** Turns the config's `tls` into client options, reading `ca_file` now (at run time). */
export async function resolveTls(tls: TlsConfig | undefined): Promise<TlsOptions | undefined> {
  if (!tls) return undefined;
  let ca = tls.ca;
  if (tls.ca_file) {
    try {
      ca = await readFile(tls.ca_file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read tls.ca_file ${tls.ca_file}: ${(err as Error).message}`);
    }
  }
  return { ca, insecureSkipVerify: tls.insecure_skip_verify, serverName: tls.server_name };
}
