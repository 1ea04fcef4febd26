/**
 * One tracker case, in a process of its own (started by `tracker.ts` with `--expose-gc`):
 * `sessions` sessions polled every `intervalMs` by the tracker (or by one `watchProgress`
 * each, the baseline), over an in-memory transport answering "processing" to every progress
 * call, or over loopback to the simulator. It reports one `Report`.
 *
 * The window opens once every session has had its first answer, the store has written
 * nothing for half a second (the first round's changes are written), and at least one
 * interval and half a second have passed since tracking; or after a minute whatever the
 * state. It lasts `windowMs`. A saturated process can hold its timers back for many seconds
 * (the in-memory answers settle on promises, which run before timers), so the polls
 * themselves open and close it too, whichever comes first.
 */
import { BankConnectClient, Progress } from "@effect-bankconnect/client"
import { SqlTrackerStore, Tracker, TrackerStore } from "@effect-bankconnect/tracker"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Spread, spread } from "./stats.js"

export interface Options {
  /**
   * `tracker`: `Tracker.make` with `maxRequestsInFlight` 32; `tracker-stub`: the same over a
   * `BankConnectClient` whose `getProgress` answers from memory without HTTP (the scheduler's
   * own cost, without the client's); `watchProgress`: one `watchProgress` stream per session,
   * with the client's `maxRequestsInFlight` 32.
   */
  readonly contender: "tracker" | "tracker-stub" | "watchProgress"
  readonly sessions: number
  readonly intervalMs: number
  /** A receiver attached, and `intervalMs` as the `fallbackInterval` (`interval` stays 2 seconds). */
  readonly fallback: boolean
  readonly store: "memory" | "libsql"
  /** How long to measure, after the first round. */
  readonly windowMs: number
  /** Absent: the in-memory transport. */
  readonly simulator?: {
    readonly baseUrl: string
    readonly apiKey: string
    readonly serverHash: string
    readonly sessionIds: ReadonlyArray<string>
  }
}

export interface Report {
  /** From the first `trackAll` (or the first watch started) until every session was tracked. */
  readonly startSeconds: number
  /**
   * From the end of tracking until the window opened: one interval and half a second, or more
   * while the first round's answers or their writes were still coming (at most a minute).
   */
  readonly settleSeconds: number
  /** How long the window really lasted. */
  readonly windowSeconds: number
  /** Progress answers in the window. */
  readonly polls: number
  /** Heap after full collections in the window, minus the same before tracking, per session. */
  readonly heapPerSessionBytes: number
  /** CPU time over wall time in the window (1 = one core; V8's collector threads count). */
  readonly cpu: number
  /** Each answer's time minus (the same session's previous answer's + the interval), in the window. */
  readonly latenessMs: Spread
  /** From sending a progress request to its answer, in the window (loopback only). */
  readonly roundTripMs: Spread | null
  /**
   * Changes the tracker wrote to its store in the window (a session's record with its events, a
   * track); `null` for `watchProgress`. The first round's changes may still be written in it.
   */
  readonly storeWrites: number | null
  /**
   * Changes written for a session after its first snapshot's, over the whole run: every answer
   * after the first is the same, so each is an unchanged snapshot written. `null` for `watchProgress`.
   */
  readonly unchangedWrites: number | null
  /** Watches that ended with an error, or the tracker's sessions that ended `Failed`. */
  readonly failed: number
}

const options = JSON.parse(process.argv[2]!) as Options
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const sim = options.simulator
const sessionIds = sim?.sessionIds.slice(0, options.sessions) ??
  Array.from({ length: options.sessions }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)
if (sessionIds.length < options.sessions) throw new Error(`only ${sessionIds.length} sessions in the simulator`)
const indexes = new Map(sessionIds.map((id, i) => [id, i]))

// the samples are allocated before the first heap reading, so they are not counted per session
const expected = Math.ceil(options.windowMs / options.intervalMs + 2) * options.sessions
const lateness = new Float64Array(Math.min(expected, 4_000_000))
const roundTrips = new Float64Array(sim === undefined ? 0 : Math.min(expected, 1_000_000))
const previous = new Float64Array(options.sessions)
const sent = new Float64Array(options.sessions)
let latenessCount = 0
let roundTripCount = 0
let polls = 0
let failed = 0
let storeWrites = 0
let unchangedWrites = 0
/** Sessions whose first snapshot was written. */
const written = new Uint8Array(options.sessions)

let phase: "starting" | "warming" | "measuring" | "done" = "starting"
let opensAt = Infinity
let closesAt = Infinity
let cpu = process.cpuUsage()
let windowStart = 0
let closed: () => void = () => {}
const windowClosed = new Promise<void>((resolve) => (closed = resolve))
// the first round: sessions answered once, the store's writes in flight, and when the last
// one ended. The window waits for every first answer and its write (a saturated process or a
// slow store may still be at it one interval later), at most `maxSettleMs`
let answered = 0
let writing = 0
let lastWriteEnd = 0
const quietMs = 500
const maxSettleMs = 60_000
let warmingSince = 0
let settleSeconds = 0
let retry: ReturnType<typeof setTimeout> | undefined
const open = () => {
  if (phase !== "warming") return
  const now = performance.now()
  const settled = answered === options.sessions && writing === 0 && now - lastWriteEnd >= quietMs
  if (!settled && now - warmingSince < maxSettleMs) {
    retry ??= setTimeout(() => {
      retry = undefined
      open()
    }, 100)
    return
  }
  phase = "measuring"
  settleSeconds = (now - warmingSince) / 1000
  cpu = process.cpuUsage()
  windowStart = performance.now()
  closesAt = windowStart + options.windowMs
  setTimeout(close, options.windowMs)
}
const close = () => {
  if (phase !== "measuring") return
  phase = "done"
  closed()
}

/** A progress answer for session `i`, at `now`. */
const record = (i: number) => {
  const now = performance.now()
  if (phase === "warming" && now >= opensAt) open()
  if (phase === "measuring" && now >= closesAt) close()
  if (phase === "measuring") {
    polls++
    if (previous[i]! > 0 && latenessCount < lateness.length) {
      lateness[latenessCount++] = now - previous[i]! - options.intervalMs
    }
    if (sent[i]! > 0 && roundTripCount < roundTrips.length) roundTrips[roundTripCount++] = now - sent[i]!
  }
  if (previous[i] === 0) answered++
  previous[i] = now
}

const progressPath = /session_data\/([^/]+)\/progress/

// each answer is the session's own (the client refuses another session's snapshot): the
// body around the id is made once
const body = (id: string) =>
  JSON.stringify({
    session_id: id,
    session_progress: "processing",
    progress: [0, 1].map((n) => ({
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "processing",
      fraud_status: null,
      statement_id: `4164bc05-7b3f-4a5c-8e31-ca3c2648ec6${n}`,
      message: null,
      source: "pdf"
    }))
  })

/** Every request answered at once, in a fresh `Response`. */
const inMemory = () => {
  const [head, tail] = body("<id>").split("<id>") as [string, string]
  const init = { status: 200, headers: { "content-type": "application/json" } }
  return Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        const id = progressPath.exec(request.url)![1]!
        record(indexes.get(id)!)
        return HttpClientResponse.fromWeb(request, new Response(head + id + tail, init))
      })
    )
  )
}

/** `fetch` to the simulator, each progress request timed from sending to its answer. */
const loopback = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) => {
    const indexOf = (url: string) => indexes.get(progressPath.exec(url)?.[1] ?? "")
    return client.pipe(
      HttpClient.tapRequest((request) =>
        Effect.sync(() => {
          const i = indexOf(request.url)
          if (i !== undefined) sent[i] = performance.now()
        })
      ),
      HttpClient.tap((response) =>
        Effect.sync(() => {
          const i = indexOf(response.request.url)
          if (i !== undefined) record(i)
        })
      )
    )
  })
).pipe(Layer.provide(FetchHttpClient.layer))

const client = await Effect.runPromise(
  Effect.provide(
    BankConnectClient.BankConnectClient,
    BankConnectClient.layer({
      apiKey: Redacted.make(sim?.apiKey ?? "bench-api-key"),
      serverHash: Redacted.make(sim?.serverHash ?? "bench-server-hash"),
      maxRequestsInFlight: options.contender === "watchProgress" ? 32 : undefined,
      ...(sim === undefined ? {} : { baseUrl: sim.baseUrl })
    }).pipe(Layer.provide(sim === undefined ? inMemory() : loopback))
  )
)

// the stub: one decoded snapshot per 64 sessions, shared (the tracker checks nothing of its id here)
const snapshots = new Map<number, Progress.SessionProgress>()
const stub: BankConnectClient.Service = {
  ...client,
  getProgress: (id) =>
    Effect.sync(() => {
      const i = indexes.get(id)!
      record(i)
      let snapshot = snapshots.get(i % 64)
      if (snapshot === undefined) {
        snapshot = Effect.runSync(Progress.decode(JSON.parse(body(sessionIds[i % 64]!))))
        snapshots.set(i % 64, snapshot)
      }
      return snapshot
    })
}

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-bench-"))
const scope = Effect.runSync(Scope.make())

const before = heap()
const started = performance.now()
const watches: Array<Fiber.RuntimeFiber<void>> = []
/** The tracker's sessions that ended `Failed` (at most 1,000 counted), read after the window. */
let countFailed: Effect.Effect<number, unknown> = Effect.succeed(0)
if (options.contender === "watchProgress") {
  for (const id of sessionIds) {
    watches.push(Effect.runFork(
      Stream.runDrain(client.watchProgress(id, { interval: options.intervalMs })).pipe(
        Effect.catchAll(() =>
          Effect.sync(() => {
            failed++
          })
        )
      )
    ))
  }
} else {
  const storeLayer = options.store === "libsql"
    ? SqlTrackerStore.layerLibsql({ url: `file:${Path.join(dir, "bench.db")}` })
    : TrackerStore.layerMemory
  // the store lives in the case's scope (Effect.provide would close it when make returns);
  // its writes are counted in the window
  const built = await Effect.runPromise(Scope.extend(Layer.build(storeLayer), scope))
  const store = Context.get(built, TrackerStore.TrackerStore)
  const counted: TrackerStore.Service = {
    ...store,
    write: (writes) =>
      Effect.suspend(() => {
        if (phase === "measuring") storeWrites += writes.length
        for (const write of writes) {
          if (write._tag !== "Update") continue
          const i = indexes.get(write.session.sessionId)!
          if (written[i] === 1) unchangedWrites++
          written[i] = 1
        }
        writing++
        return Effect.ensuring(
          store.write(writes),
          Effect.sync(() => {
            writing--
            lastWriteEnd = performance.now()
          })
        )
      })
  }
  const tracker = await Effect.runPromise(
    Tracker.make({
      interval: options.fallback ? 2000 : options.intervalMs,
      ...(options.fallback ? { fallbackInterval: options.intervalMs } : {}),
      maxRequestsInFlight: 32
    }).pipe(
      Effect.provideService(TrackerStore.TrackerStore, counted),
      Effect.provideService(BankConnectClient.BankConnectClient, options.contender === "tracker-stub" ? stub : client),
      Scope.extend(scope)
    )
  )
  if (options.fallback) await Effect.runPromise(Scope.extend(tracker.attachReceiver, scope))
  for (let i = 0; i < sessionIds.length; i += 10_000) {
    await Effect.runPromise(tracker.trackAll(sessionIds.slice(i, i + 10_000).map((sessionId) => ({ sessionId }))))
  }
  countFailed = Effect.map(tracker.list({ state: "failed", limit: 1000 }), (page) => page.sessions.length)
}
const startSeconds = (performance.now() - started) / 1000
// the first round: every session polled once
phase = "warming"
warmingSince = performance.now()
opensAt = warmingSince + options.intervalMs + 500
setTimeout(open, options.intervalMs + 500)
await windowClosed
const used = process.cpuUsage(cpu)
const wall = performance.now() - windowStart
const after = heap()
failed += await Effect.runPromise(countFailed)

const report: Report = {
  startSeconds,
  settleSeconds,
  windowSeconds: wall / 1000,
  polls,
  heapPerSessionBytes: (after - before) / options.sessions,
  cpu: (used.user + used.system) / 1000 / wall,
  latenessMs: spread(lateness.subarray(0, latenessCount)),
  roundTripMs: sim === undefined ? null : spread(roundTrips.subarray(0, roundTripCount)),
  storeWrites: options.contender === "watchProgress" ? null : storeWrites,
  unchangedWrites: options.contender === "watchProgress" ? null : unchangedWrites,
  failed
}
// stop polling, so that the report is not held back
await Effect.runPromise(
  options.contender === "watchProgress" ? Fiber.interruptAll(watches) : Scope.close(scope, Exit.void)
)
Fs.rmSync(dir, { recursive: true, force: true })
process.send?.(report, () => process.exit(0))
