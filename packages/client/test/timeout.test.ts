import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { BankConnectClient } from "../src/index.js"
import { layerFake, progressBody, type Reply, type Seen } from "./utils/fakeApi.js"

// The live clock's time limit (`internal/timeout.ts`): each attempt's request has a signal of
// its own, aborted when the attempt times out, fails or is interrupted, and left alone when it
// succeeds (an abort then would only cost a `DOMException` per call). Real time is the point
// here: under the `TestClock` the limit is `Effect.timeoutFail` (see BankConnectClient.test.ts).

const sessionId = "0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11"
const Client = BankConnectClient.BankConnectClient

/** An answer that never comes, failing as a transport does when the request's signal aborts. */
const untilAborted = (seen: Seen) =>
  Effect.async<Reply>((resume) => {
    const onAbort = () => resume(Effect.succeed({ transportFailure: seen.signal.reason }))
    if (seen.signal.aborted) return onAbort()
    seen.signal.addEventListener("abort", onAbort, { once: true })
  })

const waitFor = (done: () => boolean) =>
  Effect.gen(function*() {
    while (!done()) yield* Effect.sleep("2 millis")
  })

describe("the time limit of an attempt, on the live clock", () => {
  it.live("a call that succeeds leaves its request's signal unaborted", () => {
    const fake = layerFake(() => ({ status: 200, json: progressBody(sessionId, "processing", 2) }))
    return Effect.gen(function*() {
      const client = yield* Client
      for (let i = 0; i < 3; i++) yield* client.getProgress(sessionId)
      expect(fake.requests).toHaveLength(3)
      expect(fake.requests.map((seen) => seen.signal.aborted)).toEqual([false, false, false])
    }).pipe(Effect.provide(fake.layer))
  })

  it.live("an attempt that fails aborts its request", () => {
    const fake = layerFake(() => ({ status: 400, json: { message: "bad request" } }), { retry: { times: 0 } })
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).getProgress(sessionId))
      expect(error._tag).not.toBe("TransportError")
      expect(fake.requests).toHaveLength(1)
      expect(fake.requests[0]?.signal.aborted).toBe(true)
    }).pipe(Effect.provide(fake.layer))
  })

  it.live("an attempt past the limit is aborted and reported as a Timeout", () => {
    const fake = layerFake(untilAborted, { timeout: "50 millis", retry: { times: 0 } })
    return Effect.gen(function*() {
      const started = Date.now()
      const error = yield* Effect.flip((yield* Client).getProgress(sessionId))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", sessionId })
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(fake.requests).toHaveLength(1)
      expect(fake.requests[0]?.signal.aborted).toBe(true)
    }).pipe(Effect.provide(fake.layer))
  })

  it.live("interruption aborts the request in flight, and no timeout fires after it", () => {
    const fake = layerFake(untilAborted, { timeout: "100 millis" })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork((yield* Client).getProgress(sessionId))
      yield* waitFor(() => fake.requests.length === 1)
      expect(fake.requests[0]?.signal.aborted).toBe(false)
      yield* Fiber.interrupt(fiber)
      expect(fake.requests[0]?.signal.aborted).toBe(true)
      // the attempt's timer was disarmed: nothing is retried or sent after the limit
      yield* Effect.sleep("200 millis")
      expect(fake.requests).toHaveLength(1)
    }).pipe(Effect.provide(fake.layer))
  })
})
