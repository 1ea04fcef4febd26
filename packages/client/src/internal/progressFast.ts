import type * as Progress from "../Progress.js"

// The progress schema decodes every poll: through `Schema` it costs 9 to 16 times
// `JSON.parse`. Snapshots have one plain shape (strings or nulls in known places), so a
// hand-written check of that shape builds the same classes for a fraction of the cost; any
// value off that shape goes to the schema, whose error says what is wrong.
//
// The instances are built behind the classes' prototypes rather than through their
// constructors: a `Schema.Class` constructor, even with validation off, copies its argument,
// looks for defaults over every field and assigns the copy (about 0.4 µs a statement, most of
// what decoding cost beyond `JSON.parse`), where setting the fields on an object of the
// class's prototype takes a few nanoseconds. What results is what the constructor makes: the
// same prototype (so `instanceof`, `constructor`, `Equal`, `Hash` and `toString` are the
// class's), the same own enumerable fields in the same order, and nothing else (the classes
// have no instance fields and no checks of their own; the fast path has checked every field).

/** The classes the fast path builds (handed in: an internal imports public modules for types only). */
export interface Classes {
  readonly SessionProgress: typeof Progress.SessionProgress
  readonly StatementProgress: typeof Progress.StatementProgress
}

type Field = string | null

type Writable<A> = { -readonly [K in keyof A]: A[K] }

/** A field as the schema reads it: a string, or `null` for `null` or a missing field; else no decoding. */
const field = (value: unknown): Field | undefined =>
  typeof value === "string" ? value : value === null || value === undefined ? null : undefined

/**
 * A decoder that gives what `Schema.decodeUnknownEither(SessionProgress)` gives for a value
 * of the documented shape, and `undefined` for any other value.
 *
 * @internal
 */
export const make = (classes: Classes) => {
  const sessionPrototype: Progress.SessionProgress = classes.SessionProgress.prototype
  const statementPrototype: Progress.StatementProgress = classes.StatementProgress.prototype
  return (json: unknown): Progress.SessionProgress | undefined => {
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
        // the fields in the order the class declares them, as its constructor would assign them
        const statement: Writable<Progress.StatementProgress> = Object.create(statementPrototype)
        statement.identity_status = identity
        statement.transaction_status = transaction
        statement.processing_status = processing
        statement.fraud_status = fraud
        statement.statement_id = statementId
        statement.message = message
        statement.source = source
        statements.push(statement)
      }
    }
    const snapshot: Writable<Progress.SessionProgress> = Object.create(sessionPrototype)
    snapshot.session_id = sessionId
    snapshot.session_progress = sessionProgress
    snapshot.progress = statements
    return snapshot
  }
}
