import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Limits, Simulator } from "../src/index.js"
import { BoundedLog } from "../src/internal/store.js"
import { progressPath, request, updateWebhookPath } from "./utils/http.js"

// The limits of Limits.ts: whatever a control request or a scenario holds, the simulator
// answers it (400 or 413 naming the limit) and keeps serving, and its listings stay whole.

const control = { headers: {} }

/** A raw call whose body is sent in chunks, with no content-length (chunked encoding). */
const chunked = (sim: Simulator.Service, method: string, path: string, chunks: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
        controller.close()
      }
    })
    const response = await fetch(`${sim.url}${path}`, { method, body, duplex: "half" } as RequestInit)
    return { status: response.status, json: await response.json() as any }
  })

/** A control call with a body. */
const send = (sim: Simulator.Service, method: string, path: string, body: string) =>
  request(sim, method, path, { headers: {}, body })

/** Creates a session over HTTP. */
const post = (sim: Simulator.Service, body: string) => send(sim, "POST", "/__simulator/sessions", body)

/** `{}` padded with spaces to `bytes` bytes: valid JSON of any size. */
const padded = (bytes: number) => "{}" + " ".repeat(bytes - 2)

/**
 * Why an effect failed: its error's tag and message, or `"accepted"` (a short value to
 * compare, not a session that may be huge).
 */
const refusal = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
) =>
  Effect.map(
    Effect.either(effect),
    (result) => result._tag === "Left" ? `${result.left._tag}: ${result.left.message}` : "accepted"
  )

/** `n` times the same item. */
const accounts = <A = object>(n: number, account: A = {} as A): Array<A> => Array.from({ length: n }, () => account)

describe("Simulator limits", () => {
  describe("request bodies", () => {
    it.scoped(
      "answers a control body past Limits.maxBodyBytes 413 naming it, with or without content-length",
      () =>
        Effect.gen(function*() {
          const sim = yield* Simulator.make()
          const twoMiB = JSON.stringify({ accounts: accounts(1), pad: " ".repeat(2 * 1_048_576) })
          for (const [method, path] of [["POST", "/__simulator/sessions"], ["PUT", "/__simulator/faults"]] as const) {
            const declared = yield* send(sim, method, path, twoMiB)
            expect([declared.status, declared.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
            expect(declared.json.error.message).toContain(`${Limits.maxBodyBytes} bytes`)
            expect(declared.json.error.message).toContain("Limits.maxBodyBytes")
            // no content-length: counted while read, in 64 KiB chunks
            const streamed = yield* chunked(sim, method, path, accounts(32, " ".repeat(65_536)))
            expect([streamed.status, streamed.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
          }
          // the limit itself is allowed, one byte more is not, either way
          expect((yield* post(sim, padded(Limits.maxBodyBytes))).status).toBe(201)
          expect((yield* post(sim, padded(Limits.maxBodyBytes + 1))).status).toBe(413)
          const half = padded(Limits.maxBodyBytes / 2)
          const postChunks = (last: string) => chunked(sim, "POST", "/__simulator/sessions", [half, last])
          expect((yield* postChunks(" ".repeat(Limits.maxBodyBytes / 2))).status).toBe(201)
          expect((yield* postChunks(" ".repeat(Limits.maxBodyBytes / 2 + 1))).status).toBe(413)
          // nothing was created by the refused ones, and it keeps serving
          const list = yield* request(sim, "GET", "/__simulator/sessions", control)
          expect([list.status, list.json.length]).toEqual([200, 2])
          expect((yield* post(sim, "{}")).status).toBe(201)
        }),
      30_000
    )

    it.scoped("answers update_webhook 413 past Limits.maxBodyBytes, and 400 past Limits.maxUrlLength", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const big = JSON.stringify({ webhook_url: `http://127.0.0.1:9/${"a".repeat(2 * 1_048_576)}` })
        const answer = yield* request(sim, "POST", updateWebhookPath, { body: big })
        expect([answer.status, answer.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
        expect(answer.json.error.message).toContain("Limits.maxBodyBytes")
        const long = JSON.stringify({ webhook_url: `http://127.0.0.1:9/${"a".repeat(Limits.maxUrlLength)}` })
        const tooLong = yield* request(sim, "POST", updateWebhookPath, { body: long })
        expect([tooLong.status, tooLong.json.error.code]).toEqual([400, "BAD_REQUEST"])
        expect(tooLong.json.error.message).toContain("Limits.maxUrlLength")
        expect((yield* sim.requests).map((r) => r.status)).toEqual([413, 400])
        const ok = JSON.stringify({ webhook_url: "http://127.0.0.1:9/h" })
        expect((yield* request(sim, "POST", updateWebhookPath, { body: ok })).status).toBe(200)
      }))
  })

  describe("scenario sizes", () => {
    it.scoped("refuses 100,000 or 10,000 accounts over HTTP, 400 naming Limits.maxAccounts, and keeps serving", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        for (const body of [{ accounts: accounts(100_000) }, { accounts: accounts(10_000, { statements: 100 }) }]) {
          const answer = yield* post(sim, JSON.stringify(body))
          expect([answer.status, answer.json.error.code]).toEqual([400, "BAD_REQUEST"])
          expect(answer.json.error.message).toContain(`at most ${Limits.maxAccounts} accounts (Limits.maxAccounts)`)
          // short, not the scenario repeated back
          expect(answer.text.length).toBeLessThan(1_000)
        }
        const list = yield* request(sim, "GET", "/__simulator/sessions", control)
        expect([list.status, list.json.length]).toEqual([200, 0])
        const created = yield* post(sim, "{}")
        expect(created.status).toBe(201)
        expect((yield* request(sim, "GET", progressPath(created.json.sessionId))).status).toBe(200)
        expect((yield* request(sim, "GET", "/__simulator/sessions", control)).json.length).toBe(1)
      }))

    it.scoped("fails createSession with ScenarioError naming each size limit", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const failed = (outcome: object) => ({ accounts: [{ outcome: { status: "failed", ...outcome } }] })
        const cases: ReadonlyArray<readonly [object, string]> = [
          [{ accounts: accounts(100_000) }, "Limits.maxAccounts"],
          [{ accounts: accounts(Limits.maxAccounts + 1) }, "Limits.maxAccounts"],
          [{ accounts: [{ statements: Limits.maxStatementsPerAccount + 1 }] }, "Limits.maxStatementsPerAccount"],
          [{ accounts: accounts(11, { statements: 100 }) }, "Limits.maxStatementsPerSession"],
          [{ sessionId: "s".repeat(Limits.maxIdLength + 1) }, "Limits.maxIdLength"],
          [{ accounts: [{ bankName: "b".repeat(Limits.maxNameLength + 1) }] }, "Limits.maxNameLength"],
          [failed({ errorCode: "UNPARSABLE", errorMessage: "m".repeat(501) }), "Limits.maxMessageLength"],
          [failed({ errorCode: "INCOMPLETE_MONTHS", months: accounts(61, "2024-01") }), "Limits.maxMonths"],
          [{ stageMillis: { fraud: Limits.maxMillis + 1 } }, String(Limits.maxMillis)],
          [{ webhook: { earlyMillis: Limits.maxMillis + 1 } }, String(Limits.maxMillis)],
          [{ webhook: { duplicates: Limits.maxDuplicates + 1 } }, String(Limits.maxDuplicates)]
        ]
        for (const [input, limit] of cases) {
          const message = yield* refusal(sim.createSession(input))
          expect(message).toContain("ScenarioError")
          expect(message).toContain(limit)
          expect(message.length).toBeLessThan(1_000)
        }
        expect((yield* sim.sessions).length).toBe(0)
      }))

    it.scoped("takes a scenario at every limit, and serves and lists it", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const months = Array.from(
          { length: Limits.maxMonths },
          (_, i) => `${2000 + Math.floor(i / 12)}-${String(i % 12 + 1).padStart(2, "0")}`
        )
        const account = {
          statements: Limits.maxStatementsPerSession / Limits.maxAccounts,
          bankName: "b".repeat(Limits.maxNameLength),
          outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months }
        }
        const scenario = { sessionId: "s".repeat(Limits.maxIdLength), accounts: accounts(Limits.maxAccounts, account) }
        const created = yield* post(sim, JSON.stringify(scenario))
        expect(created.status).toBe(201)
        expect(created.json.statementIds.flat()).toHaveLength(Limits.maxStatementsPerSession)
        const progress = yield* request(sim, "GET", progressPath(scenario.sessionId))
        expect([progress.status, progress.json.progress.length]).toEqual([200, Limits.maxStatementsPerSession])
        const full = accounts(Limits.maxStatementsPerSession / Limits.maxStatementsPerAccount, {
          statements: Limits.maxStatementsPerAccount
        })
        const one = yield* sim.createSession({ accounts: full as never })
        expect(one.statementIds.flat()).toHaveLength(Limits.maxStatementsPerSession)
        const list = yield* request(sim, "GET", "/__simulator/sessions", control)
        expect([list.status, list.json.length]).toEqual([200, 2])
      }))
  })

  describe("sessions kept", () => {
    it.scoped(
      "keeps at most Limits.maxSessions sessions, refuses more naming it, and lists them all",
      () =>
        Effect.gen(function*() {
          const sim = yield* Simulator.make()
          for (let i = 0; i < Limits.maxSessions; i++) yield* sim.createSession({})
          const refused = yield* refusal(sim.createSession({}))
          expect(refused).toContain(`ScenarioError: The simulator keeps at most ${Limits.maxSessions} sessions`)
          expect(refused).toContain("Limits.maxSessions")
          const overHttp = yield* post(sim, "{}")
          expect([overHttp.status, overHttp.json.error.code]).toEqual([400, "BAD_REQUEST"])
          expect(overHttp.json.error.message).toContain("Limits.maxSessions")
          const list = yield* request(sim, "GET", "/__simulator/sessions", control)
          expect([list.status, list.json.length]).toEqual([200, Limits.maxSessions])
          // and the kept ones are still served
          const last = list.json[Limits.maxSessions - 1].sessionId
          expect((yield* request(sim, "GET", progressPath(last))).status).toBe(200)
          expect((yield* request(sim, "DELETE", `/__simulator/sessions/${last}`, control)).status).toBe(204)
        }),
      60_000
    )

    it.scoped(
      "keeps at most Limits.maxStoredSessionBytes of sessions, so the listing stays whole",
      () =>
        Effect.gen(function*() {
          const sim = yield* Simulator.make()
          const account = {
            statements: Limits.maxStatementsPerSession / Limits.maxAccounts,
            bankName: "b".repeat(Limits.maxNameLength),
            outcome: {
              status: "failed",
              errorCode: "BALANCE_MISMATCH",
              errorMessage: "m".repeat(Limits.maxMessageLength)
            }
          } as const
          const scenario = { accounts: accounts(Limits.maxAccounts, account), webhook: { send: false } }
          // each takes more than 100 kB as JSON, so no more than this many can fit
          const most = Math.ceil(Limits.maxStoredSessionBytes / 100_000)
          let kept = 0
          let refused = "accepted"
          while (refused === "accepted" && kept <= most) {
            refused = yield* refusal(sim.createSession(scenario as never))
            if (refused === "accepted") kept++
          }
          expect(refused).toContain("ScenarioError: The sessions kept would take more than")
          expect(refused).toContain("Limits.maxStoredSessionBytes")
          expect(kept).toBeGreaterThan(100)
          const list = yield* request(sim, "GET", "/__simulator/sessions", control)
          expect([list.status, list.json.length]).toEqual([200, kept])
          expect(Buffer.byteLength(list.text)).toBeLessThanOrEqual(Limits.maxStoredSessionBytes)
          // a small one still fits
          expect((yield* post(sim, "{}")).status).toBe(201)
        }),
      60_000
    )
  })

  describe("faults", () => {
    it.scoped("refuses latencyMillis with min > max, negative, not finite or past Limits.maxLatencyMillis", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const put = (latencyMillis: unknown) =>
          send(sim, "PUT", "/__simulator/faults", JSON.stringify({ latencyMillis }))
        const swapped = yield* put([500, 100])
        expect([swapped.status, swapped.json.error.code]).toEqual([400, "BAD_REQUEST"])
        expect(swapped.json.error.message).toContain("latencyMillis")
        expect(swapped.json.error.message).toContain("min <= max")
        expect((yield* put([-1, 10])).status).toBe(400)
        const absurd = yield* put([0, Limits.maxLatencyMillis + 1])
        expect(absurd.status).toBe(400)
        expect(absurd.json.error.message).toContain("Limits.maxLatencyMillis")
        expect((yield* put([100, 100])).status).toBe(204)
        // programmatically, where non-finite numbers can be given
        for (const latencyMillis of [[500, 100], [0, Infinity], [Number.NaN, 0], [-5, -1]] as const) {
          const set = yield* refusal(sim.setFaults({ latencyMillis }))
          expect(set).toContain("ScenarioError: Invalid faults: latencyMillis")
          const inScenario = yield* refusal(sim.createSession({ faults: { latencyMillis } }))
          expect(inScenario).toContain("ScenarioError: Invalid scenario: faults.latencyMillis")
        }
        const atStart = yield* refusal(Effect.scoped(Simulator.make({ faults: { latencyMillis: [500, 100] } })))
        expect(atStart).toContain("ScenarioError")
        expect(atStart).toContain("min <= max")
      }))
  })

  describe("logs", () => {
    it("keep the newest entries within both the count and the bytes", () => {
      const log = new BoundedLog<string>(5, 100)
      for (const entry of ["a", "b", "c", "d", "e", "f"]) log.push(entry, 10)
      expect(log.all()).toEqual(["b", "c", "d", "e", "f"])
      log.push("big", 70) // 120 bytes: the oldest go until 100 are left
      expect([log.all(), log.bytes]).toEqual([["d", "e", "f", "big"], 100])
      log.push("huge", 101)
      expect([log.all(), log.bytes]).toEqual([[], 0])
      log.push("g", 10)
      expect(log.all()).toEqual(["g"])
    })

    it.effect("refuses a maxLogEntries that is not an integer of 0 or more", () =>
      Effect.gen(function*() {
        for (const maxLogEntries of [Number.NaN, -1, 1.5, Infinity]) {
          const refused = yield* refusal(Effect.scoped(Simulator.make({ maxLogEntries })))
          expect(refused).toContain("ScenarioError: Invalid maxLogEntries")
        }
      }))
  })
})

describe("session ids", () => {
  it.scoped("refuses '.' and '..', which no client could ask for", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      for (const sessionId of [".", ".."]) {
        const error = yield* Effect.flip(sim.createSession({ sessionId }))
        expect(error.message).toContain("other than '.' or '..'")
      }
      const fine = yield* sim.createSession({ sessionId: "a.b" })
      expect(fine.sessionId).toBe("a.b")
    }))
})
