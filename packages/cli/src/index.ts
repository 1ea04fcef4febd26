/**
 * `bankconnect`: FinBox BankConnect from the command line, on Effect 3.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-bankconnect/cli"
 *
 * // the command tree (for embedding), its runner and its exit codes
 * assert.strictEqual(typeof Cli.run, "function")
 * assert.deepStrictEqual([Cli.exitCodes.success, Cli.exitCodes.failure, Cli.exitCodes.usage], [0, 1, 2])
 * assert.strictEqual(Cli.exitCodes.accountFailed, 3)
 * ```
 *
 * @since 0.3.0
 */

/**
 * The command tree, `run` and the exit codes.
 *
 * @since 0.3.0
 */
export * as Cli from "./Cli.js"
