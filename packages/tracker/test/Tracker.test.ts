import { BankConnectError, WebhookPayload } from "@effect-bankconnect/client"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { TrackerEvent } from "../src/index.js"
import { TrackerStore } from "../src/index.js"
import * as Fleet from "./utils/fleet.js"
import * as Transport from "./utils/transport.js"

const processing = Transport.withStatus((call) => Transport.progress(call.sessionId, "processing"))

/** Completes the session at `at` (Clock millis). */
const completesAt = (at: number) =>
  Transport.withStatus((call) => Transport.progress(call.sessionId, call.at >= at ? "completed" : "processing"))

const enrichment = (sessionId: string, accounts: ReadonlyArray<Record<string, unknown>> = [{
  bank_name: "sbi",
  account_id: "acc-1",
  account_status: "completed",
  error_code: "",
  error_message: ""
}]) =>
  Effect.runSync(
    WebhookPayload.decode({ session_id: sessionId, event_name: "ENRICHMENT_NOTIFICATION", accounts })
  )

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s-${String(i).padStart(4, "0")}`)

describe("Tracker", () => {
  describe("cadence", () => {
    it.scoped("polls each session one interval after its previous poll ended", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: (call) => ({ ...Transport.progress(call.sessionId, "processing"), latencyMillis: 300 }),
          tracker: { interval: "2 seconds" }
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(12_000)
        const calls = transport.callsOf("s-1").map((call) => call.at)
        expect(calls.length).toBeGreaterThanOrEqual(4)
        expect(calls[0]).toBeLessThan(2000)
        for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBe(2300)
      }))

    it.scoped("spreads the first polls over one interval, with no herd", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({ script: processing, tracker: { interval: "2 seconds" } })
        yield* tracker.trackAll(ids(200).map((sessionId) => ({ sessionId })))
        yield* Fleet.advance(1999)
        const first = transport.calls.filter((call) => call.n === 0)
        expect(first).toHaveLength(200)
        const buckets = new Array<number>(10).fill(0)
        for (const call of first) buckets[Math.floor(call.at / 200)]!++
        // 20 a bucket on average: none empty, none a burst
        expect(Math.min(...buckets)).toBeGreaterThan(5)
        expect(Math.max(...buckets)).toBeLessThan(45)
        // the second round keeps the spread: each session one interval after its first poll
        yield* Fleet.advance(2000)
        for (const call of transport.calls.filter((call) => call.n === 1)) {
          expect(call.at - first.find((f) => f.sessionId === call.sessionId)!.at).toBe(2000)
        }
      }))

    it.scoped("runs at most maxRequestsInFlight polls at once", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: (call) => ({ ...Transport.progress(call.sessionId, "processing"), latencyMillis: 500 }),
          tracker: { interval: "100 millis", maxRequestsInFlight: 4 }
        })
        yield* tracker.trackAll(ids(50).map((sessionId) => ({ sessionId })))
        let peak = 0
        for (let t = 0; t < 100; t++) {
          yield* Fleet.advance(100)
          peak = Math.max(peak, (yield* tracker.stats).inFlight)
        }
        expect(transport.maxInFlight).toBe(4)
        expect(peak).toBe(4)
        // the bound is used, not just respected: 4 polls of 500 ms each for 10 seconds
        expect(transport.calls.length).toBeGreaterThanOrEqual(76)
      }))
  })

  describe("rate limits and failures", () => {
    it.scoped("pauses the whole fleet for a 429's Retry-After", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: Transport.withStatus((call) =>
            call.sessionId === "s-0000" && call.n === 1
              ? Transport.rateLimited(10)
              : Transport.progress(call.sessionId, "processing")
          ),
          tracker: { interval: "2 seconds" }
        })
        yield* tracker.trackAll(ids(20).map((sessionId) => ({ sessionId })))
        yield* Fleet.advance(4000)
        const limited = transport.callsOf("s-0000")[1]!
        expect(Option.isSome((yield* tracker.stats).pausedUntil)).toBe(true)
        yield* Fleet.advance(20_000)
        const during = transport.calls.filter((call) => call.at > limited.at && call.at < limited.at + 10_000)
        expect(during).toEqual([])
        const after = transport.calls.filter((call) => call.at >= limited.at + 10_000)
        expect(new Set(after.map((call) => call.sessionId)).size).toBe(20)
        expect(Option.isNone((yield* tracker.stats).pausedUntil)).toBe(true)
      }))

    it.scoped("without the RateLimit wrapper, pauses the fleet for rateLimitPause", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: Transport.withStatus((call) =>
            call.sessionId === "s-0000" && call.n === 1
              ? Transport.rateLimited(60)
              : Transport.progress(call.sessionId, "processing")
          ),
          tracker: { interval: "2 seconds", rateLimitPause: "7 seconds" },
          observe: false
        })
        yield* tracker.trackAll(ids(20).map((sessionId) => ({ sessionId })))
        yield* Fleet.advance(20_000)
        const limited = transport.callsOf("s-0000")[1]!
        expect(transport.calls.filter((call) => call.at > limited.at && call.at < limited.at + 7000)).toEqual([])
        expect(transport.calls.some((call) => call.at >= limited.at + 7000 && call.at < limited.at + 9000)).toBe(true)
      }))

    it.scoped("backs a session off on transient failures, leaving the others on their cadence", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: Transport.withStatus((call) =>
            call.sessionId === "bad"
              ? Transport.apiError(503, "UNDER_MAINTENANCE")
              : Transport.progress(call.sessionId, "processing")
          ),
          tracker: { interval: "2 seconds", backoff: Schedule.exponential("1 second") }
        })
        yield* tracker.trackAll([{ sessionId: "bad" }, { sessionId: "good" }])
        yield* Fleet.advance(20_000)
        const gaps = (calls: ReadonlyArray<Transport.Call>) => calls.slice(1).map((call, i) => call.at - calls[i]!.at)
        expect(gaps(transport.callsOf("bad")).slice(0, 4)).toEqual([1000, 2000, 4000, 8000])
        expect(new Set(gaps(transport.callsOf("good")))).toEqual(new Set([2000]))
        // a transient failure emits nothing
        expect((yield* tracker.get("bad")).pipe(Option.map((s) => s.state))).toEqual(Option.some("tracking"))
      }))

    it.scoped("ends a session with Failed once the backoff schedule is done", () =>
      Effect.gen(function*() {
        const { store, tracker } = yield* Fleet.make({
          script: () => Transport.apiError(503, "UNDER_MAINTENANCE"),
          tracker: { backoff: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2))) }
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(10_000)
        const session = Option.getOrThrow(yield* tracker.get("s-1"))
        expect(session.state).toBe("failed")
        const outcome = session.outcome as TrackerEvent.Failed
        expect(outcome._tag).toBe("Failed")
        expect(outcome.error._tag).toBe("UnknownApiError")
        expect((outcome.error as BankConnectError.UnknownApiError).status).toBe(503)
        expect(yield* Fleet.storedEvents(store, "s-1")).toEqual(["Tracked", "Failed"])
      }))

    it.scoped("ends a session with its typed error on an API error code, and stops polling it", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: () => Transport.apiError(404, "SESSION_NOT_FOUND", "The provided session ID is invalid")
        })
        yield* tracker.track("gone")
        const waiting = yield* Effect.fork(tracker.awaitCompletion("gone"))
        yield* Fleet.advance(10_000)
        const result = yield* Fiber.join(waiting).pipe(Effect.either)
        expect(Either.isLeft(result) && result.left._tag).toBe("SessionNotFound")
        expect(transport.callsOf("gone")).toHaveLength(1)
        const session = Option.getOrThrow(yield* tracker.get("gone"))
        expect(session.state).toBe("failed")
        expect((session.outcome as TrackerEvent.Failed).error).toBeInstanceOf(BankConnectError.SessionNotFound)
      }))

    it.scoped("ACCESS_DENIED pauses the whole fleet instead of failing the sessions: the credentials are everyone's", () =>
      Effect.gen(function*() {
        let denied = true
        const { tracker, transport } = yield* Fleet.make({
          script: (call) => denied ? Transport.apiError(403, "ACCESS_DENIED", "Access denied") : processing(call),
          tracker: { interval: "2 seconds", accessDeniedPause: "30 seconds" }
        })
        yield* tracker.trackAll(ids(10).map((sessionId) => ({ sessionId })))
        yield* Fleet.advance(2000, 100)
        const deniedCalls = transport.calls.length
        expect(deniedCalls).toBeGreaterThan(0)
        expect((yield* tracker.stats).pausedUntil._tag).toBe("Some")
        // the key is fixed meanwhile; nothing is polled until the pause ends
        denied = false
        yield* Fleet.advance(25_000, 500)
        expect(transport.calls.length).toBe(deniedCalls)
        yield* Fleet.advance(10_000, 500)
        expect(new Set(transport.calls.slice(deniedCalls).map((call) => call.sessionId)).size).toBe(10)
        const { sessions } = yield* tracker.list({ state: "tracking" })
        expect(sessions).toHaveLength(10)
      }))
  })

  describe("deadlines", () => {
    it.scoped("ends a session with TimedOut at its deadline, and stops polling it", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({ script: processing, tracker: { interval: "2 seconds" } })
        yield* tracker.track("slow", { deadline: "5 seconds", reference: "app-7" })
        const waiting = yield* Effect.fork(tracker.awaitCompletion("slow"))
        yield* Fleet.advance(6000)
        const result = yield* Fiber.join(waiting).pipe(Effect.either)
        expect(Either.isLeft(result) && result.left._tag).toBe("TrackingTimeout")
        const session = Option.getOrThrow(yield* tracker.get("slow"))
        expect(session.state).toBe("timed_out")
        const outcome = session.outcome as TrackerEvent.TimedOut
        expect(DateTime.toEpochMillis(outcome.at)).toBe(5000)
        expect(DateTime.toEpochMillis(outcome.deadline)).toBe(5000)
        expect(outcome.reference).toBe("app-7")
        const polls = transport.callsOf("slow").length
        yield* Fleet.advance(20_000)
        expect(transport.callsOf("slow")).toHaveLength(polls)
      }))
  })

  describe("webhooks", () => {
    it.scoped("an ENRICHMENT_NOTIFICATION triggers a confirming poll at once; fallbackInterval spaces the rest", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: completesAt(75_000),
          tracker: { interval: "2 seconds", fallbackInterval: "30 seconds" }
        })
        yield* tracker.attachReceiver
        expect(Duration.toMillis((yield* tracker.stats).interval)).toBe(30_000)
        yield* tracker.track("s-1")
        yield* Fleet.advance(75_000)
        const before = transport.callsOf("s-1")
        expect(before.length).toBeGreaterThanOrEqual(2)
        for (let i = 1; i < before.length; i++) expect(before[i]!.at - before[i - 1]!.at).toBe(30_000)
        // the session completed at 75 s; its webhook arrives at once
        yield* tracker.onEvent(enrichment("s-1"))
        yield* Fleet.flush
        const calls = transport.callsOf("s-1")
        expect(calls).toHaveLength(before.length + 1)
        expect(calls[calls.length - 1]!.at).toBe(75_000)
        const completed = yield* tracker.awaitCompletion("s-1")
        expect(completed.via).toBe("webhook")
        expect(DateTime.toEpochMillis(completed.at)).toBe(75_000)
        expect(completed.accounts.map((account) => [account.accountId, account.status])).toEqual([[
          "acc-1",
          "completed"
        ]])
        expect(transport.callsOf("s-1", "session_status")).toHaveLength(1)
      }))

    it.scoped("a webhook that disagrees with the confirmed progress is dropped: completion is by polling", () =>
      Effect.gen(function*() {
        const { tracker } = yield* Fleet.make({
          script: Transport.withStatus((call) =>
            Transport.progress(call.sessionId, call.at >= 3000 ? "failed" : "processing")
          )
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(3000)
        // says every account completed, while the progress API shows a failed statement
        yield* tracker.onEvent(enrichment("s-1"))
        yield* Fleet.advance(100)
        const completed = yield* tracker.awaitCompletion("s-1")
        expect(completed.via).toBe("polling")
      }))

    it.scoped("deliveries for sessions it does not track, and other events, are ignored", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({ script: processing })
        yield* tracker.onEvent(enrichment("stranger"))
        yield* tracker.onEvent(
          Effect.runSync(WebhookPayload.decode({ session_id: "stranger", event_name: "SESSION_EXPIRY_NOTIFICATION" }))
        )
        yield* Fleet.advance(5000)
        expect(transport.calls).toEqual([])
        expect(Option.isNone(yield* tracker.get("stranger"))).toBe(true)
      }))

    it.scoped("without a receiver attached, the interval stays", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: processing,
          tracker: { interval: "2 seconds", fallbackInterval: "30 seconds" }
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(10_000)
        expect(transport.callsOf("s-1").length).toBeGreaterThanOrEqual(4)
      }))
  })

  describe("track and untrack", () => {
    it.scoped("track is idempotent and durable: stored before it returns, one Tracked event, one poll per interval", () =>
      Effect.gen(function*() {
        const { store, tracker, transport } = yield* Fleet.make({
          script: processing,
          tracker: { interval: "2 seconds" }
        })
        const [a, b] = yield* Effect.all([tracker.track("s-1", { reference: "first" }), tracker.track("s-1")], {
          concurrency: "unbounded"
        })
        expect(Option.isSome(yield* store.get("s-1"))).toBe(true)
        const again = yield* tracker.track("s-1", { reference: "other" })
        expect(a.reference).toBe("first")
        expect(b.reference).toBe("first")
        expect(again.reference).toBe("first")
        yield* Fleet.advance(10_000)
        expect(yield* Fleet.storedEvents(store, "s-1")).toEqual(["Tracked", "ProgressChanged"])
        const calls = transport.callsOf("s-1")
        for (let i = 1; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBe(2000)
      }))

    it.scoped("a session untracked by another process is no longer polled once its next change does not apply", () =>
      Effect.gen(function*() {
        // every poll answers a new snapshot, so every poll writes a change
        const script = Transport.withStatus((call) => Transport.progress(call.sessionId, "processing", `st-${call.n}`))
        const { store, tracker, transport } = yield* Fleet.make({ script, tracker: { interval: "2 seconds" } })
        yield* tracker.track("s-1")
        yield* Fleet.advance(6000, 500)
        // another process (a `bankconnect track remove`, say) untracks it in the store
        yield* store.write([{ _tag: "Untrack", sessionId: "s-1", at: 6000 }])
        const untrackedAt = 6000
        yield* Fleet.advance(20_000, 500)
        const after = transport.callsOf("s-1").filter((call) => call.at > untrackedAt)
        expect(after.length).toBeLessThanOrEqual(1)
        expect((yield* tracker.stats).tracking).toBe(0)
      }))

    it.scoped("an untrack written in the same batch as the track wins: nothing is polled", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({ script: processing })
        const [tracked, untracked] = yield* Effect.all([tracker.track("s-1"), tracker.untrack("s-1")], {
          concurrency: "unbounded"
        })
        expect(tracked.state).toBe("tracking")
        expect(untracked).toBe(true)
        yield* Fleet.advance(10_000)
        expect(transport.calls).toEqual([])
        expect((yield* tracker.stats).tracking).toBe(0)
        expect(Option.getOrThrow(yield* tracker.get("s-1")).state).toBe("untracked")
      }))

    it.scoped("rejects a malformed session id before storing anything", () =>
      Effect.gen(function*() {
        const { tracker } = yield* Fleet.make({ script: processing })
        const empty = yield* Effect.flip(tracker.track(""))
        const long = yield* Effect.flip(tracker.track("x".repeat(257)))
        const control = yield* Effect.flip(tracker.track("a\nb"))
        expect([empty._tag, long._tag, control._tag]).toEqual(["InvalidArgument", "InvalidArgument", "InvalidArgument"])
        expect((yield* tracker.list()).sessions).toEqual([])
      }))

    it.scoped("untrack stops polling, drops a poll in flight, and fails awaitCompletion with NotTracked", () =>
      Effect.gen(function*() {
        const { store, tracker, transport } = yield* Fleet.make({
          script: Transport.withStatus((call) => ({
            ...Transport.progress(call.sessionId, "processing", `st-${call.n}`),
            latencyMillis: 1000
          })),
          tracker: { interval: "2 seconds" }
        })
        const live: Array<string> = []
        yield* Effect.fork(Stream.runForEach(tracker.events, (event) => Effect.sync(() => live.push(event.id))))
        yield* Fleet.flush
        yield* tracker.track("s-1")
        const waiting = yield* Effect.fork(tracker.awaitCompletion("s-1"))
        // run until the second poll is in flight (the first one's snapshot is an event)
        while (transport.inFlight === 0 || transport.callsOf("s-1").length < 2) yield* Fleet.advance(100)
        expect(yield* tracker.untrack("s-1")).toBe(true)
        const eventsAtUntrack = (yield* store.events("s-1")).length
        const liveAtUntrack = live.length
        expect(liveAtUntrack).toBeGreaterThan(0)
        const polls = transport.callsOf("s-1").length
        yield* Fleet.advance(20_000)
        expect(transport.callsOf("s-1")).toHaveLength(polls)
        expect((yield* store.events("s-1")).length).toBe(eventsAtUntrack)
        expect(live).toHaveLength(liveAtUntrack)
        const result = yield* Fiber.join(waiting).pipe(Effect.either)
        expect(Either.isLeft(result) && result.left._tag).toBe("NotTracked")
        expect(Option.getOrThrow(yield* tracker.get("s-1")).state).toBe("untracked")
        expect(yield* Effect.flip(tracker.awaitCompletion("s-1"))).toMatchObject({ _tag: "NotTracked" })
        expect(yield* tracker.untrack("s-1")).toBe(false)
        // tracking it again starts afresh, numbering on from the old events
        const again = yield* tracker.track("s-1")
        expect(again.state).toBe("tracking")
        const events = yield* store.events("s-1")
        expect(events[events.length - 1]!.tag).toBe("Tracked")
        expect(new Set(events.map((event) => event.id)).size).toBe(events.length)
      }))
  })

  describe("tracing", () => {
    for (const traceRequests of [false, true]) {
      it.scoped(`a poll makes the client's span${traceRequests ? " and the HTTP span (traceRequests)" : ", not the HTTP span"}`, () =>
        Effect.gen(function*() {
          const native = yield* Effect.tracer
          const names: Array<string> = []
          const tracer = Tracer.make({
            span: (...args) => {
              names.push(args[0])
              return native.span(...args)
            },
            context: native.context
          })
          const { tracker } = yield* Effect.withTracer(
            Fleet.make({ script: processing, tracker: { interval: "2 seconds", traceRequests } }),
            tracer
          )
          yield* tracker.track("s-1")
          yield* Fleet.advance(2000)
          expect(names).toContain("BankConnectClient.getProgress")
          expect(names.some((name) => name.startsWith("http.client"))).toBe(traceRequests)
        }))
    }
  })

  describe("events", () => {
    it.scoped("a progress event only when the snapshot changed; an unchanged snapshot writes nothing", () =>
      Effect.gen(function*() {
        const writes: Array<ReadonlyArray<TrackerStore.Write>> = []
        const memory = TrackerStore.makeMemory({ retainAcknowledged: true })
        const store: TrackerStore.Service = {
          ...memory,
          write: (batch) => Effect.zipRight(Effect.sync(() => writes.push(batch)), memory.write(batch))
        }
        const stages = ["a", "a", "a", "b", "b", "b"]
        const { tracker } = yield* Fleet.make({
          store,
          script: Transport.withStatus((call) =>
            call.n < stages.length
              ? Transport.progress(call.sessionId, "processing", `st-${stages[call.n]}`)
              : Transport.progress(call.sessionId, "completed", "st-b")
          )
        })
        const seen = yield* Effect.fork(Stream.runCollect(Stream.take(tracker.events, 5)))
        yield* Fleet.flush
        yield* tracker.track("s-1")
        yield* Fleet.advance(20_000)
        const events = Chunk.toReadonlyArray(yield* Fiber.join(seen))
        expect(events.map((event) => event._tag)).toEqual([
          "Tracked",
          "ProgressChanged",
          "ProgressChanged",
          "ProgressChanged",
          "Completed"
        ])
        expect(events.map((event) => event.id)).toEqual(["s-1:1", "s-1:2", "s-1:3", "s-1:4", "s-1:5"])
        // seven polls, three writes of changes: "a", "b", and the completed snapshot with Completed
        const updates = writes.flat().filter((write) => write._tag === "Update")
        expect(updates.map((update) => update._tag === "Update" ? update.events.map((e) => e.tag) : [])).toEqual([
          ["ProgressChanged"],
          ["ProgressChanged"],
          ["ProgressChanged", "Completed"]
        ])
        expect(writes.flat().filter((write) => write._tag === "Track")).toHaveLength(1)
      }))

    it.scoped("the handler is retried with backoff, its session's later events wait, and each is acknowledged once it succeeds", () =>
      Effect.gen(function*() {
        const handled: Array<{ readonly id: string; readonly at: number; readonly ok: boolean }> = []
        let failures = 0
        const { store, tracker } = yield* Fleet.make({
          script: completesAt(3000),
          tracker: {
            handlerRetry: Schedule.exponential("1 second"),
            handler: (event) =>
              Effect.gen(function*() {
                const at = DateTime.toEpochMillis(yield* DateTime.now)
                const ok = !(event.id === "s-1:1" && failures++ < 2)
                handled.push({ id: event.id, at, ok })
                if (!ok) return yield* Effect.fail("downstream unavailable")
              })
          }
        })
        yield* tracker.track("s-1")
        yield* tracker.track("s-2")
        yield* Fleet.advance(1)
        // s-2 is not held up by s-1's failures
        expect(handled.filter((h) => h.id === "s-2:1")).toHaveLength(1)
        const attempts = handled.filter((h) => h.id === "s-1:1")
        expect(attempts.map((h) => h.ok)).toEqual([false])
        expect((yield* store.outboxCounts).pending).toBeGreaterThan(0)
        yield* Fleet.advance(10_000)
        const all = handled.filter((h) => h.id === "s-1:1")
        expect(all.map((h) => h.ok)).toEqual([false, false, true])
        expect(all[1]!.at - all[0]!.at).toBe(1000)
        expect(all[2]!.at - all[1]!.at).toBe(2000)
        // s-1's later events ran only after s-1:1 succeeded, in order, each once
        const s1 = handled.filter((h) => h.id.startsWith("s-1:") && h.ok).map((h) => h.id)
        expect(s1).toEqual(["s-1:1", "s-1:2", "s-1:3", "s-1:4"])
        expect((yield* store.outboxCounts).pending).toBe(0)
        const stored = yield* store.events("s-1")
        const success = all[2]!.at
        expect(stored[0]!.acknowledgedAt).toBe(success)
        expect(stored.every((event) => event.acknowledgedAt !== null)).toBe(true)
      }))

    it.scoped("without a handler, events are stored acknowledged", () =>
      Effect.gen(function*() {
        const { store, tracker } = yield* Fleet.make({ script: processing })
        yield* tracker.track("s-1")
        yield* Fleet.advance(3000)
        const counts = yield* store.outboxCounts
        expect(counts).toEqual({ pending: 0, acknowledged: 2 })
      }))
  })

  describe("completion", () => {
    it.scoped("confirms with the session-status call and emits Completed with the typed account outcomes", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: (call) =>
            call.path === "session_status"
              ? Transport.sessionStatus(call.sessionId, [
                { status: "completed" },
                {
                  status: "failed",
                  code: "INCOMPLETE_MONTHS",
                  message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023"
                }
              ])
              : Transport.progress(call.sessionId, call.at >= 2500 ? "failed" : "processing")
        })
        yield* tracker.track("s-1", { reference: "app-1" })
        yield* Fleet.advance(6000)
        const completed = yield* tracker.awaitCompletion("s-1")
        expect(completed.via).toBe("polling")
        expect(completed.reference).toBe("app-1")
        expect(completed.insightsAvailable).toBe(false)
        const failure = completed.accounts[1]!.failure
        expect(failure?._tag).toBe("IncompleteMonths")
        expect(failure?._tag === "IncompleteMonths" ? failure.months : []).toEqual([
          { year: 2023, month: 11 },
          { year: 2023, month: 12 }
        ])
        expect(completed.accounts[0]!.failure).toBeNull()
        expect(transport.callsOf("s-1", "session_status")).toHaveLength(1)
        // polling stopped
        const polls = transport.callsOf("s-1").length
        yield* Fleet.advance(10_000)
        expect(transport.callsOf("s-1")).toHaveLength(polls)
      }))

    it.scoped("retries the confirmation while the session status is not ready", () =>
      Effect.gen(function*() {
        const { tracker, transport } = yield* Fleet.make({
          script: (call) =>
            call.path === "session_status"
              ? call.n === 0
                ? Transport.apiError(400, "PROCESSING_NOT_COMPLETED")
                : Transport.sessionStatus(call.sessionId)
              : Transport.progress(call.sessionId, "completed")
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(10_000)
        const completed = yield* tracker.awaitCompletion("s-1")
        expect(completed._tag).toBe("Completed")
        expect(transport.callsOf("s-1", "session_status")).toHaveLength(2)
      }))

    it.scoped("awaitCompletion answers at once for a session already completed", () =>
      Effect.gen(function*() {
        const { tracker } = yield* Fleet.make({ script: completesAt(0) })
        yield* tracker.track("s-1")
        yield* Fleet.advance(3000)
        const fiber = yield* Effect.fork(tracker.awaitCompletion("s-1"))
        yield* Fleet.flush
        const exit = yield* Fiber.poll(fiber)
        expect(Option.isSome(exit) && Exit.isSuccess(exit.value)).toBe(true)
        expect(yield* Effect.flip(tracker.awaitCompletion("never-tracked"))).toMatchObject({ _tag: "NotTracked" })
      }))

    it.scoped("onInsights gets the insights before Completed is written, and a failure confirms again later", () =>
      Effect.gen(function*() {
        const seen: Array<string> = []
        let fail = true
        const { store, tracker, transport } = yield* Fleet.make({
          script: (call) =>
            call.path === "session_status"
              ? Transport.sessionStatus(call.sessionId)
              : call.path === "insights"
              ? { status: 200, body: { session_id: call.sessionId, accounts: [] } }
              : Transport.progress(call.sessionId, "completed"),
          tracker: {
            interval: "2 seconds",
            onInsights: (insights, session) =>
              Effect.suspend(() => {
                seen.push(`${session.sessionId} ${insights.session_id}`)
                if (fail) {
                  fail = false
                  return Effect.fail("storage down")
                }
                return Effect.void
              })
          }
        })
        yield* tracker.track("s-1")
        yield* Fleet.advance(1999)
        expect(seen).toEqual(["s-1 s-1"])
        expect(yield* Fleet.storedEvents(store, "s-1")).toEqual(["Tracked", "ProgressChanged"])
        yield* Fleet.advance(4000)
        expect(seen).toEqual(["s-1 s-1", "s-1 s-1"])
        expect(yield* Fleet.storedEvents(store, "s-1")).toEqual(["Tracked", "ProgressChanged", "Completed"])
        expect(transport.callsOf("s-1", "insights")).toHaveLength(2)
      }))
  })

  describe("restart", () => {
    it.scoped("a new tracker on the same store resumes the tracked sessions, spread, without repeating events", () =>
      Effect.gen(function*() {
        const store = TrackerStore.makeMemory({ retainAcknowledged: true })
        const script = Transport.withStatus((call) =>
          Transport.progress(call.sessionId, call.sessionId === "done" ? "completed" : "processing")
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const { tracker } = yield* Fleet.make({ store, script })
          yield* tracker.trackAll(["done", ...ids(100)].map((sessionId) => ({ sessionId })))
          yield* Fleet.advance(3000)
        }))
        const { tracker, transport } = yield* Fleet.make({ store, script })
        expect((yield* tracker.stats).tracking).toBe(100)
        yield* Fleet.advance(1999)
        expect(transport.callsOf("done")).toEqual([])
        const first = transport.calls.filter((call) => call.n === 0)
        expect(first).toHaveLength(100)
        expect(new Set(first.map((call) => Math.floor(call.at / 200))).size).toBeGreaterThan(7)
        yield* Fleet.advance(5000)
        expect(yield* Fleet.storedEvents(store, "s-0001")).toEqual(["Tracked", "ProgressChanged"])
        expect(yield* Fleet.storedEvents(store, "done")).toEqual(["Tracked", "ProgressChanged", "Completed"])
      }))

    it.scoped("list pages sessions by state", () =>
      Effect.gen(function*() {
        const { tracker } = yield* Fleet.make({
          script: Transport.withStatus((call) =>
            Transport.progress(call.sessionId, call.sessionId.endsWith("0") ? "completed" : "processing")
          )
        })
        yield* tracker.trackAll(ids(25).map((sessionId) => ({ sessionId })))
        yield* Fleet.advance(3000)
        const page1 = yield* tracker.list({ state: "tracking", limit: 10 })
        const page2 = yield* tracker.list({ state: "tracking", limit: 10, after: page1.next })
        const page3 = yield* tracker.list({ state: "tracking", limit: 10, after: page2.next })
        expect(page1.sessions).toHaveLength(10)
        expect(page3.next).toBeUndefined()
        const all = [...page1.sessions, ...page2.sessions, ...page3.sessions].map((s) => s.sessionId)
        expect(all).toHaveLength(22)
        expect(all).toEqual([...all].sort())
        const completed = yield* tracker.list({ state: "completed" })
        expect(completed.sessions.map((s) => s.sessionId)).toEqual(["s-0000", "s-0010", "s-0020"])
        expect(completed.sessions[0]!.outcome?._tag).toBe("Completed")
      }))
  })
})
