import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import { BankConnectClient } from "../../src/index.js"
import { progressBody } from "../utils/fakeApi.js"
import { localServer } from "../utils/localServer.js"
import { inMemoryTransport, report, scale } from "./support.js"

// Watches that are started and stopped must leave nothing running: no fiber or timer (over
// an in-memory transport, so only the library counts) and no connection (over real sockets).

const body = JSON.stringify(progressBody("s-1", "processing", 2))
let sent = 0
const inMemory = inMemoryTransport(body, () => void sent++)
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

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

describe("resource hygiene", () => {
  it.live(
    `${10_000 * scale} watches started and interrupted leave no fibers or timers behind`,
    () =>
      Effect.gen(function*() {
        const watches = 10_000 * scale
        const bankConnect = yield* client
        const timersBefore = timers()
        const supervisor = yield* Supervisor.track
        sent = 0
        const fibers = yield* Effect.forEach(
          Array.from({ length: watches }),
          () => Effect.fork(Stream.runDrain(bankConnect.watchProgress("s-1"))),
          { concurrency: "unbounded" }
        ).pipe(Effect.supervised(supervisor))
        while (sent < watches) yield* Effect.sleep("10 millis")
        const live = (yield* supervisor.value).length
        expect(live).toBeGreaterThanOrEqual(watches)
        yield* Fiber.interruptAll(fibers)
        yield* Effect.sleep("50 millis")
        const left = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null).length
        expect(left).toBe(0)
        expect(timers()).toBeLessThanOrEqual(timersBefore)
        yield* Effect.sleep("2500 millis") // past the 2-second interval: nothing polls again
        expect(sent).toBe(watches)
        report(
          `hygiene: ${watches} watches (${live} fibers while running) interrupted: 0 fibers and 0 timers left, 0 polls after`
        )
      }),
    180_000 * scale
  )

  it.live(
    "200 watches interrupted mid-request over real sockets leave no connection open",
    () =>
      Effect.gen(function*() {
        const server = yield* localServer(() => {
          // never answers: every watch is stuck in its first request
        })
        const overHttp = yield* Effect.provide(
          BankConnectClient.BankConnectClient,
          BankConnectClient.layer({
            apiKey: Redacted.make("test-api-key"),
            serverHash: Redacted.make("test-server-hash"),
            baseUrl: server.url
          }).pipe(
            Layer.provide(FetchHttpClient.layer)
          )
        )
        const fibers = yield* Effect.forEach(
          Array.from({ length: 200 }),
          () => Effect.fork(Stream.runDrain(overHttp.watchProgress("s-1"))),
          { concurrency: "unbounded" }
        )
        while (server.received.length < 200) yield* Effect.sleep("10 millis")
        yield* Fiber.interruptAll(fibers)
        const open = () =>
          Effect.async<number>((resume) => {
            server.server.getConnections((_, count) => resume(Effect.succeed(count)))
          })
        for (let i = 0; i < 200 && (server.aborted() < 200 || (yield* open()) > 0); i++) {
          yield* Effect.sleep("10 millis")
        }
        expect(server.aborted()).toBe(200)
        expect(yield* open()).toBe(0)
        report("sockets: 200 watches interrupted mid-request: 200 requests aborted, 0 connections left open")
      }).pipe(Effect.scoped),
    60_000
  )
})
