/**
 * Decoding: a progress body with 1, 10 and 100 statements, `JSON.parse` alone against
 * `JSON.parse` plus the client's own decoding of a progress body (`Progress.decode`: a fast
 * path for the documented shape, the schema for anything else), compared on CPU time. Where
 * the client has no `Progress.decode`, the schema alone stands in, and the row says so.
 */
import { Progress } from "@effect-bankconnect/client"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { compare, type Result } from "./harness.js"
import { progressBody } from "./progressBody.js"

/** `Progress.decode` as the client exports it, where it does. */
const exported = "decode" in Progress
  ? (Progress as unknown as { readonly decode: (json: unknown) => unknown }).decode
  : undefined

const schema = Schema.decodeUnknownEither(Progress.SessionProgress)

/**
 * The client's decoding of a parsed progress body: `Progress.decode` (an `Either`; an
 * Effect that is not one is run), else the schema.
 */
export const decodeProgress = (json: unknown): Either.Either<Progress.SessionProgress, ParseResult.ParseError> => {
  if (exported === undefined) return schema(json)
  const decoded = exported(json)
  return Either.isEither(decoded)
    ? decoded as Either.Either<Progress.SessionProgress, ParseResult.ParseError>
    : Effect.runSync(Effect.either(decoded as Effect.Effect<Progress.SessionProgress, ParseResult.ParseError>))
}

/** How the rows name the decoding. */
export const decodeName = exported === undefined ? "Progress schema (no Progress.decode)" : "Progress.decode"

const decoded = (json: unknown) => {
  const result = decodeProgress(json)
  if (Either.isLeft(result)) throw new Error(`the body does not decode: ${result.left.message}`)
  return result.right
}

const fixed = (n: number) => n.toFixed(n >= 10 ? 1 : 2)

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const results: Array<Result> = []
  for (const statements of [1, 10, 100]) {
    const body = progressBody(statements)
    let sink: unknown
    const result = await compare({
      benchmark: "decode",
      case: `${statements} statement${statements === 1 ? "" : "s"}`,
      baseline: {
        name: "JSON.parse",
        run: async (n) => {
          for (let i = 0; i < n; i++) sink = JSON.parse(body)
        }
      },
      subject: {
        name: `JSON.parse + ${decodeName}`,
        run: async (n) => {
          for (let i = 0; i < n; i++) sink = decoded(JSON.parse(body))
        }
      },
      operations: Math.max(200, Math.floor(20_000 / statements)),
      // CPU time: on a shared machine, wall time also counts the moments the process is not running
      ratioOn: "cpu"
    })
    void sink
    results.push({
      ...result,
      finding: `decoding costs ${fixed(result.subjectCpuMicros - result.baselineCpuMicros)} µs of CPU per body ` +
        `beyond JSON.parse's ${fixed(result.baselineCpuMicros)} µs (${
          fixed((result.subjectCpuMicros - result.baselineCpuMicros) / statements)
        } µs per statement)`
    })
  }
  return results
}
