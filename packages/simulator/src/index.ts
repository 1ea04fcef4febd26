/**
 * A local BankConnect API for demos, examples, tests and benchmarks.
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
