/**
 * The simulator's limits, in one place. Anything past one is refused with a message naming
 * it: a scenario or faults value with `ScenarioError` (400 `BAD_REQUEST` over HTTP), a request
 * body with 413 `PAYLOAD_TOO_LARGE`. The logs drop their oldest entries instead. Together
 * they bound the simulator's memory and the size of every answer, whatever it is sent.
 *
 * @since 0.1.0
 */

/**
 * The largest request body the simulator reads, in bytes (1 MiB): the control routes' JSON
 * and `update_webhook`'s. A larger body (by its `content-length`, or counted while it is
 * read when it has none) is answered 413 `PAYLOAD_TOO_LARGE` and not read further.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxBodyBytes = 1_048_576

/**
 * The most sessions the simulator keeps (deleted ones included, as they still answer
 * `SESSION_DELETED`). Creating one more fails until the simulator is restarted.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxSessions = 10_000

/**
 * The most bytes the sessions kept may take, counted as the JSON `GET /__simulator/sessions`
 * answers with (32 MiB). A session that would go past it is refused, so the listing stays
 * small enough to answer whatever was accepted.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxStoredSessionBytes = 33_554_432

/**
 * The most accounts in one scenario.
 *
 * @example
 * ```ts
 * import { Limits, Simulator } from "@effect-bankconnect/simulator"
 * import { Effect } from "effect"
 *
 * const error = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
 *   const sim = yield* Simulator.make()
 *   // one account more than the limit
 *   const accounts = [{}, ...Array.from({ length: Limits.maxAccounts }, () => ({}))] as const
 *   return yield* Effect.flip(sim.createSession({ accounts }))
 * })))
 *
 * assert.match(error.message, /Limits\.maxAccounts/)
 * ```
 *
 * @since 0.1.0
 * @category limits
 */
export const maxAccounts = 100

/**
 * The most statements of one account.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxStatementsPerAccount = 100

/**
 * The most statements of one session, all its accounts together.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxStatementsPerSession = 1_000

/**
 * The longest session id, in characters.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxIdLength = 100

/**
 * The longest bank name, in characters.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxNameLength = 100

/**
 * The longest `errorMessage` of a failed account, in characters.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxMessageLength = 500

/**
 * The most months of a failed account: entries of `months`, keys of `dates`.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxMonths = 60

/**
 * The longest stage, stagger or `earlyMillis`, in milliseconds (one day).
 *
 * @since 0.1.0
 * @category limits
 */
export const maxMillis = 86_400_000

/**
 * The largest added latency of a call, in milliseconds (one minute).
 *
 * @since 0.1.0
 * @category limits
 */
export const maxLatencyMillis = 60_000

/**
 * The most extra copies of a webhook delivery.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxDuplicates = 10

/**
 * The largest `Retry-After` of a 429 fault, in seconds (one hour).
 *
 * @since 0.1.0
 * @category limits
 */
export const maxRetryAfterSeconds = 3_600

/**
 * The longest `webhook_url` that `update_webhook` takes, in characters.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxUrlLength = 2_048

/**
 * How many entries each log (requests, webhook attempts) keeps when the `maxLogEntries`
 * option is not given; the oldest are dropped first.
 *
 * @since 0.1.0
 * @category limits
 */
export const defaultMaxLogEntries = 10_000

/**
 * The most bytes each log keeps, counted as the JSON its control route answers with
 * (32 MiB), whatever `maxLogEntries` allows; the oldest entries are dropped first.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxLogBytes = 33_554_432
