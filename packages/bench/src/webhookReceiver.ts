/**
 * Webhook receiver: `Webhook.serve` against a raw `node:http` server that only parses the
 * JSON and answers 200, and against the same as a bare `@effect/platform` app (the floor
 * under any receiver built on the platform), each in a process of its own, loaded by
 * autocannon from another. Rounds rotate the servers; each result is the median over the
 * rounds, with throughput as a share of the raw server's.
 */
import * as ChildProcess from "./childProcess.js"
import { median } from "./harness.js"
import type { Report, Run } from "./loadProcess.js"
import type { Ready } from "./webhookServerProcess.js"

export interface ReceiverResult extends Report {
  readonly server: string
  readonly connections: number
  readonly rounds: number
  readonly secondsPerRound: number
  /** requests per second / the raw server's (higher is better). */
  readonly throughputRatio: number
}

const servers = [
  ["raw", "raw node:http: parse JSON, answer 200"],
  ["platform", "@effect/platform NodeHttpServer: parse JSON, answer 200"],
  ["library", "Webhook.serve (decode, dedupe, publish)"]
] as const

const connections = 32
const rounds = 3
const seconds = 4

/** Runs the loads in turn from one load-generator process. */
const load = (runs: ReadonlyArray<Run>) =>
  ChildProcess.run<ReadonlyArray<Report>>("./loadProcess.ts", [JSON.stringify(runs)])

export const run = async (): Promise<ReadonlyArray<ReceiverResult>> => {
  const started = servers.map(([mode]) => ChildProcess.start<Ready>("./webhookServerProcess.ts", [mode]))
  try {
    const urls = await Promise.all(started.map((child) => child.message.then((ready) => ready.url)))
    // warm up every server's JIT before anything counts, then rotate who goes first each
    // round, so none always runs on a warmer or cooler machine
    const order = Array.from({ length: rounds }, (_, round) => servers.map((_, k) => (round + k) % servers.length))
      .flat()
    const done = await load([
      ...urls.map((url) => ({ url, seconds: 1, connections })),
      ...order.map((i) => ({ url: urls[i]!, seconds, connections }))
    ])
    const reports: Array<Array<Report>> = servers.map(() => [])
    order.forEach((i, n) => reports[i]!.push(done[urls.length + n]!))
    const medians = reports.map((runs): Report => ({
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      failures: runs.reduce((sum, r) => sum + r.failures, 0)
    }))
    return medians.map((report, i) => ({
      ...report,
      server: servers[i]![1],
      connections,
      rounds,
      secondsPerRound: seconds,
      throughputRatio: report.requestsPerSecond / medians[0]!.requestsPerSecond
    }))
  } finally {
    await Promise.all(started.map((child) => child.stop()))
  }
}

/** The results as a markdown table. */
export const table = (results: ReadonlyArray<ReceiverResult>): string =>
  [
    "| server (valid ENRICHMENT_NOTIFICATION posts, each a new session) | req/s | p50 / p99 (ms) | vs raw | failed requests |",
    "|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.server} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} / ${r.p99Ms} | ${
        r.throughputRatio.toFixed(2)
      }x | ${r.failures} |`
    )
  ].join("\n")
