// Small statistics for the benchmarks: nearest-rank percentiles, medians, rounding.

/** Nearest-rank percentile (p in 0..1) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface Distribution {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(samples: readonly number[], digits = 3): Distribution {
  return {
    n: samples.length,
    min: round(Math.min(...samples), digits),
    p50: round(percentile(samples, 0.5), digits),
    p90: round(percentile(samples, 0.9), digits),
    p99: round(percentile(samples, 0.99), digits),
    max: round(Math.max(...samples), digits),
    mean: round(mean(samples), digits),
  };
}

/** min / median / max, for small per-item counts (events per case, bytes per case). */
export function spread(samples: readonly number[], digits = 1): { min: number; median: number; max: number; mean: number } {
  return {
    min: round(Math.min(...samples), digits),
    median: round(median(samples), digits),
    max: round(Math.max(...samples), digits),
    mean: round(mean(samples), digits),
  };
}
