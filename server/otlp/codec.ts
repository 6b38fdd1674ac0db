import { OtlpBodyError } from './body.js';
import { otlpTypes } from './proto.js';
import type { ExportRequest } from './types.js';

/** The two OTLP/HTTP encodings: binary protobuf and the OTLP JSON mapping. */
export type OtlpFormat = 'protobuf' | 'json';

/** The encoding a Content-Type names, or undefined for any other type (a 415). */
export function formatOf(contentType: string | undefined): OtlpFormat | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * An ExportMetricsServiceRequest from its bytes. JSON follows the OTLP JSON mapping: lowerCamelCase
 * keys, 64-bit integers as strings or numbers, enums as numbers (names are accepted too), unknown
 * keys ignored. Anything that does not decode is a 400 naming what failed.
 */
export function decodeRequest(body: Buffer, format: OtlpFormat): ExportRequest {
  const { request } = otlpTypes();
  if (format === 'protobuf') {
    try {
      return request.decode(body) as unknown as ExportRequest;
    } catch (err) {
      throw malformed(`the body is not a protobuf ExportMetricsServiceRequest: ${(err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw malformed(`the body is not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('the body must be a JSON object (an ExportMetricsServiceRequest)');
  try {
    return request.fromObject(parsed as Record<string, unknown>) as unknown as ExportRequest;
  } catch (err) {
    // protobufjs names the field: ".opentelemetry.proto.metrics.v1.ResourceMetrics.scopeMetrics: array expected"
    throw malformed(`the body is not an OTLP JSON ExportMetricsServiceRequest: ${(err as Error).message.replace(/^\.opentelemetry\.proto\./, '')}`);
  }
}

const malformed = (message: string) => new OtlpBodyError(400, 'malformed-body', `${message}; nothing was stored`, { name: 'body', in: 'body' });

/** ExportMetricsServiceResponse: empty on full success, partial_success when points were refused. */
export function encodeResponse(format: OtlpFormat, refused: { count: number; message: string } | undefined): Buffer {
  if (format === 'json') {
    const body = refused ? { partialSuccess: { rejectedDataPoints: String(refused.count), errorMessage: refused.message } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  const { response } = otlpTypes();
  const message = refused ? { partialSuccess: { rejectedDataPoints: refused.count, errorMessage: refused.message } } : {};
  return Buffer.from(response.encode(response.fromObject(message)).finish());
}

/** google.rpc.Status as protobuf bytes: the body of an OTLP/HTTP error for a protobuf client. */
export function encodeStatus(code: number, message: string): Buffer {
  const { status } = otlpTypes();
  return Buffer.from(status.encode(status.fromObject({ code, message })).finish());
}

/** The gRPC status code for an HTTP error status, as the OTLP/HTTP spec pairs them. */
export function grpcCode(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return httpStatus >= 500 ? 13 : 2; // INTERNAL : UNKNOWN
  }
}
