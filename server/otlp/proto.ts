import * as fs from 'node:fs';
import * as path from 'node:path';
import protobuf from 'protobufjs';

/**
 * The OTLP message types, loaded once from the vendored opentelemetry-proto files
 * (vendor/opentelemetry-proto; `npm run build` copies them to dist/vendor/, where the compiled
 * server finds them the same way: the first `vendor/opentelemetry-proto` above this module).
 *
 * Field names are lowerCamelCase (protobufjs's default), which is also the OTLP/JSON mapping,
 * so a protobuf body (`decode`) and a JSON body (`fromObject`) give the same message objects.
 */

const PROTO_DIR = path.join('vendor', 'opentelemetry-proto');
const SERVICE_PROTO = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto';

/**
 * google.rpc.Status, the body of an OTLP/HTTP error (googleapis' google/rpc/status.proto) without
 * its `details` field (3), which this server never sends: the bytes are the same.
 */
const STATUS_PROTO = `syntax = "proto3";
package google.rpc;
message Status { int32 code = 1; string message = 2; }`;

/** The folder holding the vendored protos: the first `vendor/opentelemetry-proto` above `from`. */
export function findProtoDir(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, PROTO_DIR);
    if (fs.existsSync(path.join(candidate, SERVICE_PROTO))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`the OTLP protocol definitions (${PROTO_DIR}/${SERVICE_PROTO}) are not found above ${from}; run \`npm run build\` again`);
}

export interface OtlpTypes {
  request: protobuf.Type;
  response: protobuf.Type;
  status: protobuf.Type;
}

let loaded: OtlpTypes | undefined;

/** The request, response and status types (loaded on first use, then kept: they never change). */
export function otlpTypes(): OtlpTypes {
  if (loaded) return loaded;
  const dir = findProtoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync(SERVICE_PROTO);
  protobuf.parse(STATUS_PROTO, root);
  root.resolveAll();
  loaded = {
    request: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    response: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    status: root.lookupType('google.rpc.Status'),
  };
  return loaded;
}
