/**
 * The progress API's response, with its wire names, and what a caller asks of it: is the
 * session complete, which statements failed or are still running, a one-line summary.
 *
 * Decoding is tolerant, as the API evolves: statuses and sources are open sets (known
 * values typed, any other string kept), `null` and a missing field read alike, and unknown
 * extra fields are ignored.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ProgressFast from "./internal/progressFast.js"
import * as WireField from "./internal/wireField.js"

/**
 * A value of an open set: one of the known literals, or any other string the API may add.
 *
 * @since 0.1.0
 * @category models
 */
export type Open<Known extends string> = Known | (string & {})

/**
 * An open set decodes every string (a union of the literals and `String` accepts exactly
 * the same values, but tries every literal first), typed as the known literals or a string.
 */
const { nullable, open } = WireField

/**
 * The status of one processing stage of a statement. The API shows `"completed"`; older
 * revisions also show `"processing"` and `"failed"`; `null` means not started.
 *
 * @since 0.1.0
 * @category models
 */
export type StageStatus = Open<"processing" | "completed" | "failed">

/**
 * @since 0.1.0
 * @category schemas
 */
export const StageStatus: Schema.Schema<StageStatus> = open("processing", "completed", "failed")

/**
 * The session-level status: `"processing"` until every statement is done, then `"completed"`.
 *
 * @since 0.1.0
 * @category models
 */
export type SessionStatus = Open<"processing" | "completed">

/**
 * @since 0.1.0
 * @category schemas
 */
export const SessionStatus: Schema.Schema<SessionStatus> = open("processing", "completed")

/**
 * Where a statement came from: an uploaded PDF, net banking (`online`) or the account
 * aggregator (`aa`).
 *
 * @since 0.1.0
 * @category models
 */
export type Source = Open<"pdf" | "online" | "aa">

/**
 * @since 0.1.0
 * @category schemas
 */
export const Source: Schema.Schema<Source> = open("pdf", "online", "aa")

/**
 * The processing stages of a statement, in the order BankConnect runs them.
 *
 * @since 0.1.0
 * @category constants
 */
export const stages = ["identity_status", "transaction_status", "processing_status", "fraud_status"] as const

/**
 * The name of one processing stage's field.
 *
 * @since 0.1.0
 * @category models
 */
export type Stage = typeof stages[number]

/**
 * The progress of one statement.
 *
 * @since 0.1.0
 * @category schemas
 */
export class StatementProgress extends Schema.Class<StatementProgress>("StatementProgress")({
  /** Extraction of the account holder's identity. */
  identity_status: nullable(StageStatus),
  /** Extraction of the transactions. */
  transaction_status: nullable(StageStatus),
  /** Enrichment of the transactions. */
  processing_status: nullable(StageStatus),
  /** Fraud checks. */
  fraud_status: nullable(StageStatus),
  /** The statement's id (`null` in some responses). */
  statement_id: nullable(Schema.String),
  /** A note from BankConnect, usually why a stage failed; `null` when there is none. */
  message: nullable(Schema.String),
  /** Where the statement came from. */
  source: nullable(Source)
}) {}

/**
 * The progress API's response for a session.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionProgress extends Schema.Class<SessionProgress>("SessionProgress")({
  /** The session's id. */
  session_id: Schema.String,
  /** `"completed"` once every statement is processed, `"processing"` before. */
  session_progress: SessionStatus,
  /** One entry per statement; a missing or `null` list reads as empty. */
  progress: Schema.optionalWith(Schema.Array(StatementProgress), { nullable: true, default: () => [] })
}) {}

/**
 * The most statements a progress snapshot may list: a session holds a few statements, and
 * the client refuses a snapshot listing more (`InvalidResponse`, `reason: "TooLarge"`)
 * before decoding it, so that no answer can hold the process for long.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxStatements = 1000

/**
 * Whether the session is completed: polling ends here.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isComplete = (progress: SessionProgress): boolean => progress.session_progress === "completed"

/**
 * Where a statement stands: `failed` when any stage failed, `completed` when every stage
 * completed, `running` otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "completed" | "failed" | "running"

/**
 * Where a statement stands, from its four stage statuses.
 *
 * @since 0.1.0
 * @category getters
 */
export const outcome = (statement: StatementProgress): Outcome => {
  let completed = 0
  for (const stage of stages) {
    const status = statement[stage]
    if (status === "failed") return "failed"
    if (status === "completed") completed++
  }
  return completed === stages.length ? "completed" : "running"
}

/**
 * The first stage of a statement that is not completed, or `undefined` when all are.
 *
 * @since 0.1.0
 * @category getters
 */
export const currentStage = (statement: StatementProgress): Stage | undefined =>
  stages.find((stage) => statement[stage] !== "completed")

/**
 * The statements with a failed stage.
 *
 * @since 0.1.0
 * @category getters
 */
export const failedStatements = (progress: SessionProgress): ReadonlyArray<StatementProgress> =>
  progress.progress.filter((statement) => outcome(statement) === "failed")

/**
 * The statements still being processed.
 *
 * @since 0.1.0
 * @category getters
 */
export const runningStatements = (progress: SessionProgress): ReadonlyArray<StatementProgress> =>
  progress.progress.filter((statement) => outcome(statement) === "running")

/**
 * The statements whose every stage completed.
 *
 * @since 0.1.0
 * @category getters
 */
export const completedStatements = (progress: SessionProgress): ReadonlyArray<StatementProgress> =>
  progress.progress.filter((statement) => outcome(statement) === "completed")

/**
 * A one-line summary for people, such as
 * `session 4f1c…: processing, 3 statements (1 completed, 1 failed, 1 running)`.
 *
 * @example
 * ```ts
 * import { Progress } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const snapshot = Effect.runSync(Progress.decode({
 *   session_id: "s-1",
 *   session_progress: "processing",
 *   progress: [{ identity_status: "completed", transaction_status: "processing", statement_id: "st-1" }]
 * }))
 *
 * assert.strictEqual(Progress.summary(snapshot), "session s-1: processing, 1 statement (1 running)")
 * assert.strictEqual(Progress.currentStage(snapshot.progress[0]!), "transaction_status")
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const summary = (progress: SessionProgress): string => {
  const counts: Record<Outcome, number> = { completed: 0, failed: 0, running: 0 }
  for (const statement of progress.progress) counts[outcome(statement)]++
  const total = progress.progress.length
  const parts = (["completed", "failed", "running"] as const)
    .filter((key) => counts[key] > 0)
    .map((key) => `${counts[key]} ${key}`)
  const statements = total === 1 ? "1 statement" : `${total} statements`
  const detail = parts.length > 0 ? ` (${parts.join(", ")})` : ""
  return `session ${progress.session_id}: ${progress.session_progress}, ${statements}${detail}`
}

const fast = ProgressFast.make({ SessionProgress, StatementProgress })
const decodeSchema = Schema.decodeUnknownEither(SessionProgress)

/**
 * Decodes a progress response body (already parsed from JSON), synchronously: the
 * documented shape through a hand-written check that builds the same classes (adding a
 * tenth or so to `JSON.parse`'s own time, where the schema alone takes several times it; the
 * performance report has the figures), anything else through the schema, whose error says
 * what is wrong. The client decodes every poll this way.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeEither = (u: unknown): Either.Either<SessionProgress, ParseResult.ParseError> => {
  const quick = fast(u)
  return quick === undefined ? decodeSchema(u) : Either.right(quick)
}

/**
 * Decodes a progress response body (already parsed from JSON), as {@link decodeEither}
 * does, as an Effect.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (u: unknown): Effect.Effect<SessionProgress, ParseResult.ParseError> => decodeEither(u)
