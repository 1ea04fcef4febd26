import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { BankConnectClient } from "../src/index.js"
import { layerFake, progressBody } from "./utils/fakeApi.js"

// Waiting is visible: every retry and every skipped poll is a debug log line with the
// attempt, what failed, the wait, and the session.

const sessionId = "0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11"

interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

const capture = <A, E, R>(effect: Effect.Effect<A, E, R>, lines: Array<Line>) =>
  effect.pipe(
    Effect.provide(Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, logLevel, message }) => {
        lines.push({
          level: logLevel.label,
          message: String(Array.isArray(message) ? message.join(" ") : message),
          annotations: Object.fromEntries(HashMap.toEntries(annotations))
        })
      })
    )),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )

describe("debug logging", () => {
  it.effect("logs each retry with its attempt, status and delay, annotated with the session", () => {
    const fake = layerFake((_, i) =>
      i === 0
        ? { status: 503, headers: { "retry-after": "2" }, text: "busy" }
        : i === 1
        ? { drop: true }
        : { status: 200, json: progressBody(sessionId, "completed") }
    )
    const lines: Array<Line> = []
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        capture((yield* BankConnectClient.BankConnectClient).getProgress(sessionId), lines)
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      const retries = lines.filter((line) => line.message.includes("retry"))
      expect(retries.map((line) => line.level)).toEqual(["DEBUG", "DEBUG"])
      expect(retries[0]?.message).toBe("BankConnect: retry 1 of 3 in 2s after HTTP 503")
      expect(retries[0]?.annotations).toMatchObject({
        "bankconnect.session_id": sessionId,
        "bankconnect.attempt": 2,
        "bankconnect.status": 503,
        "bankconnect.delay_ms": 2000
      })
      expect(retries[1]?.message).toMatch(/^BankConnect: retry 2 of 3 in \d+ms after a network failure$/)
      expect(retries[1]?.annotations).toMatchObject({ "bankconnect.session_id": sessionId, "bankconnect.attempt": 3 })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("logs each skipped poll of a watch", () => {
    const fake = layerFake(
      (_, i) => i === 0 ? { drop: true } : { status: 200, json: progressBody(sessionId, "completed") },
      {
        retry: { times: 0 }
      }
    )
    const lines: Array<Line> = []
    return Effect.gen(function*() {
      const client = yield* BankConnectClient.BankConnectClient
      const fiber = yield* Effect.fork(capture(Stream.runDrain(client.watchProgress(sessionId)), lines))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      const skipped = lines.filter((line) => line.message.includes("skipped"))
      expect(skipped).toHaveLength(1)
      expect(skipped[0]?.message).toBe(
        "BankConnect: poll skipped after TransportError (1 of 5 in a row); next poll in 2s"
      )
      expect(skipped[0]?.annotations).toMatchObject({
        "bankconnect.session_id": sessionId,
        "bankconnect.failed_polls": 1
      })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("logs nothing at the default level", () => {
    const fake = layerFake((_, i) =>
      i === 0 ? { drop: true } : { status: 200, json: progressBody(sessionId, "completed") }
    )
    const lines: Array<Line> = []
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        (yield* BankConnectClient.BankConnectClient).getProgress(sessionId).pipe(
          Effect.provide(Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => void lines.push({ level: "", message: String(message), annotations: {} }))
          ))
        )
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      expect(lines).toEqual([])
    }).pipe(Effect.provide(fake.layer))
  })
})
