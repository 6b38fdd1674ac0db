/** Canned bodies for local test targets. */

export const SMALL_EXPOSITION = [
  '# HELP app_requests_total Requests served.',
  '# TYPE app_requests_total counter',
  'app_requests_total{code="200"} 1027',
  'app_requests_total{code="500"} 3',
  '# HELP app_up Whether the app is up.',
  '# TYPE app_up gauge',
  'app_up 1',
  '',
].join('\n');

/** A histogram and a summary, for the node_exporter textfile collector and local targets. */
export const HISTOGRAM_TEXTFILE = [
  '# HELP test_request_duration_seconds Request latency.',
  '# TYPE test_request_duration_seconds histogram',
  'test_request_duration_seconds_bucket{handler="/",le="0.1"} 3',
  'test_request_duration_seconds_bucket{handler="/",le="0.5"} 7',
  'test_request_duration_seconds_bucket{handler="/",le="+Inf"} 9',
  'test_request_duration_seconds_sum{handler="/"} 2.5',
  'test_request_duration_seconds_count{handler="/"} 9',
  '# HELP test_queue_size Items in the queue, by queue.',
  '# TYPE test_queue_size gauge',
  'test_queue_size{queue="email"} 4',
  'test_queue_size{queue="sms"} 0',
  'test_queue_size{queue="push"} 12',
  '',
].join('\n');

export const PROMETHEUS_VECTOR_ANSWER = {
  status: 'success',
  data: {
    resultType: 'vector',
    result: [{ metric: { __name__: 'up', job: 'app', instance: '127.0.0.1:1' }, value: [1700000000, '1'] }],
  },
};
