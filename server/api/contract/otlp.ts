import { z } from 'zod';
import { int, ProblemSchema, PROBLEM_TYPE, route, type ResponseSpec, type RouteSpec } from './route.js';

/** An OTLP error as problem+json: RFC 9457 members plus google.rpc.Status's `code` and `message` (routes/otlp.ts). */
export const OtlpProblemSchema = ProblemSchema.extend({
  code: int().describe('The gRPC status code (google.rpc.Status.code): 3 invalid argument, 7 permission denied, 8 resource exhausted, 14 unavailable, 16 unauthenticated'),
  message: z.string().describe('google.rpc.Status.message: the same text as `detail`'),
});

export const OtlpResponseSchema = z
  .object({
    partialSuccess: z
      .object({
        rejectedDataPoints: z.string().describe('Data points refused (an int64, as a string per the OTLP JSON mapping)'),
        errorMessage: z.string().describe('Why, with how many points each reason refused'),
      })
      .optional()
      .describe('Present when some points were refused; the others are stored'),
  })
  .describe('ExportMetricsServiceResponse (OTLP JSON mapping); empty when every point was stored');

const otlpProblem = (description: string): ResponseSpec => ({
  description: `${description} A protobuf request gets a protobuf google.rpc.Status (application/x-protobuf) instead, as OTLP/HTTP asks.`,
  content: { [PROBLEM_TYPE]: OtlpProblemSchema },
});

const binary = () => z.string().meta({ format: 'binary' });

export const otlpRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/v1/metrics',
    summary:
      'OTLP/HTTP metrics in: an ExportMetricsServiceRequest as protobuf or OTLP JSON, optionally gzip (Content-Encoding). Sums, gauges, histograms and summaries become series named as Prometheus names them (docs/collectors.md, "OTLP metrics"). Needs write scope.',
    tag: 'otlp',
    scope: 'write',
    body: {
      required: true,
      content: { 'application/x-protobuf': binary(), 'application/json': z.record(z.string(), z.unknown()) },
      parsedBy: 'route',
    },
    responses: {
      200: {
        description: 'Stored; `partialSuccess` says how many points were refused and why. In the request\'s encoding.',
        content: { 'application/x-protobuf': binary(), 'application/json': OtlpResponseSchema },
      },
      400: otlpProblem('The body does not decode (not protobuf, not OTLP JSON, not gzip); nothing stored.'),
      401: otlpProblem('A write token is needed, or the token given is malformed, unknown or revoked.'),
      403: otlpProblem('The token lacks write scope.'),
      413: otlpProblem('The body is over 4 MiB as sent or 16 MiB decompressed, or carries more than 100,000 data points; nothing stored.'),
      415: otlpProblem('Content-Type is not application/x-protobuf or application/json, or Content-Encoding is not gzip.'),
      503: otlpProblem('8 exports are being read or stored already, the receiver is not wired, or the database cannot be written now (Retry-After).'),
    },
  }),
];
