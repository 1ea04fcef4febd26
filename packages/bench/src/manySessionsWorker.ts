/**
 * One many-sessions run, in a process of its own (started by `manySessions.ts` with
 * `--expose-gc`): `watchers` concurrent watches polling every `intervalMs` for `seconds`,
 * (see `Options.contender`), over an in-memory transport or over loopback to the simulator.
 * It reports one `Report`.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { checkProgress, progressBody } from "./progressBody.js"
import { type Spread, spread } from "./stats.js"

export interface Options {
  /**
   * `library`: `watchProgress`; `baseline`: a hand-written `setTimeout` loop doing
   * `JSON.parse` and a field check; `stream-floor`: a bare Effect `Stream` of a constant
   * with the same schedule, what any `Stream`-based watch costs before it does anything.
   */
  readonly contender: "library" | "baseline" | "stream-floor"
  readonly watchers: number
  /** The library's `maxRequestsInFlight`; absent, no bound. */
  readonly maxRequestsInFlight?: number
  readonly seconds: number
  readonly intervalMs: number
  /** Absent: the in-memory transport. */
  readonly simulator?: {
    readonly baseUrl: string
    readonly apiKey: string
    readonly serverHash: string
    readonly sessionIds: ReadonlyArray<string>
  }
}

export interface Report {
  readonly watchers: number
  /**
   * How long the window really lasted: more than asked when starting the watches alone takes
   * longer, or a saturated process holds the timer back until a snapshot ends it.
   */
  readonly windowSeconds: number
  /** Snapshots delivered to the watchers in the window. */
  readonly snapshots: number
  /** Watches that ended with an error. */
  readonly failed: number
  /** CPU time over wall time in the window (1 = one core busy all along). */
  readonly cpuShare: number
  /** Heap after full collections at the end of the window, minus before, per watcher. */
  readonly heapPerWatcherBytes: number
  /** From the start until each watcher's first snapshot, ms. */
  readonly firstSnapshotMs: Spread
  /** Each later snapshot's time minus (the previous one's time + the interval), ms. */
  readonly latenessMs: Spread
}

const options = JSON.parse(process.argv[2]!) as Options
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const processing = progressBody(2, "processing")
const sessionIdOf = (i: number) =>
  options.simulator?.sessionIds[i % options.simulator.sessionIds.length] ?? "bfb98ac5-7224-401b-a643-175235856187"

// the samples are allocated before the first heap reading, so they are not counted per watcher
const expectedPerWatcher = Math.ceil(options.seconds * 1000 / options.intervalMs) + 2
const lateness = new Float64Array(options.watchers * expectedPerWatcher)
const firstSnapshot = new Float64Array(options.watchers)
const previous = new Float64Array(options.watchers)
let latenessCount = 0
let firstCount = 0
let snapshots = 0
let failed = 0
let recording = true
let start = 0

const record = (i: number) => {
  if (!recording) return
  const now = performance.now()
  if (now - start >= options.seconds * 1000) return finish()
  snapshots++
  if (previous[i] === 0) {
    firstSnapshot[firstCount++] = now - start
  } else if (latenessCount < lateness.length) {
    lateness[latenessCount++] = now - previous[i]! - options.intervalMs
  }
  previous[i] = now
}

/**
 * The in-memory transport: every request answered at once, in a fresh `Response` (the client
 * reads bodies through their stream, with a size cap).
 */
const inMemory = () => {
  const bytes = new TextEncoder().encode(processing)
  const init = { status: 200, headers: { "content-type": "application/json" } }
  return Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) => Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(bytes, init))))
  )
}

// Each start function starts every watch and returns; the watches run until the process ends.

const startLibrary = async () => {
  const sim = options.simulator
  const layer = BankConnectClient.layer({
    apiKey: Redacted.make(sim?.apiKey ?? "bench-api-key"),
    serverHash: Redacted.make(sim?.serverHash ?? "bench-server-hash"),
    maxRequestsInFlight: options.maxRequestsInFlight,
    ...(sim === undefined ? {} : { baseUrl: sim.baseUrl })
  }).pipe(Layer.provide(sim === undefined ? inMemory() : FetchHttpClient.layer))
  const client = await Effect.runPromise(Effect.provide(BankConnectClient.BankConnectClient, layer))
  start = performance.now()
  for (let i = 0; i < options.watchers; i++) {
    Effect.runFork(
      client.watchProgress(sessionIdOf(i), { interval: options.intervalMs }).pipe(
        Stream.runForEach(() => Effect.sync(() => record(i))),
        Effect.catchAll(() => Effect.sync(() => failed++))
      )
    )
  }
}

const startStreamFloor = () => {
  start = performance.now()
  for (let i = 0; i < options.watchers; i++) {
    Effect.runFork(
      Stream.repeatEffectWithSchedule(Effect.succeed(processing), Schedule.spaced(options.intervalMs)).pipe(
        Stream.runForEach(() => Effect.sync(() => record(i)))
      )
    )
  }
}

const startBaseline = () => {
  const sim = options.simulator
  const headers = {
    "x-api-key": sim?.apiKey ?? "bench-api-key",
    "server-hash": sim?.serverHash ?? "bench-server-hash",
    accept: "application/json"
  }
  const get = sim === undefined
    ? () => Promise.resolve(processing)
    : (i: number) =>
      fetch(`${sim.baseUrl}/v1/session_data/${sessionIdOf(i)}/progress/`, { headers }).then((response) =>
        response.text()
      )
  const poll = (i: number) => {
    get(i).then(
      (text) => {
        const completed = checkProgress(JSON.parse(text))
        record(i)
        if (!completed) setTimeout(() => poll(i), options.intervalMs)
      },
      () => failed++
    )
  }
  start = performance.now()
  for (let i = 0; i < options.watchers; i++) poll(i)
}

const before = heap()
const cpu = process.cpuUsage()

/**
 * Ends the window: the figures, the heap, the report, and the process (the watches are not
 * torn down one by one: with 50,000 fibers that takes long). Called by the window's timer,
 * or by the first snapshot past the window's end: a saturated run can hold timers back for
 * tens of seconds, while snapshots still arrive.
 */
const finish = () => {
  if (!recording) return
  recording = false
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - start
  const after = heap()
  const report: Report = {
    watchers: options.watchers,
    windowSeconds: wall / 1000,
    snapshots,
    failed,
    cpuShare: (used.user + used.system) / 1000 / wall,
    heapPerWatcherBytes: (after - before) / options.watchers,
    firstSnapshotMs: spread(firstSnapshot.subarray(0, firstCount)),
    latenessMs: spread(lateness.subarray(0, latenessCount))
  }
  process.send?.(report, () => process.exit(0))
}

await (options.contender === "library"
  ? startLibrary()
  : options.contender === "baseline"
  ? startBaseline()
  : startStreamFloor())
// the window is timed from the start: starting the watches is part of it
setTimeout(finish, Math.max(0, start + options.seconds * 1000 - performance.now()))
