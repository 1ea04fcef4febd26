/**
 * A tracker in a process of its own, on a libsql file, for the restart test. It loads,
 * then waits for its `Options` over IPC (so that loading overlaps the simulator's start).
 * `track` mode tracks the sessions (and untracks some at once), then runs; `resume` mode
 * only runs. The handler appends each event's id to a log file before it returns. It
 * reports `tracked` once the sessions are stored, and `done` (then exits) once nothing is
 * tracked and nothing is pending in the outbox.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import { RateLimit, SqlTrackerStore, Tracker, TrackerStore } from "../../src/index.js"

export interface Options {
  readonly mode: "track" | "resume"
  readonly url: string
  readonly log: string
  readonly baseUrl: string
  readonly apiKey: string
  readonly serverHash: string
  readonly sessionIds: ReadonlyArray<string>
  readonly untrack: ReadonlyArray<string>
}

export type Message =
  | { readonly _tag: "loaded" }
  | { readonly _tag: "tracked"; readonly untrackedAt: number }
  | { readonly _tag: "done" }

process.on("disconnect", () => process.exit(0))

const run = (options: Options) => {
  const Client = BankConnectClient.layer({
    apiKey: Redacted.make(options.apiKey),
    serverHash: Redacted.make(options.serverHash),
    baseUrl: options.baseUrl,
    retry: { times: 1 }
  }).pipe(Layer.provide(RateLimit.layer), Layer.provide(NodeHttpClient.layerUndici))

  const Live = Tracker.layer({
    interval: "2 seconds",
    maxRequestsInFlight: 32,
    handler: (event) => Effect.sync(() => Fs.appendFileSync(options.log, `${event.id} ${event._tag}\n`))
  }).pipe(Layer.provideMerge(SqlTrackerStore.layerLibsql({ url: options.url })), Layer.provide(Client))

  Effect.gen(function*() {
    const tracker = yield* Tracker.Tracker
    const store = yield* TrackerStore.TrackerStore
    if (options.mode === "track") {
      yield* tracker.trackAll(options.sessionIds.map((sessionId) => ({ sessionId, reference: `app-${sessionId}` })))
      for (const sessionId of options.untrack) yield* tracker.untrack(sessionId)
      process.send?.({ _tag: "tracked", untrackedAt: Date.now() } satisfies Message)
    }
    while (true) {
      yield* Effect.sleep("250 millis")
      const stats = yield* tracker.stats
      if (stats.tracking > 0 || stats.pendingWrites > 0) continue
      const counts = yield* store.outboxCounts
      if (counts.pending > 0) continue
      yield* Effect.promise(() =>
        new Promise<void>((resolve) => process.send!({ _tag: "done" } satisfies Message, () => resolve()))
      )
      // the IPC channel would keep the process alive
      process.exit(0)
    }
  }).pipe(Effect.provide(Live), NodeRuntime.runMain)
}

process.once("message", (options) => run(options as Options))
// the store imports libsql when it opens: loaded here, before the clock starts
void import("@effect/sql-libsql/LibsqlClient").then(() => process.send?.({ _tag: "loaded" } satisfies Message))
