/**
 * Many sessions: concurrent watches polling every 2 seconds, each run in a fresh process
 * (`manySessionsWorker.ts`) so heap and CPU belong to that run alone. Over an in-memory
 * transport answering "processing" (only the library is measured) at 1,000, 10,000 and
 * 50,000 watches, against a hand-written `setTimeout` loop, and at 10,000 against a bare
 * Effect `Stream` with the same schedule; at 1,000 also without `maxRequestsInFlight`;
 * then 1,000 sessions against the simulator over loopback, against a `fetch` loop.
 */
import * as ChildProcess from "./childProcess.js"
import type { Options, Report } from "./manySessionsWorker.js"
import type { Ready } from "./simulatorProcess.js"

export interface SessionsResult extends Report {
  readonly transport: "in-memory" | "loopback (simulator)"
  readonly contender: string
  readonly seconds: number
  /** For `watchProgress` at 10,000 watches: its heap per watch against the bare Stream's, as measured. */
  readonly finding?: string | undefined
}

const names: Record<Options["contender"], string> = {
  library: "watchProgress",
  baseline: "setTimeout loop + JSON.parse + check",
  "stream-floor": "bare Effect Stream (repeatEffectWithSchedule)"
}

const intervalMs = 2000

const runOne = async (
  transport: SessionsResult["transport"],
  options: Omit<Options, "intervalMs">
): Promise<SessionsResult> => {
  const started = performance.now()
  const report = await ChildProcess.run<Report>(
    "./manySessionsWorker.ts",
    [JSON.stringify({ ...options, intervalMs } satisfies Options)],
    ["--expose-gc", "--max-old-space-size=8192"]
  )
  const contender = names[options.contender] +
    (options.maxRequestsInFlight === undefined ? "" : ` (maxRequestsInFlight ${options.maxRequestsInFlight})`)
  process.stderr.write(
    `  ${options.watchers} x ${contender} (${transport}): ${((performance.now() - started) / 1000).toFixed(0)} s\n`
  )
  return { ...report, transport, contender, seconds: options.seconds }
}

/** Creates `count` sessions in the simulator that stay processing for the whole run (and send no webhook). */
export const createSessions = async (simulator: Ready, count: number) => {
  const ids: Array<string> = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${simulator.url}/__simulator/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ stageMillis: { identity: 3_600_000 }, webhook: { send: false } })
    })
    if (!response.ok) throw new Error(`creating a session: ${response.status} ${await response.text()}`)
    ids.push(((await response.json()) as { sessionId: string }).sessionId)
  }
  return ids
}

/** The bound `watchProgress` runs with, but for the one run without it to show the burst. */
const maxRequestsInFlight = 32

export const run = async (): Promise<ReadonlyArray<SessionsResult>> => {
  const results: Array<SessionsResult> = []
  // the library for the 20 seconds the issue names; the floors, and the runs that only
  // show a contrast, are steady well before
  const floor = 4
  const library = 20
  const contrast = 10
  for (const watchers of [1_000, 10_000, 50_000]) {
    results.push(await runOne("in-memory", { contender: "baseline", watchers, seconds: floor }))
    if (watchers === 10_000) {
      // long enough for all 10,000 streams to start and tick on a loaded machine, as the library's window is
      results.push(await runOne("in-memory", { contender: "stream-floor", watchers, seconds: contrast }))
    }
    if (watchers === 1_000) {
      results.push(await runOne("in-memory", { contender: "library", watchers, seconds: contrast }))
    }
    results.push(await runOne("in-memory", { contender: "library", watchers, seconds: library, maxRequestsInFlight }))
  }
  const simulator = ChildProcess.start<Ready>("./simulatorProcess.ts")
  try {
    const ready = await simulator.message
    const sim = { ...ready, sessionIds: await createSessions(ready, 1_000) }
    results.push(
      await runOne("loopback (simulator)", { contender: "baseline", watchers: 1_000, seconds: floor, simulator: sim })
    )
    results.push(
      await runOne("loopback (simulator)", {
        contender: "library",
        watchers: 1_000,
        seconds: contrast,
        maxRequestsInFlight,
        simulator: sim
      })
    )
  } finally {
    await simulator.stop()
  }
  return withFinding(results)
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** The library's heap per watch at 10,000 against the bare Stream floor measured beside it. */
const withFinding = (results: ReadonlyArray<SessionsResult>): ReadonlyArray<SessionsResult> => {
  const floor = results.find((r) => r.transport === "in-memory" && r.contender.startsWith(names["stream-floor"]))
  return results.map((r) =>
    floor !== undefined && r.transport === "in-memory" && r.watchers === 10_000 &&
      r.contender.startsWith(names.library)
      ? {
        ...r,
        finding: `${kb(r.heapPerWatcherBytes - floor.heapPerWatcherBytes)} per watch above the bare Effect Stream ` +
          `with the same schedule (${kb(floor.heapPerWatcherBytes)}), measured at 10,000 in separate processes${
            floor.snapshots === 0
              ? " (the floor's run recorded no snapshot: its heap was taken while its streams were still starting)"
              : ""
          }`
      }
      : r
  )
}

const ms = (n: number) => !Number.isFinite(n) ? "-" : n >= 100 ? n.toFixed(0) : n.toFixed(1)

/** The results as a markdown table. */
export const table = (results: ReadonlyArray<SessionsResult>): string =>
  [
    "| transport | watches | contender | window (s) | heap/watch | CPU (1 = a core) | first snapshot p50 / max (ms) | lateness p50 / p99 / max (ms) | snapshots | failed |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.transport} | ${r.watchers.toLocaleString("en")} | ${r.contender} | ${r.windowSeconds.toFixed(0)} | ` +
      `${(r.heapPerWatcherBytes / 1024).toFixed(1)} KB | ` +
      `${r.cpuShare.toFixed(2)} | ${ms(r.firstSnapshotMs.p50)} / ${ms(r.firstSnapshotMs.max)} | ` +
      `${ms(r.latenessMs.p50)} / ${ms(r.latenessMs.p99)} / ${ms(r.latenessMs.max)} | ${
        r.snapshots.toLocaleString("en")
      } | ${r.failed} |`
    )
  ].join("\n")
