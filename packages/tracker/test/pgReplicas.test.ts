import { WebhookPayload } from "@effect-bankconnect/client"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Tracker, TrackerStore } from "../src/index.js"
import * as PgTrackerStore from "../src/PgTrackerStore.js"
import { type Postgres, startPostgres } from "./utils/postgres.js"
import * as Transport from "./utils/transport.js"

// Two replicas on a real Postgres, in one process (each with its own pool), on the live
// clock: what only Postgres does here is real (LISTEN/NOTIFY, the dedupe table's claims).

let postgres: Postgres | undefined
beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(() => postgres?.stop())

const processing = Transport.withStatus((call) => Transport.progress(call.sessionId, "processing"))

const replica = (id: string, prefix: string) =>
  Effect.gen(function*() {
    const transport = Transport.make(processing)
    const context = yield* Layer.build(
      Layer.provideMerge(
        Tracker.layer({ interval: "20 seconds", replica: { id, leaseTtl: "30 seconds" } }),
        PgTrackerStore.layer({ url: Redacted.make(postgres!.url), maxConnections: 3, tablePrefix: prefix })
      ).pipe(Layer.provide(transport.client()))
    )
    return {
      tracker: Context.get(context, Tracker.Tracker),
      store: Context.get(context, TrackerStore.TrackerStore),
      transport
    }
  })

const sleep = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

describe("replicas on Postgres", () => {
  it.live(
    "a webhook taken by one replica wakes the replica polling the session (NOTIFY), at once",
    () =>
      Effect.gen(function*() {
        const a = yield* replica("a", "wake_")
        const b = yield* replica("b", "wake_")
        yield* a.tracker.track("s-1")
        // its first poll, within one interval
        while (a.transport.callsOf("s-1").length === 0) yield* sleep(50)
        yield* sleep(300)
        const before = a.transport.callsOf("s-1").length
        const sentAt = Date.now()
        yield* b.tracker.onEvent(
          yield* WebhookPayload.decode({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "s-1", accounts: [] })
        )
        while (a.transport.callsOf("s-1").length === before && Date.now() - sentAt < 5000) yield* sleep(20)
        // polled again far sooner than its 20-second interval, and only by a
        expect(a.transport.callsOf("s-1").length).toBe(before + 1)
        expect(Date.now() - sentAt).toBeLessThan(2000)
        expect(b.transport.callsOf("s-1")).toEqual([])
      }).pipe(Effect.scoped),
    30_000
  )

  it.live("the replicas' receivers share one dedupe table", () =>
    Effect.gen(function*() {
      const a = yield* replica("a", "dedupe_")
      const b = yield* replica("b", "dedupe_")
      expect(a.tracker.dedupe).toBeDefined()
      expect(yield* a.tracker.dedupe!.claim!("key-1")).toBe("new")
      expect(yield* b.tracker.dedupe!.claim!("key-1")).toBe("busy")
      yield* a.tracker.dedupe!.add("key-1")
      expect(yield* b.tracker.dedupe!.claim!("key-1")).toBe("handled")
    }).pipe(Effect.scoped), 30_000)
})
