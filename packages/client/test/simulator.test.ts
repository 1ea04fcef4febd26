import { Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { BankConnectClient, Progress } from "../src/index.js"

// The client against the simulator over loopback: real sockets, real time, short stages.

const fast = { identity: 40, transaction: 40, processing: 40, fraud: 40 }

const clientFor = (sim: Simulator.Service, options: Partial<BankConnectClient.Options> = {}) =>
  Effect.provide(
    BankConnectClient.BankConnectClient,
    BankConnectClient.layer({
      apiKey: Redacted.make(sim.apiKey),
      serverHash: Redacted.make(sim.serverHash),
      baseUrl: sim.baseUrl,
      retry: { times: 8, base: "5 millis", max: "50 millis" },
      ...options
    }).pipe(Layer.provide(FetchHttpClient.layer))
  )

describe("BankConnectClient against the simulator", () => {
  it.live("watches a session to its completed snapshot and registers the webhook", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const client = yield* clientFor(sim)
      const { sessionId } = yield* sim.createSession({
        accounts: [{ statements: 2 }],
        stageMillis: { identity: 150, transaction: 150, processing: 150, fraud: 150 }
      })
      yield* client.updateWebhook({ webhookUrl: "http://127.0.0.1:9/hook" })
      expect(yield* sim.webhook).toEqual(Option.some({ url: "http://127.0.0.1:9/hook", mode: 1 }))
      const snapshots = Array.from(yield* Stream.runCollect(client.watchProgress(sessionId, { interval: "20 millis" })))
      expect(snapshots.length).toBeGreaterThanOrEqual(2)
      expect(snapshots.slice(0, -1).every((s) => !Progress.isComplete(s))).toBe(true)
      const last = snapshots.at(-1)!
      expect(Progress.completedStatements(last)).toHaveLength(2)
      const polls = (yield* sim.requests).filter((r) => r.path.endsWith("/progress/"))
      expect(polls).toHaveLength(snapshots.length)
    }).pipe(Effect.scoped))

  it.live("survives 5xx, 429, gateway pages, dropped connections and latency without losing the end", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({
        seed: 1,
        faults: {
          errorRate: 0.2,
          dropRate: 0.05,
          rateLimitRate: 0.05,
          retryAfterSeconds: 0,
          nonJsonRate: 0.05,
          latencyMillis: [0, 20]
        }
      })
      const client = yield* clientFor(sim)
      const sessions = yield* Effect.forEach(Array.from({ length: 5 }), () => sim.createSession({ stageMillis: fast }))
      const results = yield* Effect.forEach(
        sessions,
        ({ sessionId }) => client.awaitCompletion(sessionId, { interval: "20 millis" }),
        { concurrency: "unbounded" }
      )
      expect(results.every(Progress.isComplete)).toBe(true)
      const faults = (yield* sim.requests).filter((r) => r.fault !== undefined)
      expect(faults.length).toBeGreaterThan(0)
    }).pipe(Effect.scoped))

  it.live("maps the simulator's errors to the typed errors", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ accessDenied: "detail" })
      const client = yield* clientFor(sim)
      const waiting = yield* sim.createSession({ state: "not_requested" })
      const deleted = yield* sim.createSession({ state: "deleted" })
      const tags = yield* Effect.forEach(["no-such-session", waiting.sessionId, deleted.sessionId], (id) =>
        Effect.map(Effect.flip(client.getProgress(id)), (e) => e._tag))
      expect(tags).toEqual(["SessionNotFound", "ProcessingNotRequested", "SessionDeleted"])
      const wrongKey = yield* clientFor(sim, { apiKey: Redacted.make("wrong-api-key") })
      const denied = yield* Effect.flip(wrongKey.getProgress(waiting.sessionId))
      expect(denied).toMatchObject({ _tag: "AccessDenied", status: 401 })
    }).pipe(Effect.scoped))
})
