/**
 * One replica of a tracker in a process of its own, on Postgres, for the replicas test.
 * It waits for its `Options` over IPC, then runs until it is killed or its parent goes
 * away. The first replica tracks the sessions (and says `tracked`); the others only run.
 * Its calls carry `x-simulator-client: <id>`, so the simulator's log tells the replicas
 * apart; its handler appends `<event id> <tag> <replica id>` to a log file.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import { RateLimit, Tracker } from "../../src/index.js"
import * as PgTrackerStore from "../../src/PgTrackerStore.js"

export interface Options {
  readonly id: string
  readonly url: string
  readonly log: string
  readonly baseUrl: string
  readonly apiKey: string
  readonly serverHash: string
  readonly interval: number
  readonly leaseTtl: number
  /** The first replica tracks these. */
  readonly sessionIds?: ReadonlyArray<string> | undefined
}

export type Message = { readonly _tag: "tracked" }

process.on("disconnect", () => process.exit(0))

const run = (options: Options) => {
  const Tagged = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.mapRequest(HttpClientRequest.setHeader("x-simulator-client", options.id))
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const Client = BankConnectClient.layer({
    apiKey: Redacted.make(options.apiKey),
    serverHash: Redacted.make(options.serverHash),
    baseUrl: options.baseUrl,
    retry: { times: 1 }
  }).pipe(Layer.provide(RateLimit.layer), Layer.provide(Tagged))

  const Live = Tracker.layer({
    interval: options.interval,
    maxRequestsInFlight: 16,
    replica: { id: options.id, leaseTtl: options.leaseTtl },
    handler: (event) => Effect.sync(() => Fs.appendFileSync(options.log, `${event.id} ${event._tag} ${options.id}\n`))
  }).pipe(
    Layer.provide(PgTrackerStore.layer({ url: Redacted.make(options.url), maxConnections: 4 })),
    Layer.provide(Client)
  )

  Effect.gen(function*() {
    const tracker = yield* Tracker.Tracker
    if (options.sessionIds !== undefined) {
      yield* tracker.trackAll(options.sessionIds.map((sessionId) => ({ sessionId })))
      process.send?.({ _tag: "tracked" } satisfies Message)
    }
    return yield* Effect.never
  }).pipe(Effect.provide(Live), NodeRuntime.runMain)
}

process.once("message", (options) => run(options as Options))
