import { type Scenario, Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { BankConnectClient, Progress } from "../../src/index.js"
import { report, scale } from "./support.js"

// Many sessions watched at once against the simulator over loopback, with and without
// faults: every stream must end with its completed snapshot, and the faults must not set
// off a retry storm. Real sockets and real time are the point.

const sessions = 100 * scale

/** Stages of 150 ms, statements starting 0 to 450 ms apart, so sessions end out of step. */
const scenario = (i: number): Scenario.Input => ({
  stageMillis: { identity: 150, transaction: 150, processing: 150, fraud: 150 },
  accounts: [{ statements: 1 + (i % 3) }],
  staggerMillis: 150 * (i % 4)
})

const watchAll = (faults: Simulator.Options["faults"]) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ faults, seed: 20261126, maxLogEntries: 1_000_000 })
    const client = yield* Effect.provide(
      BankConnectClient.BankConnectClient,
      BankConnectClient.layer({
        apiKey: Redacted.make(sim.apiKey),
        serverHash: Redacted.make(sim.serverHash),
        baseUrl: sim.baseUrl,
        retry: { base: "20 millis", max: "200 millis" }
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
    const created = yield* Effect.forEach(Array.from({ length: sessions }, (_, i) => i), (i) =>
      sim.createSession(scenario(i)))
    const started = Date.now()
    const streams = yield* Effect.forEach(
      created,
      ({ sessionId }) =>
        Effect.either(Stream.runCollect(client.watchProgress(sessionId, { interval: "100 millis" }))).pipe(
          Effect.map((result) => ({ sessionId, result }))
        ),
      { concurrency: "unbounded" }
    )
    const requests = (yield* sim.requests).filter((r) =>
      r.path.endsWith("/progress/")
    )
    return { streams, requests, millis: Date.now() - started }
  }).pipe(Effect.scoped)

describe("polling under faults", () => {
  it.live(
    `${sessions} sessions at once: every stream ends with its completed snapshot, without a retry storm`,
    () =>
      Effect.gen(function*() {
        const calm = yield* watchAll({})
        const stormy = yield* watchAll({
          errorRate: 0.2,
          dropRate: 0.05,
          rateLimitRate: 0.05,
          retryAfterSeconds: 1,
          latencyMillis: [0, 300]
        })
        for (const run of [calm, stormy]) {
          for (const { result } of run.streams) {
            expect(result._tag).toBe("Right")
            if (result._tag === "Right") {
              const snapshots = Chunk.toReadonlyArray(result.right)
              expect(Progress.isComplete(snapshots.at(-1)!)).toBe(true)
              expect(snapshots.slice(0, -1).some(Progress.isComplete)).toBe(false)
            }
          }
        }
        const faults = stormy.requests.filter((r) => r.fault !== undefined)
        const byKind = (kind: string) => faults.filter((r) => r.fault === kind).length
        // a retry storm shows as requests per snapshot delivered: exactly 1 without faults; with
        // 30% of answers failing about 1 / 0.7 = 1.43 is expected, and the stated bound is 2
        const snapshots = (run: typeof calm) =>
          run.streams.reduce((sum, { result }) => sum + (result._tag === "Right" ? result.right.length : 0), 0)
        const perSnapshot = (run: typeof calm) => run.requests.length / snapshots(run)
        expect(perSnapshot(calm)).toBe(1)
        expect(perSnapshot(stormy)).toBeLessThanOrEqual(2)
        expect(faults.length).toBeGreaterThan(0)
        report(
          `polling: ${sessions} sessions; fault-free ${calm.requests.length} requests for ${
            snapshots(calm)
          } snapshots ` +
            `in ${calm.millis} ms; with faults ${stormy.requests.length} requests for ${snapshots(stormy)} snapshots ` +
            `(${perSnapshot(stormy).toFixed(2)} per snapshot, bound 2) in ${stormy.millis} ms; faults met: ` +
            `${byKind("error")} 5xx, ${byKind("drop")} dropped, ${byKind("rateLimit")} 429; ` +
            `streams completed ${stormy.streams.length}/${sessions}, ended early 0`
        )
      }),
    120_000 * scale
  )
})
