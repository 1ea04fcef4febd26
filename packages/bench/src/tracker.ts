/**
 * The fleet tracker (`@effect-bankconnect/tracker`, issue #15), each case in a fresh process
 * (`trackerWorker.ts`) so heap and CPU belong to that case alone:
 *
 * - over an in-memory transport answering "processing" to every progress call (only the
 *   client side is measured): `watchProgress` at 10,000 sessions (the baseline, in the same
 *   run), the tracker at 10,000 sessions every 2 seconds on the memory store and on the libsql
 *   store (a file), and at 100,000 sessions at a 30-second fallback interval (a receiver
 *   attached);
 * - against the simulator (another process) over loopback: 1,000 sessions, `watchProgress`
 *   and the tracker.
 *
 * Where the tracker misses a target on the memory store, the same case runs again over a
 * stub client (`getProgress` answered from memory, without HTTP): the difference between
 * the two is what the client's calls cost, the rest is the tracker's own. `targets` puts
 * each target of the issue beside its figure and, where missed, the remaining cost as
 * these rows measured it.
 */
import * as ChildProcess from "./childProcess.js"
import { createSessions } from "./manySessions.js"
import type { Ready } from "./simulatorProcess.js"
import type { Options, Report } from "./trackerWorker.js"

/** The cases, by key. */
export type CaseKey =
  | "watch-10k"
  | "tracker-10k"
  | "stub-10k"
  | "tracker-100k"
  | "stub-100k"
  | "libsql-10k"
  | "watch-loopback-1k"
  | "tracker-loopback-1k"

/** One case's figures, as `results/latest.json` keeps them. */
export interface CaseResult extends Report {
  readonly key: CaseKey
  readonly transport: "in-memory" | "loopback (simulator)"
  readonly contender: string
  readonly sessions: number
  readonly intervalMs: number
  /** With a receiver attached: `intervalMs` is the `fallbackInterval`. */
  readonly fallback: boolean
}

/** The tracker's section of `results/latest.json`: it may come from a run of its own (`pnpm bench tracker`). */
export interface TrackerResults {
  /** When the run ended, ISO 8601. */
  readonly date: string
  readonly machine: {
    readonly cpu: string
    readonly cores: number
    readonly memoryGiB: number
    readonly node: string
    readonly platform: string
  }
  /** How long the tracker's cases took. */
  readonly seconds: number
  readonly cases: ReadonlyArray<CaseResult>
}

interface Case {
  readonly key: CaseKey
  readonly contender: string
  readonly options: Omit<Options, "simulator">
  readonly loopback?: boolean
}

// the windows: long enough for several polls of every session (at 30 seconds, one more
// after the first round), short enough for the suite to take a few minutes
const window10k = 10_000
const window100k = 32_000

/** How long each case measures, after the first round: at a 2-second interval, and at 30 seconds. */
export const windowSeconds = { short: window10k / 1000, long: window100k / 1000 }

const cases: ReadonlyArray<Case> = [
  {
    key: "watch-10k",
    contender: "watchProgress (maxRequestsInFlight 32)",
    options: {
      contender: "watchProgress",
      sessions: 10_000,
      intervalMs: 2000,
      fallback: false,
      store: "memory",
      windowMs: window10k
    }
  },
  {
    key: "tracker-10k",
    contender: "tracker, memory store",
    options: {
      contender: "tracker",
      sessions: 10_000,
      intervalMs: 2000,
      fallback: false,
      store: "memory",
      windowMs: window10k
    }
  },
  {
    key: "stub-10k",
    contender: "tracker, memory store, stub client (no HTTP)",
    options: {
      contender: "tracker-stub",
      sessions: 10_000,
      intervalMs: 2000,
      fallback: false,
      store: "memory",
      windowMs: window10k
    }
  },
  {
    key: "tracker-100k",
    contender: "tracker, memory store",
    options: {
      contender: "tracker",
      sessions: 100_000,
      intervalMs: 30_000,
      fallback: true,
      store: "memory",
      windowMs: window100k
    }
  },
  {
    key: "stub-100k",
    contender: "tracker, memory store, stub client (no HTTP)",
    options: {
      contender: "tracker-stub",
      sessions: 100_000,
      intervalMs: 30_000,
      fallback: true,
      store: "memory",
      windowMs: window100k
    }
  },
  {
    key: "libsql-10k",
    contender: "tracker, libsql store (file)",
    options: {
      contender: "tracker",
      sessions: 10_000,
      intervalMs: 2000,
      fallback: false,
      store: "libsql",
      windowMs: window10k
    }
  },
  {
    key: "watch-loopback-1k",
    contender: "watchProgress (maxRequestsInFlight 32)",
    options: {
      contender: "watchProgress",
      sessions: 1_000,
      intervalMs: 2000,
      fallback: false,
      store: "memory",
      windowMs: window10k
    },
    loopback: true
  },
  {
    key: "tracker-loopback-1k",
    contender: "tracker, memory store",
    options: {
      contender: "tracker",
      sessions: 1_000,
      intervalMs: 2000,
      fallback: false,
      store: "memory",
      windowMs: window10k
    },
    loopback: true
  }
]

/** The stub-client case that explains a tracker case's missed target. */
const stubOf: Partial<Record<CaseKey, CaseKey>> = { "tracker-10k": "stub-10k", "tracker-100k": "stub-100k" }

const runCase = async (c: Case, simulator?: Options["simulator"]): Promise<CaseResult> => {
  const started = performance.now()
  const report = await ChildProcess.run<Report>(
    "./trackerWorker.ts",
    [JSON.stringify({ ...c.options, ...(simulator === undefined ? {} : { simulator }) } satisfies Options)],
    ["--expose-gc", "--max-old-space-size=4096"]
  )
  process.stderr.write(
    `  ${c.options.sessions} x ${c.contender}${c.loopback ? " (loopback)" : ""}: ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s\n`
  )
  return {
    ...report,
    key: c.key,
    transport: c.loopback ? "loopback (simulator)" : "in-memory",
    contender: c.contender,
    sessions: c.options.sessions,
    intervalMs: c.options.intervalMs,
    fallback: c.options.fallback
  }
}

/** Runs the cases (a stub-client case only where its tracker case missed a target). */
export const run = async (): Promise<ReadonlyArray<CaseResult>> => {
  const results: Array<CaseResult> = []
  const stubs = new Set(Object.values(stubOf))
  const missedKeys = () => new Set(targets(results).filter((t) => t.figure !== undefined && !t.met).map((t) => t.key))
  for (const c of cases.filter((c) => !c.loopback)) {
    if (stubs.has(c.key)) {
      const explained = (Object.keys(stubOf) as Array<CaseKey>).find((key) => stubOf[key] === c.key)!
      if (!missedKeys().has(explained)) continue
    }
    results.push(await runCase(c))
  }
  const simulator = ChildProcess.start<Ready>("./simulatorProcess.ts")
  try {
    const ready = await simulator.message
    const sessionIds = await createSessions(ready, 1_000)
    for (const c of cases.filter((c) => c.loopback)) {
      results.push(await runCase(c, { ...ready, sessionIds }))
    }
  } finally {
    await simulator.stop()
  }
  return results
}

// --- the targets of issue #15, against the figures

/** A figure, `null` when the run had no sample (JSON writes `NaN` as `null`). */
const isFigure = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n)

const ms = (n: number | null | undefined) => !isFigure(n) ? "-" : n >= 100 ? n.toFixed(0) : n.toFixed(1)
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`
const core = (n: number) => n.toFixed(2)
const count = (n: number) => n.toLocaleString("en")

/** CPU microseconds per poll in the window. */
export const cpuPerPollMicros = (r: CaseResult) => r.polls === 0 ? Number.NaN : r.cpu * r.windowSeconds * 1e6 / r.polls

/** Polls a second in the window. */
const rate = (r: CaseResult) => r.polls / r.windowSeconds

/** Polls a second when every session is polled on time. */
const fullRate = (r: CaseResult) => r.sessions * 1000 / r.intervalMs

/**
 * The CPU the case needs, in cores: what it used, or, where the polls fell behind the full
 * rate (a process that gets less than the CPU it needs polls less), its CPU per poll at
 * the full rate, whichever is more.
 */
export const cpuNeeded = (r: CaseResult) =>
  r.polls === 0 ? r.cpu : Math.max(r.cpu, cpuPerPollMicros(r) * fullRate(r) / 1e6)

/** The CPU figure: what was used, and what the full rate needs when the polls fell behind it. */
const cpuFigure = (r: CaseResult) =>
  rate(r) >= 0.95 * fullRate(r) || !isFigure(cpuPerPollMicros(r))
    ? `${core(r.cpu)} core`
    : `${core(r.cpu)} core (${core(cpuNeeded(r))} at the full ${count(Math.round(fullRate(r)))} polls a second)`

/** A lateness figure, or that there was no sample. */
const msFigure = (n: number | null | undefined) => isFigure(n) ? `${ms(n)} ms` : "no sample"

/** One target: its goal, this run's figure and the baseline's, whether it is met, and what remains when not. */
export interface Target {
  /** The tracker case it is read from. */
  readonly key: CaseKey
  readonly measure: string
  readonly goal: string
  /** `undefined` when the run did not measure it. */
  readonly figure: string | undefined
  /** The `watchProgress` figure of the same run, where there is one. */
  readonly baseline: string | undefined
  readonly met: boolean
  /** Where missed: the remaining cost, as the rows measured it. */
  readonly finding: string | undefined
}

/** Each target of the issue, against the cases in `results` (a case that did not run: not measured). */
export const targets = (results: ReadonlyArray<CaseResult>): ReadonlyArray<Target> => {
  const find = (key: CaseKey) => results.find((r) => r.key === key)
  const watch = find("watch-10k")
  const t10k = find("tracker-10k")
  const stub10k = find("stub-10k")
  const t100k = find("tracker-100k")
  const stub100k = find("stub-100k")
  const libsql = find("libsql-10k")
  const watchLoop = find("watch-loopback-1k")
  const loop = find("tracker-loopback-1k")

  const perPoll = (r: CaseResult) => `${cpuPerPollMicros(r).toFixed(0)} µs of CPU a poll`
  const p99 = (r: CaseResult | undefined) => r?.latenessMs.p99

  /** What the stub row (the tracker without the client's HTTP) says of a missed figure. */
  const split = (r: CaseResult, stub: CaseResult | undefined) =>
    stub === undefined
      ? "the stub-client case did not run"
      : `with a stub client (getProgress answered from memory, no HTTP) the same case used ${core(stub.cpu)} core, ${
        perPoll(stub)
      }, p99 lateness ${msFigure(p99(stub))}: the tracker's own share; the other ${
        (cpuPerPollMicros(r) - cpuPerPollMicros(stub)).toFixed(0)
      } µs a poll are the client's getProgress over HTTP (request, response, body, decode)`

  const cpuFinding = (r: CaseResult, goal: number, stub: CaseResult | undefined) =>
    `${core(r.cpu)} core at ${count(Math.round(rate(r)))} polls a second, ${perPoll(r)}, where ${goal} core at ${
      count(Math.round(fullRate(r)))
    } polls a second allows ${(goal * 1e6 / fullRate(r)).toFixed(0)} µs; ${split(r, stub)}`

  const latenessFinding = (r: CaseResult, stub: CaseResult | undefined) =>
    `p99 ${msFigure(p99(r))} (p50 ${msFigure(r.latenessMs.p50)}) with ${core(r.cpu)} core used, ${perPoll(r)}, ${
      count(Math.round(rate(r)))
    } of the ${count(Math.round(fullRate(r)))} polls a second due answered; ${split(r, stub)}`

  const heapFinding = (r: CaseResult, stub: CaseResult | undefined) =>
    `${kb(r.heapPerSessionBytes)} a session${
      stub === undefined ? "" : `; with the stub client, ${kb(stub.heapPerSessionBytes)}`
    }`

  const heapTarget = (
    key: CaseKey,
    r: CaseResult | undefined,
    stub: CaseResult | undefined,
    label: string
  ): Target => ({
    key,
    measure: `${label}: heap per session`,
    goal: "at most 2 KB",
    figure: r && kb(r.heapPerSessionBytes),
    baseline: key === "tracker-10k" && watch ? kb(watch.heapPerSessionBytes) : undefined,
    met: r !== undefined && r.heapPerSessionBytes <= 2048,
    finding: r && heapFinding(r, stub)
  })

  const latenessTarget = (
    key: CaseKey,
    r: CaseResult | undefined,
    most: number,
    label: string,
    baseline: CaseResult | undefined,
    finding: (r: CaseResult) => string
  ): Target => ({
    key,
    measure: `${label}: p99 lateness`,
    goal: `at most ${most} ms`,
    figure: r && msFigure(p99(r)),
    baseline: baseline && msFigure(p99(baseline)),
    met: r !== undefined && isFigure(p99(r)) && p99(r)! <= most,
    finding: r && finding(r)
  })

  const at10k = "10,000 sessions at 2 s, memory store"
  const at100k = "100,000 sessions at a 30 s fallback interval, memory store"
  const onLibsql = "10,000 sessions at 2 s, libsql store (file)"
  const overLoopback = "1,000 sessions at 2 s against the simulator over loopback"
  return [
    heapTarget("tracker-10k", t10k, stub10k, at10k),
    latenessTarget("tracker-10k", t10k, 50, at10k, watch, (r) => latenessFinding(r, stub10k)),
    {
      key: "tracker-10k",
      measure: `${at10k}: CPU (1 = a core)`,
      goal: "at most 0.5 core",
      figure: t10k && cpuFigure(t10k),
      baseline: watch && cpuFigure(watch),
      met: t10k !== undefined && cpuNeeded(t10k) <= 0.5,
      finding: t10k && cpuFinding(t10k, 0.5, stub10k)
    },
    heapTarget("tracker-100k", t100k, stub100k, at100k),
    latenessTarget("tracker-100k", t100k, 100, at100k, undefined, (r) => latenessFinding(r, stub100k)),
    {
      key: "libsql-10k",
      measure: `${onLibsql}: CPU (1 = a core)`,
      goal: "at most 1 core",
      figure: libsql && cpuFigure(libsql),
      baseline: watch && cpuFigure(watch),
      met: libsql !== undefined && cpuNeeded(libsql) <= 1,
      finding: libsql &&
        `${core(libsql.cpu)} core, ${perPoll(libsql)} at ${count(Math.round(rate(libsql)))} of the ${
          count(Math.round(fullRate(libsql)))
        } polls a second due, ${count(libsql.storeWrites ?? 0)} changes written in the window${
          t10k === undefined
            ? ""
            : `; the memory store's row: ${perPoll(t10k)}, so the libsql store's share is ${
              (cpuPerPollMicros(libsql) - cpuPerPollMicros(t10k)).toFixed(0)
            } µs a poll`
        }${stub10k === undefined ? "" : `, and the tracker's own (the stub-client row) ${perPoll(stub10k)}`}`
    },
    {
      key: "libsql-10k",
      measure: `${onLibsql}: unchanged snapshots written (every answer after a session's first is the same)`,
      goal: "none",
      figure: libsql && count(libsql.unchangedWrites ?? 0),
      baseline: undefined,
      met: libsql !== undefined && libsql.unchangedWrites === 0,
      finding: libsql &&
        `${count(libsql.unchangedWrites ?? 0)} changes written for a session after its first snapshot's`
    },
    latenessTarget(
      "tracker-loopback-1k",
      loop,
      100,
      overLoopback,
      watchLoop,
      (r) =>
        `p99 ${msFigure(p99(r))} with ${core(r.cpu)} core used; the progress requests' own round trip was ${
          msFigure(r.roundTripMs?.p50)
        } (p50) and ${msFigure(r.roundTripMs?.p99)} (p99), ${count(Math.round(rate(r)))} of the ${
          count(Math.round(fullRate(r)))
        } polls a second due answered; the simulator that answers them is one process on the same machine${
          watchLoop === undefined ? "" : `; watchProgress over the same loopback: p99 ${msFigure(p99(watchLoop))}`
        }`
    )
  ]
}

/** The cases as a markdown table. */
export const table = (results: ReadonlyArray<CaseResult>): string =>
  [
    "| transport | sessions | contender | interval | start / settle (s) | window (s) | polls | heap/session | CPU (1 = a core) | CPU µs/poll | lateness p50 / p99 / max (ms) | writes in window / unchanged | failed |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.transport} | ${count(r.sessions)} | ${r.contender} | ${r.intervalMs / 1000} s${
        r.fallback ? " (fallback)" : ""
      } | ${r.startSeconds.toFixed(1)} / ${r.settleSeconds.toFixed(1)} | ${r.windowSeconds.toFixed(0)} | ${
        count(r.polls)
      } | ${kb(r.heapPerSessionBytes)} | ${core(r.cpu)} | ${
        isFigure(cpuPerPollMicros(r)) ? cpuPerPollMicros(r).toFixed(0) : "-"
      } | ${ms(r.latenessMs.p50)} / ${ms(r.latenessMs.p99)} / ${ms(r.latenessMs.max)} | ${
        r.storeWrites === null ? "-" : `${count(r.storeWrites)} / ${count(r.unchangedWrites ?? 0)}`
      } | ${r.failed} |`
    )
  ].join("\n")

/** The targets as a markdown table, and a line per missed one with its finding. */
export const targetsTable = (results: ReadonlyArray<CaseResult>): string => {
  const all = targets(results)
  const missed = all.filter((t) => t.figure !== undefined && !t.met)
  return [
    [
      "| measure | target | tracker | watchProgress, same run | verdict |",
      "|---|---|---|---|---|",
      ...all.map((t) =>
        `| ${t.measure} | ${t.goal} | ${t.figure ?? "-"} | ${t.baseline ?? "-"} | ${
          t.figure === undefined ? "not measured" : t.met ? "met" : "missed"
        } |`
      )
    ].join("\n"),
    missed.map((t) => `- **${t.measure}** (${t.figure}): ${t.finding ?? "no finding"}.`).join("\n")
  ].filter((part) => part !== "").join("\n\n")
}
