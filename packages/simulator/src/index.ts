/**
 * A local BankConnect API for demos, examples, tests and benchmarks.
 *
 * @example
 * ```ts
 * import { Simulator } from "@effect-bankconnect/simulator"
 * import { Effect } from "effect"
 *
 * const baseUrl = await Effect.runPromise(Effect.scoped(Effect.map(Simulator.make(), (sim) => sim.baseUrl)))
 *
 * assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/bank-connect$/)
 * ```
 *
 * @since 0.1.0
 */

/**
 * The simulator service: start it, script sessions, read its logs.
 *
 * @since 0.1.0
 */
export * as Simulator from "./Simulator.js"

/**
 * The scripts of simulated sessions.
 *
 * @since 0.1.0
 */
export * as Scenario from "./Scenario.js"

/**
 * The simulator's limits: request bodies, scenario sizes, sessions kept, logs.
 *
 * @since 0.1.0
 */
export * as Limits from "./Limits.js"

/**
 * The simulator for async/await code: `start` and Promises.
 *
 * @since 0.3.0
 */
export * as AsyncSimulator from "./AsyncSimulator.js"
