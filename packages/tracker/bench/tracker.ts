/**
 * The tracker's benchmark: `npx tsx packages/tracker/bench/tracker.ts [--quick]`.
 *
 * Each case runs in a fresh process (this file, forked with `--expose-gc`), over an
 * in-memory transport answering "processing" to every progress call (the same transport
 * as `packages/bench`'s many-sessions rows), so only the client side is measured:
 *
 * - `tracker`: the tracker, N sessions, on the memory or the libsql store;
 * - `tracker, stub client`: the same with a `BankConnectClient` that answers from memory
 *   without HTTP, to separate the scheduler's own cost from the client's;
 * - `watchProgress`: the baseline, one `watchProgress` stream per session
 *   (`maxRequestsInFlight` 32 on the client).
 *
 * Figures: heap per session (after full collections, with the sessions running, minus the
 * same before tracking them), CPU (CPU time over wall time in the window, 1 = a core;
 * collector threads count), and lateness (each poll's start minus the previous poll's
 * start plus the interval, as `packages/bench` measures it; the window starts after the
 * first round; a saturated process can hold its timers back, so the polls themselves open
 * and close the window too). Prints a markdown table of figures against the targets, and the
 * JSON. Case names given as arguments select cases (`... tracker.ts "stub"`); `--quick`
 * shortens the windows; `BENCH_NODE_OPTIONS` adds Node options to every case's process
 * (`BENCH_NODE_OPTIONS=--max-semi-space-size=64`, say).
 */
import { BankConnectClient, Progress } from "@effect-bankconnect/client"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { fork } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { SqlTrackerStore, Tracker, TrackerStore } from "../src/index.js"

interface Case {
  readonly name: string
  readonly contender: "tracker" | "tracker-stub" | "watchProgress"
  readonly sessions: number
  readonly intervalMs: number
  /** With a receiver attached and this as `fallbackInterval`. */
  readonly fallback?: boolean
  readonly store?: "memory" | "libsql"
  /** How long to measure, after the first round. */
  readonly windowMs: number
  readonly targets: {
    readonly heapPerSessionBytes?: number
    readonly p99LatenessMs?: number
    readonly cpu?: number
  }
}

interface Spread {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

interface Report {
  readonly name: string
  readonly sessions: number
  readonly intervalMs: number
  readonly heapPerSessionBytes: number
  readonly cpu: number
  readonly windowSeconds: number
  readonly polls: number
  readonly latenessMs: Spread
  readonly startSeconds: number
  readonly targets: Case["targets"]
}

const quick = process.argv.includes("--quick")

const cases: ReadonlyArray<Case> = [
  {
    name: "watchProgress x 10,000 (baseline, maxRequestsInFlight 32)",
    contender: "watchProgress",
    sessions: 10_000,
    intervalMs: 2000,
    windowMs: quick ? 6000 : 16_000,
    targets: {}
  },
  {
    name: "tracker, 10,000 sessions at 2 s, memory store",
    contender: "tracker",
    sessions: 10_000,
    intervalMs: 2000,
    store: "memory",
    windowMs: quick ? 6000 : 16_000,
    targets: { heapPerSessionBytes: 2048, p99LatenessMs: 50, cpu: 0.5 }
  },
  {
    name: "tracker, 10,000 sessions at 2 s, memory store, stub client (no HTTP)",
    contender: "tracker-stub",
    sessions: 10_000,
    intervalMs: 2000,
    store: "memory",
    windowMs: quick ? 6000 : 16_000,
    targets: {}
  },
  {
    name: "tracker, 100,000 sessions at a 30 s fallback interval, memory store",
    contender: "tracker",
    sessions: 100_000,
    intervalMs: 30_000,
    fallback: true,
    store: "memory",
    windowMs: quick ? 32_000 : 62_000,
    targets: { heapPerSessionBytes: 2048, p99LatenessMs: 100 }
  },
  {
    name: "tracker, 100,000 sessions at a 30 s fallback interval, memory store, stub client (no HTTP)",
    contender: "tracker-stub",
    sessions: 100_000,
    intervalMs: 30_000,
    fallback: true,
    store: "memory",
    windowMs: quick ? 32_000 : 62_000,
    targets: {}
  },
  {
    name: "tracker, 10,000 sessions at 2 s, libsql store (file)",
    contender: "tracker",
    sessions: 10_000,
    intervalMs: 2000,
    store: "libsql",
    windowMs: quick ? 6000 : 16_000,
    targets: { p99LatenessMs: 50, cpu: 1 }
  }
]

// --- one case, in its own process

const sessionId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`
const indexOf = (id: string) => Number(id.slice(-12))

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

const spread = (samples: Float64Array): Spread => {
  const sorted = Float64Array.from(samples).sort()
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) }
}

const runCase = async (c: Case): Promise<Report> => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  // the samples are allocated before the first heap reading
  const expected = Math.ceil(c.windowMs / c.intervalMs + 2) * c.sessions
  const lateness = new Float64Array(Math.min(expected, 4_000_000))
  const previous = new Float64Array(c.sessions)
  let count = 0
  let polls = 0
  // The window: it opens one interval (plus 500 ms) after the sessions are tracked, and closes
  // `windowMs` later. A saturated process can hold its timers back for minutes (the answers of
  // an in-memory transport settle on promises, which run before timers), so the polls
  // themselves open and close it too, whichever comes first.
  let phase: "starting" | "warming" | "measuring" | "done" = "starting"
  let opensAt = Infinity
  let closesAt = Infinity
  let cpu = process.cpuUsage()
  let windowStart = 0
  let closed: () => void = () => {}
  const windowClosed = new Promise<void>((resolve) => (closed = resolve))
  const open = () => {
    if (phase !== "warming") return
    phase = "measuring"
    cpu = process.cpuUsage()
    windowStart = performance.now()
    closesAt = windowStart + c.windowMs
    setTimeout(close, c.windowMs)
  }
  const close = () => {
    if (phase !== "measuring") return
    phase = "done"
    closed()
  }
  const record = (id: string) => {
    const now = performance.now()
    if (phase === "warming" && now >= opensAt) open()
    if (phase === "measuring" && now >= closesAt) close()
    const i = indexOf(id)
    if (phase === "measuring") {
      polls++
      if (previous[i]! > 0 && count < lateness.length) lateness[count++] = now - previous[i]! - c.intervalMs
    }
    previous[i] = now
  }
  // each answer is the session's own (the client refuses another session's snapshot): the
  // body around the id is made once
  const [head, tail] = body("<id>").split("<id>") as [string, string]
  const init = { status: 200, headers: { "content-type": "application/json" } }
  // the in-memory transport: every request answered at once, in a fresh Response
  const transport = HttpClient.make((request) =>
    Effect.sync(() => {
      const id = /session_data\/([^/]+)\/progress/.exec(request.url)![1]!
      record(id)
      return HttpClientResponse.fromWeb(request, new Response(head + id + tail, init))
    })
  )
  const client = await Effect.runPromise(
    Effect.provide(
      BankConnectClient.BankConnectClient,
      BankConnectClient.layer({
        apiKey: Redacted.make("bench-api-key"),
        serverHash: Redacted.make("bench-server-hash"),
        maxRequestsInFlight: c.contender === "watchProgress" ? 32 : undefined
      }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, transport)))
    )
  )
  const snapshots = new Map<number, Progress.SessionProgress>()
  const stub: BankConnectClient.Service = {
    ...client,
    getProgress: (id) =>
      Effect.sync(() => {
        record(id)
        const key = indexOf(id)
        let snapshot = snapshots.get(key % 64)
        if (snapshot === undefined) {
          snapshot = Effect.runSync(Progress.decode(JSON.parse(body(sessionId(key % 64)))))
          snapshots.set(key % 64, snapshot)
        }
        // the tracker checks nothing of the id here: one snapshot per 64 sessions is shared
        return snapshot
      })
  }
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-bench-"))
  const scope = Effect.runSync(Scope.make())
  const ids = Array.from({ length: c.sessions }, (_, i) => sessionId(i))

  const before = heap()
  const started = performance.now()
  const watches: Array<Fiber.RuntimeFiber<void>> = []
  if (c.contender === "watchProgress") {
    for (const id of ids) {
      watches.push(Effect.runFork(
        Stream.runDrain(client.watchProgress(id, { interval: c.intervalMs })).pipe(Effect.catchAll(() => Effect.void))
      ))
    }
  } else {
    const store = c.store === "libsql"
      ? SqlTrackerStore.layerLibsql({ url: `file:${Path.join(dir, "bench.db")}` })
      : TrackerStore.layerMemory
    // the store lives in the case's scope (Effect.provide would close it when make returns)
    const storeContext = await Effect.runPromise(Scope.extend(Layer.build(store), scope))
    const tracker = await Effect.runPromise(
      Tracker.make({
        interval: c.fallback ? 2000 : c.intervalMs,
        ...(c.fallback ? { fallbackInterval: c.intervalMs } : {}),
        maxRequestsInFlight: 32
      }).pipe(
        Effect.provide(storeContext),
        Effect.provideService(BankConnectClient.BankConnectClient, c.contender === "tracker-stub" ? stub : client),
        Scope.extend(scope)
      )
    )
    if (c.fallback) await Effect.runPromise(Scope.extend(tracker.attachReceiver, scope))
    for (let i = 0; i < ids.length; i += 10_000) {
      await Effect.runPromise(tracker.trackAll(ids.slice(i, i + 10_000).map((id) => ({ sessionId: id }))))
    }
  }
  const startSeconds = (performance.now() - started) / 1000
  // the first round: every session polled once
  phase = "warming"
  opensAt = performance.now() + c.intervalMs + 500
  setTimeout(open, c.intervalMs + 500)
  await windowClosed
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - windowStart
  const after = heap()
  // stop polling, so that the report is not held back
  await Effect.runPromise(c.contender === "watchProgress" ? Fiber.interruptAll(watches) : Scope.close(scope, Exit.void))
  Fs.rmSync(dir, { recursive: true, force: true })
  return {
    name: c.name,
    sessions: c.sessions,
    intervalMs: c.intervalMs,
    heapPerSessionBytes: (after - before) / c.sessions,
    cpu: (used.user + used.system) / 1000 / wall,
    windowSeconds: wall / 1000,
    polls,
    latenessMs: spread(lateness.subarray(0, count)),
    startSeconds,
    targets: c.targets
  }
}

// --- the parent: one process per case, then the table

const self = fileURLToPath(import.meta.url)

const runChild = (c: Case) =>
  new Promise<Report>((resolve, reject) => {
    const child = fork(self, ["--case", JSON.stringify(c)], {
      execArgv: [
        "--import",
        "tsx",
        "--expose-gc",
        "--max-old-space-size=4096",
        ...(process.env.BENCH_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [])
      ]
    })
    child.once("message", (report) => {
      resolve(report as Report)
      child.kill()
    })
    child.once("exit", (code) => reject(new Error(`${c.name}: exited with ${code} before reporting`)))
  })

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`
const ms = (value: number) => Number.isNaN(value) ? "-" : value < 10 ? value.toFixed(1) : value.toFixed(0)
const verdict = (value: number, target: number | undefined, show: (n: number) => string) =>
  target === undefined ? "" : `${value <= target ? "met" : "missed"} (target <= ${show(target)})`

const table = (reports: ReadonlyArray<Report>) => {
  const lines = [
    "| case | sessions | start (s) | polls in window | heap/session | CPU (1 = a core) | lateness p50 / p99 / max (ms) |",
    "|---|---|---|---|---|---|---|"
  ]
  for (const r of reports) {
    lines.push(
      `| ${r.name} | ${r.sessions.toLocaleString("en")} | ${r.startSeconds.toFixed(1)} | ${
        r.polls.toLocaleString("en")
      } | ${kb(r.heapPerSessionBytes)} | ${r.cpu.toFixed(2)} | ${ms(r.latenessMs.p50)} / ${ms(r.latenessMs.p99)} / ${
        ms(r.latenessMs.max)
      } |`
    )
  }
  lines.push("", "| case | target | figure | verdict |", "|---|---|---|---|")
  for (const r of reports) {
    const t = r.targets
    if (t.heapPerSessionBytes !== undefined) {
      lines.push(
        `| ${r.name} | heap/session | ${kb(r.heapPerSessionBytes)} | ${
          verdict(r.heapPerSessionBytes, t.heapPerSessionBytes, kb)
        } |`
      )
    }
    if (t.p99LatenessMs !== undefined) {
      lines.push(
        `| ${r.name} | p99 lateness | ${ms(r.latenessMs.p99)} ms | ${
          verdict(r.latenessMs.p99, t.p99LatenessMs, (n) => `${n} ms`)
        } |`
      )
    }
    if (t.cpu !== undefined) {
      lines.push(`| ${r.name} | CPU | ${r.cpu.toFixed(2)} | ${verdict(r.cpu, t.cpu, (n) => `${n} core`)} |`)
    }
  }
  return lines.join("\n")
}

if (process.argv[2] === "--case") {
  const report = await runCase(JSON.parse(process.argv[3]!) as Case)
  process.send?.(report, () => process.exit(0))
} else {
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"))
  const selected = only.length === 0 ? cases : cases.filter((c) => only.some((o) => c.name.includes(o)))
  const reports: Array<Report> = []
  for (const c of selected) {
    process.stderr.write(`running: ${c.name}\n`)
    reports.push(await runChild(c))
  }
  const machine = `${Os.cpus()[0]?.model ?? "?"}, ${Os.cpus().length} cores, Node ${process.version}, load ${
    Os.loadavg().map((n) => n.toFixed(1)).join(" ")
  }`
  process.stdout.write(`${table(reports)}\n\nMachine: ${machine}\n\n${JSON.stringify({ machine, reports }, null, 2)}\n`)
}
