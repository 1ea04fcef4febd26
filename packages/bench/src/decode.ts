/**
 * Decoding: a progress body with 1, 10 and 100 statements, `JSON.parse` alone against
 * `JSON.parse` plus the library's schema.
 */
import { Progress } from "@effect-bankconnect/client"
import * as Schema from "effect/Schema"
import { compare, type Result } from "./harness.js"
import { progressBody } from "./progressBody.js"

const decode = Schema.decodeUnknownSync(Progress.SessionProgress)

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const results: Array<Result> = []
  for (const statements of [1, 10, 100]) {
    const body = progressBody(statements)
    let sink: unknown
    results.push(
      await compare({
        benchmark: "decode",
        case: `${statements} statement${statements === 1 ? "" : "s"}`,
        baseline: {
          name: "JSON.parse",
          run: async (n) => {
            for (let i = 0; i < n; i++) sink = JSON.parse(body)
          }
        },
        subject: {
          name: "JSON.parse + Progress schema",
          run: async (n) => {
            for (let i = 0; i < n; i++) sink = decode(JSON.parse(body))
          }
        },
        operations: Math.max(200, Math.floor(20_000 / statements))
      })
    )
    void sink
  }
  return results
}
