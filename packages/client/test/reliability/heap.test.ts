import { describe, expect, it } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { BankConnectClient } from "../../src/index.js"
import { progressBody } from "../utils/fakeApi.js"
import { report, scale } from "./scale.js"

// Watches that are started and stopped must leave nothing running, and a long watch must
// not grow the heap. An in-memory transport answers at once, so only the library counts.

const body = JSON.stringify(progressBody("s-1", "processing", 2))
let sent = 0
const inMemory = HttpClient.make((request) =>
  Effect.sync(() => {
    sent++
    return HttpClientResponse.fromWeb(request, new Response(body, { status: 200 }))
  })
)
const client = Effect.provide(
  BankConnectClient.BankConnectClient,
  BankConnectClient.layer({ apiKey: Redacted.make("k"), serverHash: Redacted.make("h"), baseUrl: "http://in-memory" }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, inMemory))
  )
)


/** A full collection, without starting Node with --expose-gc. */
v8.setFlagsFromString("--expose_gc")
const gc = vm.runInNewContext("gc") as () => void

const heapAfterGc = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe("resource hygiene", () => {
  it.live(`${100_000 * scale} polls keep the heap flat`, () =>
    Effect.gen(function*() {
      const bankConnect = yield* client
      const polls = (n: number) => Stream.runDrain(Stream.take(bankConnect.watchProgress("s-1", { interval: 0 }), n))
      yield* polls(10_000) // warm up
      const before = heapAfterGc()
      const started = Date.now()
      yield* polls(100_000 * scale)
      const millis = Date.now() - started
      const after = heapAfterGc()
      const growth = (after - before) / 1024 / 1024
      expect(growth).toBeLessThan(5)
      report(`heap: ${100_000 * scale} polls in ${millis} ms, heap ${(before / 1048576).toFixed(1)} MB -> ${(after / 1048576).toFixed(1)} MB (${growth >= 0 ? "+" : ""}${growth.toFixed(2)} MB)`)
    }), 120_000 * scale)
})
