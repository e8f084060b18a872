/**
 * The Prometheus metrics of a server process (prom-client). One registry per
 * {@link createServerMetrics} call, so several apps in one process (tests) never share counters.
 *
 * Labels come from bounded sets only (conventions §6.8): `pipeline` and `stage` (from pipeline
 * configs), `status` (run status or HTTP status code), `method`, `route` (the route template, never
 * the raw URL; unmatched requests are `(unmatched)`). Never addresses, keys, messages or user values.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { createRunMetricsCollector, type RunMetricsSource } from './metrics-run-collector.js';

/** The metrics a server records, plus the registry that renders them. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Counts a request refused before its handler (auth, rate limit, allowlist), by error code. */
  countRefusal(code: string): void;
  /** Renders the text exposition format (reads new finished runs first). */
  render(): Promise<string>;
}

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /** Where finished runs come from (the control store); absent = no run metrics. */
  readonly runs?: RunMetricsSource;
  /** Also export Node.js process metrics (`process_*`, `nodejs_*`); default true. */
  readonly processMetrics?: boolean;
}

/** Creates the registry with the HTTP metrics and, given `runs`, the pipeline run metrics. */
export function createServerMetrics(opts: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tributary_server_' });
  const requests = new Counter({
    name: 'tributary_http_requests_total', help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'tributary_http_request_duration_seconds', help: 'HTTP request duration (until the response ends; streamed results included).',
    labelNames: ['method', 'route'] as const, buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  const refusals = new Counter({
    name: 'tributary_http_refusals_total', help: 'Requests refused before their handler, by error code.',
    labelNames: ['code'] as const, registers: [registry],
  });
  const collectRuns = opts.runs ? createRunMetricsCollector(registry, opts.runs) : async () => {};
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    countRefusal(code) { refusals.inc({ code }); },
    async render() {
      await collectRuns();
      return registry.metrics();
    },
  };
}

