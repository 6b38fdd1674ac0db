export { OtlpReceiver, TooManyPointsError, NewSeriesLimitError, DEFAULT_OTLP_LIMITS, type OtlpLimits, type OtlpSampleStore, type IngestResult, type OtlpStats } from './ingest.js';
export { registerOtlpMetrics } from './metrics.js';
export { sqliteOtlpStore } from './sqliteStore.js';
export { readOtlpBody, OtlpBodyError, DEFAULT_BODY_CAPS, type BodyCaps } from './body.js';
export { decodeRequest, encodeResponse, encodeStatus, formatOf, grpcCode, type OtlpFormat } from './codec.js';
export { metricName, labelName } from './naming.js';
export { STALE_NAN } from './translate.js';
export { DEFAULT_OTLP_SETTINGS, type OtlpSettings } from './settings.js';
