import type * as Progress from "../Progress.js"

// The progress schema decodes every poll: through `Schema` it costs 9 to 16 times
// `JSON.parse`. Snapshots have one plain shape (strings or nulls in known places), so a
// hand-written check of that shape builds the same classes for a fraction of the cost; any
// value off that shape goes to the schema, whose error says what is wrong.

/** The classes the fast path builds (handed in: an internal imports public modules for types only). */
export interface Classes {
  readonly SessionProgress: typeof Progress.SessionProgress
  readonly StatementProgress: typeof Progress.StatementProgress
}

type Field = string | null

/** A field as the schema reads it: a string, or `null` for `null` or a missing field; else no decoding. */
const field = (value: unknown): Field | undefined =>
  typeof value === "string" ? value : value === null || value === undefined ? null : undefined

/**
 * A decoder that gives what `Schema.decodeUnknownEither(SessionProgress)` gives for a value
 * of the documented shape, and `undefined` for any other value.
 *
 * @internal
 */
export const make = (classes: Classes) => (json: unknown): Progress.SessionProgress | undefined => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined
  const body = json as Record<string, unknown>
  const sessionId = body["session_id"]
  const sessionProgress = body["session_progress"]
  if (typeof sessionId !== "string" || typeof sessionProgress !== "string") return undefined
  const list = body["progress"]
  const statements: Array<Progress.StatementProgress> = []
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) return undefined
    for (const item of list) {
      if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined
      const s = item as Record<string, unknown>
      const identity = field(s["identity_status"])
      const transaction = field(s["transaction_status"])
      const processing = field(s["processing_status"])
      const fraud = field(s["fraud_status"])
      const statementId = field(s["statement_id"])
      const message = field(s["message"])
      const source = field(s["source"])
      if (
        identity === undefined || transaction === undefined || processing === undefined || fraud === undefined ||
        statementId === undefined || message === undefined || source === undefined
      ) return undefined
      statements.push(
        new classes.StatementProgress({
          identity_status: identity,
          transaction_status: transaction,
          processing_status: processing,
          fraud_status: fraud,
          statement_id: statementId,
          message,
          source
        }, true)
      )
    }
  }
  return new classes.SessionProgress(
    { session_id: sessionId, session_progress: sessionProgress, progress: statements },
    true
  )
}
