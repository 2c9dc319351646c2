/** Order statistics of one measure's samples; the suite reports medians with their range. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}

/** Median, min and max of the samples; the median of an even count is the mean of the middle two. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("summarize: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, count: sorted.length };
}

/** How many times the baseline's median a way's median is; undefined when the baseline is zero. */
export function ratio(way: Summary, baseline: Summary): number | undefined {
  if (baseline.median === 0) return undefined;
  return way.median / baseline.median;
}
