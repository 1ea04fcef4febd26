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

/**
 * The largest PDF an upload takes, in bytes (20 MiB): the `file` part of
 * `POST /statement/upload_session/`, or what its base64 text decodes to. A larger one is
 * answered 413 `PAYLOAD_TOO_LARGE` as soon as it is counted, and not read further.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxUploadBytes = 20_971_520

/**
 * The largest upload request body, in bytes (28 MiB): room for a `maxUploadBytes` PDF sent
 * as base64 text, and the other fields. A `content-length` past it is answered 413 before
 * anything is read; a body without one is counted while it is parsed.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxUploadRequestBytes = 29_360_128

/**
 * The most parts of one upload's `multipart/form-data` body. One more is answered 400
 * naming this limit, and the body is not read further.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxUploadParts = 16

/**
 * The most statements uploaded to one session (accepted ones; refused uploads keep nothing).
 *
 * @since 0.3.0
 * @category limits
 */
export const maxUploadsPerSession = 100

/**
 * The most bytes of uploaded PDFs the simulator keeps, all sessions together (256 MiB). An
 * upload that would go past it is answered 507 naming it; deleting a session frees its PDFs.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxStoredUploadBytes = 268_435_456

/**
 * The longest `link_id`, in characters: the API's own limit (`INVALID_LENGTH` past it).
 *
 * @since 0.3.0
 * @category limits
 */
export const maxLinkIdLength = 500

/**
 * The most months of insights data per account (`insights.months` of a scenario).
 *
 * @since 0.3.0
 * @category limits
 */
export const maxInsightsMonths = 24

/**
 * The most transactions the insights of one session hold, all accounts together. A
 * scenario's `insights.transactions` (per account) is at most this, and when the session's
 * accounts would hold more, each gets an equal share of it.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxTransactionsPerSession = 10_000

/**
 * The largest insights body, in bytes (32 MiB). The other limits keep every insights body
 * under it (the tests check the largest); a body past it would be answered 500 naming it.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxInsightsBytes = 33_554_432
