/**
 * Webhook receiver: `Webhook.serve` against a raw `node:http` server that only parses the
 * JSON and answers 200, and against the same as a bare `@effect/platform` app (the floor
 * under any receiver built on the platform), each in a process of its own, loaded by
 * autocannon from another. Rounds rotate the servers; each result is the median over the
 * rounds, with throughput as a share of the raw server's, and the CPU time each server
 * process used per request over all its rounds.
 */
import * as ChildProcess from "./childProcess.js"
import { median } from "./harness.js"
import type { Report, Run } from "./loadProcess.js"
import type { Ready, Usage } from "./webhookServerProcess.js"

export interface ReceiverResult extends Omit<Report, "requests"> {
  readonly server: string
  readonly connections: number
  readonly rounds: number
  readonly secondsPerRound: number
  /** requests per second / the raw server's (higher is better). */
  readonly throughputRatio: number
  /** CPU time the server's process used per request answered, over its rounds, µs. */
  readonly cpuMicrosPerRequest?: number | undefined
  /** For `Webhook.serve`: what it costs beyond the raw server, as measured. */
  readonly finding?: string | undefined
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

/** CPU time each server's process has used so far, µs. */
const usage = (children: ReadonlyArray<ChildProcess.Child<Ready>>) =>
  Promise.all(children.map((child) => ChildProcess.ask<Usage>(child, "usage").then((usage) => usage.cpuMicros)))

export const run = async (): Promise<ReadonlyArray<ReceiverResult>> => {
  const started = servers.map(([mode]) => ChildProcess.start<Ready>("./webhookServerProcess.ts", [mode]))
  try {
    const urls = await Promise.all(started.map((child) => child.message.then((ready) => ready.url)))
    // warm up every server's JIT before anything counts, then rotate who goes first each
    // round, so none always runs on a warmer or cooler machine
    await load(urls.map((url) => ({ url, seconds: 1, connections })))
    const order = Array.from({ length: rounds }, (_, round) => servers.map((_, k) => (round + k) % servers.length))
      .flat()
    // a server is idle but for its own rounds: its CPU time over all the rounds is theirs
    const before = await usage(started)
    const done = await load(order.map((i) => ({ url: urls[i]!, seconds, connections })))
    const after = await usage(started)
    const reports: Array<Array<Report>> = servers.map(() => [])
    order.forEach((i, n) => reports[i]!.push(done[n]!))
    const medians = reports.map((runs, i): Omit<ReceiverResult, "throughputRatio"> => {
      const requests = runs.reduce((sum, r) => sum + r.requests, 0)
      return {
        server: servers[i]![1],
        connections,
        rounds,
        secondsPerRound: seconds,
        requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        failures: runs.reduce((sum, r) => sum + r.failures, 0),
        cpuMicrosPerRequest: requests === 0 ? undefined : (after[i]! - before[i]!) / requests
      }
    })
    const raw = medians[0]!
    return medians.map((result) => ({
      ...result,
      throughputRatio: result.requestsPerSecond / raw.requestsPerSecond,
      finding: result.server.startsWith("Webhook.serve") ? finding(result, raw) : undefined
    }))
  } finally {
    await Promise.all(started.map((child) => child.stop()))
  }
}

const micros = (n: number | undefined) => n === undefined ? "-" : n.toFixed(n >= 100 ? 0 : 1)

/** What `Webhook.serve` costs beyond the raw server: its CPU time per delivery against raw's. */
const finding = (serve: Omit<ReceiverResult, "throughputRatio">, raw: Omit<ReceiverResult, "throughputRatio">) => {
  const [mine, theirs] = [serve.cpuMicrosPerRequest, raw.cpuMicrosPerRequest]
  if (mine === undefined || theirs === undefined) return undefined
  return `Webhook.serve's process used ${micros(mine)} µs of CPU per delivery against the raw server's ${
    micros(theirs)
  } µs (${(mine / theirs).toFixed(2)}x; ${micros(mine - theirs)} µs more), with autocannon on the same cores`
}

/** The results as a markdown table. */
export const table = (results: ReadonlyArray<ReceiverResult>): string =>
  [
    "| server (valid ENRICHMENT_NOTIFICATION posts, each a new session) | req/s | p50 / p99 (ms) | vs raw | CPU µs/request | failed requests |",
    "|---|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.server} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} / ${r.p99Ms} | ${
        r.throughputRatio.toFixed(2)
      }x | ${micros(r.cpuMicrosPerRequest)} | ${r.failures} |`
    )
  ].join("\n")
