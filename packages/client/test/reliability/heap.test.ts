import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { BankConnectClient } from "../../src/index.js"
import { progressBody } from "../utils/fakeApi.js"
import { heapAfterGc, inMemoryTransport, report, scale } from "./support.js"

// A long watch must not grow the heap. An in-memory transport answers at once, so only the
// library counts.

const body = JSON.stringify(progressBody("s-1", "processing", 2))
const inMemory = inMemoryTransport(body)
const client = Effect.provide(
  BankConnectClient.BankConnectClient,
  BankConnectClient.layer({
    apiKey: Redacted.make("test-api-key"),
    serverHash: Redacted.make("test-server-hash"),
    baseUrl: "http://in-memory"
  }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, inMemory))
  )
)

describe("resource hygiene", () => {
  it.live(`${100_000 * scale} polls keep the heap flat`, () =>
    Effect.gen(function*() {
      const bankConnect = yield* client
      const total = 100_000 * scale
      // one long watch, consumed in chunks with a turn of the event loop between them: an
      // in-memory transport never waits on I/O, and the test runner needs the loop too
      const pull = yield* Stream.toPull(bankConnect.watchProgress("s-1", { interval: 0 }))
      const take = (n: number) =>
        Effect.gen(function*() {
          let taken = 0
          let sinceYield = 0
          while (taken < n) {
            const chunk = yield* Effect.orDie(pull)
            taken += chunk.length
            sinceYield += chunk.length
            if (sinceYield >= 1_000) {
              sinceYield = 0
              yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
            }
          }
          return taken
        })
      yield* take(10_000) // warm up
      const before = heapAfterGc()
      const started = Date.now()
      const taken = yield* take(total)
      const millis = Date.now() - started
      const after = heapAfterGc()
      const growth = (after - before) / 1024 / 1024
      expect(taken).toBeGreaterThanOrEqual(total)
      expect(growth).toBeLessThan(5)
      report(
        `heap: ${total} polls in ${millis} ms, heap ${(before / 1048576).toFixed(1)} MB -> ` +
          `${(after / 1048576).toFixed(1)} MB (${growth >= 0 ? "+" : ""}${growth.toFixed(2)} MB)`
      )
    }).pipe(Effect.scoped), 240_000 * scale)
})
