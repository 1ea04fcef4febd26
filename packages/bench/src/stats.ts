/** Percentiles of a run's samples (nearest rank). */
export interface Spread {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

const rank = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

export const spread = (values: ArrayLike<number>): Spread => {
  const sorted = Float64Array.from(values).sort()
  return { p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), max: rank(sorted, 1) }
}
