/**
 * The decoded OTLP messages as this module reads them: protobufjs message objects (from a
 * protobuf body or from the JSON mapping), lowerCamelCase fields, 64-bit integers as Long (or
 * number/string), `value`/`data` naming the member of a oneof that is set.
 */

/** A 64-bit integer as protobufjs gives it. */
export type Int64 = number | string | { toNumber(): number };

export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

export interface AnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array;
}

interface PointBase {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  flags?: number;
}

export interface NumberDataPoint extends PointBase {
  value?: 'asDouble' | 'asInt';
  asDouble?: number;
  asInt?: Int64;
}

export interface HistogramDataPoint extends PointBase {
  count?: Int64;
  sum?: number | null;
  bucketCounts?: Int64[] | null;
  explicitBounds?: number[] | null;
}

export interface SummaryDataPoint extends PointBase {
  count?: Int64;
  sum?: number;
  quantileValues?: Array<{ quantile?: number; value?: number }> | null;
}

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type Temporality = number;

export interface Metric {
  name?: string;
  unit?: string;
  data?: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: { dataPoints?: NumberDataPoint[] | null; aggregationTemporality?: Temporality; isMonotonic?: boolean } | null;
  histogram?: { dataPoints?: HistogramDataPoint[] | null; aggregationTemporality?: Temporality } | null;
  exponentialHistogram?: { dataPoints?: unknown[] | null } | null;
  summary?: { dataPoints?: SummaryDataPoint[] | null } | null;
}

export interface ExportRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] | null } | null;
    scopeMetrics?: Array<{ metrics?: Metric[] | null }> | null;
  }> | null;
}

export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;
/** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: the series has no value now (stale). */
export const FLAG_NO_RECORDED_VALUE = 1;
