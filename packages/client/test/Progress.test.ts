import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Progress } from "../src/index.js"

// The seed's example, with its missing comma restored (real responses are JSON).
const seedExample = {
  session_id: "bfb98ac5-7224-401b-a643-175235856187",
  session_progress: "completed",
  progress: [
    {
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "completed",
      fraud_status: "completed",
      statement_id: "4164bc05-7b3f-4a5c-8e31-ca3c2648ec6b",
      message: null,
      source: "pdf"
    },
    {
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "completed",
      fraud_status: "completed",
      statement_id: "bd90d1c9-7b1a-4300-9987-3c6c20bbe71d",
      message: null,
      source: "pdf"
    }
  ]
}

const statement = (fields: Partial<Record<Progress.Stage, string | null>> & Record<string, unknown>) => ({
  identity_status: "completed",
  transaction_status: "completed",
  processing_status: "completed",
  fraud_status: "completed",
  statement_id: "s-1",
  message: null,
  source: "pdf",
  ...fields
})

const decodeSync = Schema.decodeUnknownSync(Progress.SessionProgress)

describe("Progress", () => {
  it.effect("decodes the seed's example", () =>
    Effect.gen(function*() {
      const progress = yield* Progress.decode(seedExample)
      expect(progress.session_id).toBe("bfb98ac5-7224-401b-a643-175235856187")
      expect(Progress.isComplete(progress)).toBe(true)
      expect(progress.progress.map((s) => s.statement_id)).toEqual([
        "4164bc05-7b3f-4a5c-8e31-ca3c2648ec6b",
        "bd90d1c9-7b1a-4300-9987-3c6c20bbe71d"
      ])
      expect(Progress.completedStatements(progress)).toHaveLength(2)
      expect(Progress.failedStatements(progress)).toHaveLength(0)
    }))

  it("keeps unknown statuses and sources, reads null and missing fields alike, ignores extra fields", () => {
    const progress = decodeSync({
      session_id: "s",
      session_progress: "queued",
      insights_available: false,
      progress: [
        statement({ identity_status: "in_review", source: "aa", extra: { nested: true } }),
        { statement_id: null }
      ]
    })
    expect(progress.session_progress).toBe("queued")
    expect(Progress.isComplete(progress)).toBe(false)
    const [first, second] = progress.progress
    expect(first?.identity_status).toBe("in_review")
    expect(first?.source).toBe("aa")
    expect(first).not.toHaveProperty("extra")
    expect(second).toMatchObject({
      identity_status: null,
      transaction_status: null,
      processing_status: null,
      fraud_status: null,
      statement_id: null,
      message: null,
      source: null
    })
  })

  it("reads a null or missing progress list as empty", () => {
    expect(decodeSync({ session_id: "s", session_progress: "processing", progress: null }).progress).toEqual([])
    expect(decodeSync({ session_id: "s", session_progress: "processing" }).progress).toEqual([])
  })

  it("rejects what is not a progress response, saying where", () => {
    const missingId = Schema.decodeUnknownEither(Progress.SessionProgress)({ session_progress: "completed" })
    expect(Either.isLeft(missingId)).toBe(true)
    if (Either.isLeft(missingId)) expect(missingId.left.message).toContain("session_id")
    const wrongType = Schema.decodeUnknownEither(Progress.SessionProgress)({
      session_id: "s",
      session_progress: "processing",
      progress: [statement({ fraud_status: 42 as unknown as string })]
    })
    expect(Either.isLeft(wrongType)).toBe(true)
    if (Either.isLeft(wrongType)) expect(wrongType.left.message).toContain("fraud_status")
  })

  it("tells failed, running and completed statements apart", () => {
    const progress = decodeSync({
      session_id: "s",
      session_progress: "processing",
      progress: [
        statement({ statement_id: "done" }),
        statement({ statement_id: "broken", transaction_status: "failed", message: "unparsable" }),
        statement({ statement_id: "busy", processing_status: "processing", fraud_status: null })
      ]
    })
    expect(Progress.completedStatements(progress).map((s) => s.statement_id)).toEqual(["done"])
    expect(Progress.failedStatements(progress).map((s) => s.statement_id)).toEqual(["broken"])
    expect(Progress.runningStatements(progress).map((s) => s.statement_id)).toEqual(["busy"])
    expect(progress.progress.map(Progress.currentStage)).toEqual([
      undefined,
      "transaction_status",
      "processing_status"
    ])
    expect(Progress.summary(progress)).toBe("session s: processing, 3 statements (1 completed, 1 failed, 1 running)")
  })

  it("summarises an empty and a single-statement session", () => {
    expect(Progress.summary(decodeSync({ session_id: "a", session_progress: "processing", progress: [] }))).toBe(
      "session a: processing, 0 statements"
    )
    expect(Progress.summary(decodeSync({ ...seedExample, progress: [seedExample.progress[0]] }))).toBe(
      "session bfb98ac5-7224-401b-a643-175235856187: completed, 1 statement (1 completed)"
    )
  })
})
