/**
 * One replica for the replicas bench (`replicas.ts`), in a process of its own: a tracker on
 * Postgres over an in-memory transport that answers "processing" (so the figures are the
 * tracker's and the database's, not an API's). It counts its polls, and the statements and
 * transactions it sends Postgres (from `@effect/sql`'s spans), and answers the driver's
 * questions over IPC.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { Tracker } from "../src/index.js"
import * as PgTrackerStore from "../src/PgTrackerStore.js"

export interface Options {
  readonly id: string
  readonly url: string
  readonly prefix: string
  readonly interval: number
  readonly leaseTtl: number
  /** The first replica tracks this many sessions. */
  readonly track: number
}

export type Request =
  | { readonly _tag: "counts" }
  | { readonly _tag: "polledSince"; readonly since: number }

export interface Counts {
  readonly polls: number
  readonly statements: number
  readonly transactions: number
}

process.on("disconnect", () => process.exit(0))

const run = (options: Options) => {
  const counts = { polls: 0, statements: 0, transactions: 0 }
  /** Each session's polls, the latest first few kept: when it was polled. */
  const lastPolls = new Map<string, Array<number>>()
  const body = (sessionId: string) =>
    JSON.stringify({
      session_id: sessionId,
      session_progress: "processing",
      progress: [{
        statement_id: "st-1",
        identity_status: "completed",
        transaction_status: "completed",
        processing_status: "processing",
        fraud_status: "processing",
        message: null,
        source: "pdf"
      }]
    })
  const transport = HttpClient.make((request) =>
    Effect.sync(() => {
      const sessionId = decodeURIComponent(/session_data\/([^/]+)\//.exec(request.url)?.[1] ?? "")
      counts.polls++
      const times = lastPolls.get(sessionId) ?? []
      times.push(Date.now())
      if (times.length > 8) times.shift()
      lastPolls.set(sessionId, times)
      return HttpClientResponse.fromWeb(
        request,
        new Response(body(sessionId), { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )
  const Client = BankConnectClient.layer({
    apiKey: Redacted.make("bench-api-key"),
    serverHash: Redacted.make("bench-server-hash"),
    retry: { times: 0 }
  }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, transport)))

  const Live = Tracker.layer({
    interval: options.interval,
    maxRequestsInFlight: 32,
    replica: { id: options.id, leaseTtl: options.leaseTtl, claimBatchSize: 1000 }
  }).pipe(
    Layer.provide(
      PgTrackerStore.layer({ url: Redacted.make(options.url), maxConnections: 4, tablePrefix: options.prefix })
    ),
    Layer.provide(Client)
  )

  const counting = Effect.map(Effect.tracer, (native) =>
    Tracer.make({
      span: (...args) => {
        const name = args[0]
        if (name === "sql.execute") counts.statements++
        else if (name === "sql.transaction") counts.transactions++
        return native.span(...args)
      },
      context: native.context
    }))

  process.on("message", (request: Request) => {
    if (request._tag === "counts") process.send?.({ ...counts } satisfies Counts)
    else {
      const firsts: Array<readonly [string, number]> = []
      for (const [sessionId, times] of lastPolls) {
        const first = times.find((at) => at >= request.since)
        if (first !== undefined) firsts.push([sessionId, first])
      }
      process.send?.(firsts)
    }
  })

  Effect.gen(function*() {
    const tracker = yield* Tracker.Tracker
    if (options.track > 0) {
      const ids = Array.from({ length: options.track }, (_, i) => ({ sessionId: `s-${String(i).padStart(6, "0")}` }))
      for (let i = 0; i < ids.length; i += 1000) yield* tracker.trackAll(ids.slice(i, i + 1000))
    }
    process.send?.({ _tag: "ready" })
    return yield* Effect.never
  }).pipe(
    Effect.provide(Live),
    (effect) => Effect.flatMap(counting, (tracer) => Effect.withTracer(effect, tracer)),
    NodeRuntime.runMain
  )
}

process.once("message", (options) => run(options as Options))
