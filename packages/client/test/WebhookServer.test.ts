import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Webhook } from "../src/index.js"
import { post } from "./utils/receivers.js"

const enrichment = (sessionId: string) =>
  JSON.stringify({ session_id: sessionId, event_name: "ENRICHMENT_NOTIFICATION", accounts: [] })

describe("Webhook.serve", () => {
  it.live("publishes each handled event to every subscriber, after onEvent", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const server = yield* Webhook.serve({ onEvent: (e) => Effect.sync(() => void seen.push(e.event_name)) })
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/bankconnect$/)
      const first = yield* Effect.fork(Stream.runCollect(Stream.take(server.events, 2)))
      const second = yield* Effect.fork(Stream.runCollect(Stream.take(server.events, 2)))
      yield* Effect.sleep("20 millis")
      yield* post(server.url, enrichment("s-1"))
      yield* post(server.url, enrichment("s-1")) // duplicate: not published again
      yield* post(server.url, JSON.stringify({ event_name: "SESSION_EXPIRY_NOTIFICATION", session_id: "s-2" }))
      for (const fiber of [first, second]) {
        const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
        expect(events.map((e) => e._tag)).toEqual(["EnrichmentNotification", "SessionExpiryNotification"])
      }
      expect(seen).toEqual(["ENRICHMENT_NOTIFICATION", "SESSION_EXPIRY_NOTIFICATION"])
    }).pipe(Effect.scoped))

  it.live("gives a session's enrichment whether it arrived before or after the wait began", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve()
      yield* post(server.url, enrichment("early"))
      expect(Option.map(yield* server.latestEnrichment("early"), (e) => e.session_id)).toEqual(Option.some("early"))
      expect((yield* server.awaitEnrichment("early")).session_id).toBe("early")
      const waiting = yield* Effect.fork(server.awaitEnrichment("late"))
      yield* Effect.sleep("20 millis")
      yield* post(server.url, enrichment("other"))
      yield* post(server.url, enrichment("late"))
      expect((yield* Fiber.join(waiting)).session_id).toBe("late")
    }).pipe(Effect.scoped))

  it.live("serves only its path, and an event whose onEvent failed is not published", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve({ path: "/bc", onEvent: () => Effect.fail("nope") })
      const elsewhere = yield* post(server.url.replace("/bc", "/other"), enrichment("s"))
      expect([elsewhere.status, elsewhere.json.error.code]).toEqual([404, "NOT_FOUND"])
      expect((yield* post(server.url, enrichment("s"))).status).toBe(500)
      expect(yield* server.latestEnrichment("s")).toEqual(Option.none())
    }).pipe(Effect.scoped))

  it.live("uses a given dedupe store, or none", () =>
    Effect.gen(function*() {
      const keys: Array<string> = []
      const store: Webhook.DedupeStore = {
        has: (key) => Effect.sync(() => keys.includes(key)),
        add: (key) => Effect.sync(() => void keys.push(key))
      }
      const shared = yield* Webhook.serve({ dedupe: store })
      yield* post(shared.url, enrichment("s"))
      expect(keys).toHaveLength(1)
      expect((yield* post(shared.url, enrichment("s"))).json).toEqual({ status: "duplicate" })
      let runs = 0
      const none = yield* Webhook.serve({ dedupe: false, onEvent: () => Effect.sync(() => void runs++) })
      yield* post(none.url, enrichment("s"))
      yield* post(none.url, enrichment("s"))
      expect(runs).toBe(2)
    }).pipe(Effect.scoped))

  it.live("interrupts a handler whose client went away, and every handler when its scope closes", () =>
    Effect.gen(function*() {
      const started: Array<string> = []
      const interrupted: Array<string> = []
      const handler = (event: Webhook.Event) => {
        const sessionId = "session_id" in event ? String(event.session_id) : ""
        return Effect.zipRight(
          Effect.sync(() => started.push(sessionId)),
          Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push(sessionId)))
        )
      }
      const post = (url: string, sessionId: string, signal: AbortSignal) =>
        Effect.promise(() =>
          fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: enrichment(sessionId),
            signal
          }).catch(() => undefined)
        )
      const gone = new AbortController()
      const server = yield* Webhook.serve({ onEvent: handler })
      const first = yield* Effect.fork(post(server.url, "gone", gone.signal))
      yield* Effect.promise(() => vi.waitFor(() => expect(started).toEqual(["gone"])))
      gone.abort()
      yield* Fiber.join(first)
      yield* Effect.promise(() => vi.waitFor(() => expect(interrupted).toEqual(["gone"])))

      const scoped = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const inner = yield* Webhook.serve({ onEvent: handler })
        yield* Effect.fork(post(inner.url, "open", new AbortController().signal))
        yield* Effect.promise(() => vi.waitFor(() => expect(started).toContain("open")))
      })))
      yield* Fiber.join(scoped)
      expect(interrupted).toEqual(["gone", "open"])
    }).pipe(Effect.scoped))

  it.live("fails with ServeError when the port is taken", () =>
    Effect.gen(function*() {
      const first = yield* Webhook.serve()
      const error = yield* Effect.flip(Webhook.serve({ port: first.port }))
      expect(error._tag).toBe("ServeError")
      expect(error.message).toContain("could not start")
    }).pipe(Effect.scoped))
})
