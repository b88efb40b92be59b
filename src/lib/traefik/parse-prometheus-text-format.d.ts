/**
 * Types for parse-prometheus-text-format 1.1.1, which ships none: the prom2json-like shape its
 * README documents, as far as traefikctl reads it (src/lib/traefik/metrics-parse.ts).
 */
declare module 'parse-prometheus-text-format' {
  export interface ParsedSample {
    labels?: Record<string, string>;
    /** The sample's value as written (`1027`, `1.4e+06`, `+Inf`, `NaN`). */
    value?: string;
    timestamp_ms?: string;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }

  export interface ParsedFamily {
    name: string;
    help: string;
    /** `COUNTER`, `GAUGE`, `HISTOGRAM`, `SUMMARY` or `UNTYPED`. */
    type: string;
    metrics: ParsedSample[];
  }

  /** Throws `InvalidLineError` ("Encountered invalid line: …") on a line it can't read. */
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
