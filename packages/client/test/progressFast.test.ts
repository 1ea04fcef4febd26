import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as FastCheck from "effect/FastCheck"
import * as Hash from "effect/Hash"
import * as Schema from "effect/Schema"
import { Progress } from "../src/index.js"
import * as ProgressFast from "../src/internal/progressFast.js"

// The fast path must give exactly what the schema gives, or step aside: for any value, it
// either declines (undefined) or builds a snapshot equal to the schema's; for every value of
// the documented shape, it builds it.

const fast = ProgressFast.make(Progress)
const schema = Schema.decodeUnknownEither(Progress.SessionProgress)

const field = FastCheck.oneof(FastCheck.string(), FastCheck.constant(null), FastCheck.constant(undefined))
const odd = FastCheck.oneof(
  field,
  FastCheck.integer(),
  FastCheck.boolean(),
  FastCheck.constant({}),
  FastCheck.constant([])
)
const statement = (value: FastCheck.Arbitrary<unknown>) =>
  FastCheck.record({
    identity_status: value,
    transaction_status: value,
    processing_status: value,
    fraud_status: value,
    statement_id: value,
    message: value,
    source: value,
    extra: value
  }, { requiredKeys: [] })
const snapshot = (value: FastCheck.Arbitrary<unknown>) =>
  FastCheck.record({
    session_id: value,
    session_progress: value,
    progress: FastCheck.oneof(FastCheck.array(statement(value), { maxLength: 5 }), value)
  }, { requiredKeys: [] })

describe("the progress fast path", () => {
  it("declines or agrees with the schema, for any value", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(snapshot(odd), snapshot(field), FastCheck.jsonValue()), (value) => {
        const quick = fast(value)
        const full = schema(value)
        if (quick !== undefined) {
          expect(Either.isRight(full)).toBe(true)
          expect(quick).toStrictEqual(Either.getOrThrow(full))
        }
      }),
      { numRuns: 3000 }
    )
  })

  it("decodes every value of the documented shape", () => {
    const documented = Arbitrary.make(Schema.encodedSchema(Progress.SessionProgress))
    FastCheck.assert(
      FastCheck.property(documented, (value) => {
        const quick = fast(value)
        expect(quick).toBeDefined()
        expect(quick).toStrictEqual(Either.getOrThrow(schema(value)))
        expect(quick).toBeInstanceOf(Progress.SessionProgress)
      }),
      { numRuns: 2000 }
    )
  })

  it("builds what the classes' constructors build: prototype, own fields in order, equality, hash, text", () => {
    const documented = Arbitrary.make(Schema.encodedSchema(Progress.SessionProgress))
    // what a constructor leaves on an instance: its own properties with their descriptors, in order
    const own = (value: object) =>
      Reflect.ownKeys(value).map((key) => [key, Object.getOwnPropertyDescriptor(value, key)])
    FastCheck.assert(
      FastCheck.property(documented, (value) => {
        const quick = fast(value)!
        const built = new Progress.SessionProgress({
          session_id: quick.session_id,
          session_progress: quick.session_progress,
          progress: quick.progress.map((statement) => new Progress.StatementProgress({ ...statement }))
        })
        expect(Object.getPrototypeOf(quick)).toBe(Progress.SessionProgress.prototype)
        expect(quick.constructor).toBe(Progress.SessionProgress)
        expect(own(quick).map(([key]) => key)).toEqual(own(built).map(([key]) => key))
        expect(own({ ...quick, progress: null })).toEqual(own({ ...built, progress: null }))
        quick.progress.forEach((statement, i) => {
          expect(Object.getPrototypeOf(statement)).toBe(Progress.StatementProgress.prototype)
          expect(statement).toBeInstanceOf(Progress.StatementProgress)
          expect(own(statement)).toEqual(own(built.progress[i]!))
          expect(String(statement)).toBe(String(built.progress[i]))
          expect(Equal.equals(statement, built.progress[i])).toBe(true)
          expect(Hash.hash(statement)).toBe(Hash.hash(built.progress[i]!))
        })
        // arrays compare by reference under `Equal`: the same list on both sides (validation would copy it)
        const sameList = new Progress.SessionProgress({ ...built, progress: quick.progress }, true)
        expect(Equal.equals(quick, sameList)).toBe(true)
        expect(Hash.hash(quick)).toBe(Hash.hash(sameList))
        expect(String(quick)).toBe(String(built))
        expect(JSON.stringify(quick)).toBe(JSON.stringify(built))
        expect(Schema.is(Progress.SessionProgress)(quick)).toBe(true)
        expect(Schema.encodeSync(Progress.SessionProgress)(quick)).toEqual(
          Schema.encodeSync(Progress.SessionProgress)(built)
        )
      }),
      { numRuns: 500 }
    )
  })
})
