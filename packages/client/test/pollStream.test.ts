import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type * as Tracer from "effect/Tracer"
import { BankConnectClient } from "../src/index.js"
import { capturingTracer } from "./utils/capture.js"
import { layerFake, progressBody, type Reply } from "./utils/fakeApi.js"

// The span of a watch (`internal/pollStream.ts` makes and ends it by hand): one per watch,
// the parent of every poll's span, ended with the stream, with the stream's failure if any.

const sessionId = "bfb98ac5-7224-401b-a643-175235856187"
const Client = BankConnectClient.BankConnectClient

const processing: Reply = { status: 200, json: progressBody(sessionId, "processing") }
const completed: Reply = { status: 200, json: progressBody(sessionId, "completed") }
const deleted: Reply = { status: 410, json: { error: { code: "SESSION_DELETED", message: "gone" } } }

const named = (spans: ReadonlyArray<Tracer.Span>, name: string) => spans.filter((span) => span.name === name)
const parentOf = (span: Tracer.Span) => Option.getOrUndefined(span.parent)

describe("a watch's span", () => {
  it.effect("is one span, the parent of each poll's span, ended with the stream", () => {
    const fake = layerFake((_, i) => i < 2 ? processing : completed)
    return Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const client = yield* Client
      const fiber = yield* Effect.fork(
        Stream.runCollect(client.watchProgress(sessionId, { interval: "1 second" })).pipe(Effect.withTracer(tracer))
      )
      yield* TestClock.adjust("1 second")
      const [watch] = named(spans, "BankConnectClient.watchProgress")
      expect(watch?.status._tag).toBe("Started")
      yield* TestClock.adjust("1 second")
      expect(Array.from(yield* Fiber.join(fiber))).toHaveLength(3)
      expect(named(spans, "BankConnectClient.watchProgress")).toEqual([watch])
      expect(watch?.attributes.get("bankconnect.session_id")).toBe(sessionId)
      expect(Option.isNone(watch!.parent)).toBe(true)
      const polls = named(spans, "BankConnectClient.getProgress")
      expect(polls).toHaveLength(3)
      for (const poll of polls) {
        expect(parentOf(poll)).toBe(watch)
        expect(poll.traceId).toBe(watch!.traceId)
      }
      expect(watch!.spanId).toMatch(/^[0-9a-f]{16}$/)
      expect(watch!.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(watch!.status._tag === "Ended" && Exit.isSuccess(watch!.status.exit)).toBe(true)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("ends with the failure that ends the stream", () => {
    const fake = layerFake((_, i) => i === 0 ? processing : deleted)
    return Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const client = yield* Client
      const fiber = yield* Effect.fork(
        Effect.flip(Stream.runDrain(client.watchProgress(sessionId, { interval: "1 second" }))).pipe(
          Effect.withTracer(tracer)
        )
      )
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "SessionDeleted", sessionId })
      const [watch] = named(spans, "BankConnectClient.watchProgress")
      const status = watch!.status
      expect(status._tag).toBe("Ended")
      const exit = status._tag === "Ended" ? status.exit : Exit.void
      expect(Exit.isFailure(exit) && Option.getOrUndefined(Cause.failureOption(exit.cause))).toBe(error)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("ends without a failure when the watch is interrupted, skipped polls in between", () => {
    const fake = layerFake((_, i) => i === 0 ? processing : { status: 503 }, { retry: { times: 0 } })
    return Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const client = yield* Client
      const fiber = yield* Effect.fork(
        Stream.runDrain(client.watchProgress(sessionId, { interval: "1 second" })).pipe(Effect.withTracer(tracer))
      )
      yield* TestClock.adjust("3 seconds")
      expect(fake.requests).toHaveLength(4)
      const [watch] = named(spans, "BankConnectClient.watchProgress")
      expect(watch?.status._tag).toBe("Started")
      yield* Fiber.interrupt(fiber)
      const status = watch!.status
      expect(status._tag === "Ended" && Exit.isSuccess(status.exit)).toBe(true)
      expect(named(spans, "BankConnectClient.getProgress").every((poll) => parentOf(poll) === watch)).toBe(true)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("is named, with where it is made, in a failure's printed trace", () => {
    const fake = layerFake(() => deleted)
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(Stream.runDrain((yield* Client).watchProgress(sessionId)))
      expect(Exit.isFailure(exit)).toBe(true)
      const printed = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      expect(printed).toMatch(/at BankConnectClient\.getProgress \(.*BankConnectClient\.ts:\d+:\d+\)/)
      expect(printed).toMatch(/at BankConnectClient\.watchProgress \(.*pollStream\.ts:\d+:\d+\)/)
    }).pipe(Effect.provide(fake.layer))
  })
})
