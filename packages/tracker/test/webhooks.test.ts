import { WebhookServer } from "@effect-bankconnect/client"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Tracker, TrackerStore } from "../src/index.js"
import * as Transport from "./utils/transport.js"

// Real webhook servers on 127.0.0.1 and real time: the HTTP path is what is tested.

const enrichment = (sessionId: string) =>
  JSON.stringify({
    session_id: sessionId,
    event_name: "ENRICHMENT_NOTIFICATION",
    accounts: [{
      bank_name: "sbi",
      account_id: "acc-1",
      account_status: "completed",
      error_code: "",
      error_message: ""
    }]
  })

const post = (url: string, body: string) =>
  Effect.promise(() => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body }))

// polled once an hour: only the webhook can make a session due within the test
const hourly = { interval: "1 hour", fallbackInterval: "1 hour" } as const

describe("webhooks over HTTP", () => {
  it.live("Tracker.layerWebhookServer: a delivery makes the session due at once, and it completes via the webhook", () => {
    const transport = Transport.make(Transport.withStatus((call) => Transport.progress(call.sessionId, "completed")))
    const layer = Tracker.layerWebhookServer().pipe(
      Layer.provideMerge(Tracker.layer(hourly)),
      Layer.provide(TrackerStore.layerMemory),
      Layer.provide(transport.client())
    )
    return Effect.gen(function*() {
      const tracker = yield* Tracker.Tracker
      const server = yield* WebhookServer.WebhookEvents
      expect((yield* tracker.stats).receivers).toBe(1)
      yield* tracker.track("s-1")
      expect(transport.calls).toEqual([])
      const response = yield* post(server.url, enrichment("s-1"))
      expect(response.status).toBe(200)
      const completed = yield* tracker.awaitCompletion("s-1").pipe(Effect.timeout("10 seconds"))
      expect(completed.via).toBe("webhook")
      expect(transport.callsOf("s-1")).toHaveLength(1)
      // a delivery for a session it does not track is answered, and changes nothing
      expect((yield* post(server.url, enrichment("stranger"))).status).toBe(200)
      expect(transport.callsOf("stranger")).toEqual([])
    }).pipe(Effect.provide(layer))
  })

  it.live("Tracker.layerWebhookEvents: the events of a running receiver reach the tracker", () => {
    const transport = Transport.make(Transport.withStatus((call) => Transport.progress(call.sessionId, "completed")))
    const layer = Tracker.layerWebhookEvents.pipe(
      Layer.provideMerge(Layer.merge(Tracker.layer(hourly), WebhookServer.layer())),
      Layer.provide(TrackerStore.layerMemory),
      Layer.provide(transport.client())
    )
    return Effect.gen(function*() {
      const tracker = yield* Tracker.Tracker
      const server = yield* WebhookServer.WebhookEvents
      expect((yield* tracker.stats).receivers).toBe(1)
      yield* tracker.track("s-2")
      // the layer subscribes to the server's events in a fiber of its own
      yield* Effect.sleep("100 millis")
      expect((yield* post(server.url, enrichment("s-2"))).status).toBe(200)
      const completed = yield* tracker.awaitCompletion("s-2").pipe(Effect.timeout("10 seconds"))
      expect(completed.via).toBe("webhook")
    }).pipe(Effect.provide(layer))
  })
})
