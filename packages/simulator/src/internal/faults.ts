import type * as Scenario from "../Scenario.js"

/**
 * A fault a call meets.
 *
 * @internal
 */
export type Kind = "drop" | "error" | "rateLimit" | "nonJson"

/**
 * What a call meets: an added latency, and a fault or none.
 *
 * @internal
 */
export interface Draw {
  readonly latencyMillis: number
  readonly kind: Kind | undefined
  /** The status of an `error` fault. */
  readonly status: number
}

const errorStatuses = [500, 502, 503, 504] as const

/**
 * Draws the latency and the fault of one call from `random` (uniform in [0, 1)).
 *
 * @internal
 */
export const draw = (faults: Scenario.Faults, random: () => number): Draw => {
  const [min, max] = faults.latencyMillis
  const latencyMillis = max > min ? Math.round(min + random() * (max - min)) : min
  const roll = random()
  let edge = 0
  let kind: Kind | undefined
  for (
    const [name, rate] of [
      ["drop", faults.dropRate],
      ["error", faults.errorRate],
      ["rateLimit", faults.rateLimitRate],
      ["nonJson", faults.nonJsonRate]
    ] as const
  ) {
    edge += rate
    if (kind === undefined && roll < edge) kind = name
  }
  const status = errorStatuses[Math.floor(random() * errorStatuses.length)] ?? 503
  return { latencyMillis, kind, status }
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same faults.
 *
 * @internal
 */
export const seededRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
