/**
 * The replicas benchmark (issue #16), run by `pnpm bench replicas`: the tracker's own script
 * (`packages/tracker/bench/replicas.ts`, which starts Postgres and the replica processes) in
 * a child process, its JSON line read back. The result's shape is defined here, and the
 * script writes it.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/** One row: the fleet polled by this many replicas. */
export interface ThroughputRow {
  readonly replicas: number
  readonly sessions: number
  readonly demandPerSecond: number
  readonly pollsPerSecond: number
  readonly roundTripsPerPoll: number
}

/** What the script measures. */
export interface Result {
  readonly throughput: ReadonlyArray<ThroughputRow>
  readonly takeover: {
    readonly sessions: number
    readonly leaseTtlMillis: number
    readonly intervalMillis: number
    readonly p50Millis: number
    readonly maxMillis: number
  }
}

/** The results with the date and machine of their own run. */
export interface ReplicasResults {
  readonly date: string
  readonly machine: object
  readonly seconds: number
  readonly result: Result
}

/** At most this many database round trips per poll (issue #16). */
export const roundTripsTarget = 0.1

const script = fileURLToPath(new URL("../../tracker/bench/replicas.ts", import.meta.url))
const root = fileURLToPath(new URL("../../..", import.meta.url))

export const run = async (): Promise<Result> => {
  const out = execFileSync(process.execPath, ["--import", "tsx", script, "--json"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024
  })
  const line = out.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as Result
}

const verdict = (met: boolean) => met ? "met" : "**missed**"

/** The rows, as markdown. */
export const table = (result: Result): string => {
  const { takeover } = result
  const bound = takeover.leaseTtlMillis + takeover.intervalMillis
  return [
    "| replicas | sessions | demand (polls/s) | polls/s | DB round trips per poll | target <= 0.1 |",
    "|---:|---:|---:|---:|---:|---|",
    ...result.throughput.map((row) =>
      `| ${row.replicas} | ${row.sessions} | ${row.demandPerSecond} | ${row.pollsPerSecond} | ${row.roundTripsPerPoll} | ${
        verdict(row.roundTripsPerPoll <= roundTripsTarget)
      } |`
    ),
    "",
    "| take-over after a SIGKILL | sessions | p50 | max | bound (lease TTL + interval) | |",
    "|---|---:|---:|---:|---:|---|",
    `| the other replica polls the killed one's sessions | ${takeover.sessions} | ${takeover.p50Millis} ms | ${takeover.maxMillis} ms | ${bound} ms | ${
      verdict(takeover.maxMillis <= bound)
    } |`
  ].join("\n")
}
