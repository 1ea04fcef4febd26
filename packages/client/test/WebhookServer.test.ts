import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { vi } from "vitest"
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

  it.live("with a shared store's claim: handled once across receivers, busy while another handles it", () =>
    Effect.gen(function*() {
      // the store two receivers (two replicas) share: a claim is atomic
      const claims = new Map<string, "handling" | "handled">()
      const released: Array<string> = []
      const store: Webhook.DedupeStore = {
        has: () => Effect.die("has is not called when claim is given"),
        claim: (key) =>
          Effect.sync(() => {
            const found = claims.get(key)
            if (found === undefined) {
              claims.set(key, "handling")
              return "new" as const
            }
            return found === "handled" ? "handled" as const : "busy" as const
          }),
        add: (key) => Effect.sync(() => void claims.set(key, "handled")),
        release: (key) =>
          Effect.sync(() => {
            released.push(key)
            claims.delete(key)
          })
      }
      const gate = yield* Deferred.make<void>()
      let runs = 0
      let fail = true
      const onEvent = () =>
        Effect.zipRight(
          Effect.sync(() => void runs++),
          Effect.zipRight(Deferred.await(gate), fail ? Effect.fail("down") : Effect.void)
        )
      const one = yield* Webhook.serve({ dedupe: store, onEvent })
      const two = yield* Webhook.serve({ dedupe: store, onEvent })
      // a copy at each while the first is handled: the second is told to deliver again
      const first = yield* Effect.fork(post(one.url, enrichment("s")))
      yield* Effect.promise(() => vi.waitFor(() => expect(runs).toBe(1)))
      const second = yield* post(two.url, enrichment("s"))
      expect([second.status, second.json.error.code]).toEqual([503, "DELIVERY_IN_PROGRESS"])
      // the first fails: its claim is given back, and the next copy is handled
      yield* Deferred.succeed(gate, void 0)
      expect((yield* Fiber.join(first)).status).toBe(500)
      expect(released).toHaveLength(1)
      fail = false
      expect((yield* post(two.url, enrichment("s"))).json).toEqual({ status: "ok" })
      expect((yield* post(one.url, enrichment("s"))).json).toEqual({ status: "duplicate" })
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

  it.live("keeps the first enrichment handled for a session: a later one does not replace it", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve()
      const withBank = (bank: string) =>
        JSON.stringify({
          session_id: "s-1",
          event_name: "ENRICHMENT_NOTIFICATION",
          accounts: [{ bank_name: bank, account_status: "completed" }]
        })
      expect((yield* post(server.url, withBank("real"))).status).toBe(200)
      expect((yield* post(server.url, withBank("forged"))).status).toBe(200)
      const kept = yield* server.latestEnrichment("s-1")
      expect(Option.map(kept, (e) => e.accounts[0]?.bank_name)).toEqual(Option.some("real"))
      expect((yield* server.awaitEnrichment("s-1")).accounts[0]?.bank_name).toBe("real")
    }).pipe(Effect.scoped))

  it.live("publishes an enrichment over 64 KiB but does not keep it, so a few cannot push the others out", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve()
      const published = yield* Effect.fork(Stream.runCollect(Stream.take(server.events, 2)))
      yield* Effect.sleep("20 millis")
      const sized = (sessionId: string, bytes: number) => {
        const body = enrichment(sessionId)
        return JSON.stringify({ ...JSON.parse(body), padding: "p".repeat(bytes - body.length - 13) })
      }
      const big = sized("big", 64 * 1024 + 1)
      const kept = sized("kept", 64 * 1024)
      expect([big.length, kept.length]).toEqual([64 * 1024 + 1, 64 * 1024])
      expect((yield* post(server.url, big)).status).toBe(200)
      expect((yield* post(server.url, kept)).status).toBe(200)
      expect(yield* server.latestEnrichment("big")).toEqual(Option.none())
      expect(Option.isSome(yield* server.latestEnrichment("kept"))).toBe(true)
      const events = Chunk.toReadonlyArray(yield* Fiber.join(published))
      expect(events.map((e) => "session_id" in e ? e.session_id : null)).toEqual(["big", "kept"])
    }).pipe(Effect.scoped))

  it.live("warns at start when listening beyond loopback without a secret", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") {
            warnings.push(String(Array.isArray(message) ? message.join(" ") : message))
          }
        })
      )
      const start = (options: Webhook.ServeOptions<never, never>) =>
        Effect.scoped(Effect.asVoid(Webhook.serve(options))).pipe(Effect.provide(logger))
      yield* start({ host: "0.0.0.0" })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("0.0.0.0")
      expect(warnings[0]).toContain("without a secret")
      expect(warnings[0]).toContain("secret option")
      yield* start({ host: "0.0.0.0", secret: "s3cret-value" })
      yield* start({})
      yield* start({ host: "localhost" })
      expect(warnings).toHaveLength(1)
    }))

  it.live("answers 503 HANDLER_TIMEOUT past handlerTimeout, interrupting onEvent", () =>
    Effect.gen(function*() {
      const interrupted: Array<string> = []
      const server = yield* Webhook.serve({
        handlerTimeout: "200 millis",
        onEvent: () => Effect.onInterrupt(Effect.never, () => Effect.sync(() => void interrupted.push("hung")))
      })
      const started = Date.now()
      const answer = yield* post(server.url, enrichment("s-1"))
      const millis = Date.now() - started
      expect([answer.status, answer.json.error.code]).toEqual([503, "HANDLER_TIMEOUT"])
      expect(millis).toBeGreaterThanOrEqual(190)
      expect(millis).toBeLessThan(1_500)
      expect(interrupted).toEqual(["hung"])
      expect(yield* server.latestEnrichment("s-1")).toEqual(Option.none())
    }).pipe(Effect.scoped))

  it.live("a copy waiting on a first delivery whose client went away then handles the event itself", () =>
    Effect.gen(function*() {
      let calls = 0
      const server = yield* Webhook.serve({
        onEvent: () => Effect.suspend(() => ++calls === 1 ? Effect.never : Effect.void)
      })
      const gone = new AbortController()
      const send = (signal: AbortSignal) =>
        Effect.promise(() =>
          fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: enrichment("s-1"),
            signal
          })
            .then(async (response) => ({ status: response.status, json: await response.json() }))
            .catch(() => ({ status: 0, json: undefined }))
        )
      const first = yield* Effect.fork(send(gone.signal))
      yield* Effect.promise(() => vi.waitFor(() => expect(calls).toBe(1)))
      const copy = yield* Effect.fork(send(AbortSignal.timeout(3_000)))
      yield* Effect.sleep("100 millis")
      gone.abort()
      expect((yield* Fiber.join(first)).status).toBe(0)
      const answer = yield* Fiber.join(copy)
      expect([answer.status, answer.json]).toEqual([200, { status: "ok" }])
      expect(calls).toBe(2)
      expect(Option.isSome(yield* server.latestEnrichment("s-1"))).toBe(true)
    }).pipe(Effect.scoped))

  it.live(
    "back-pressures onEvent when a subscriber does not keep up: 503 so the sender retries, nothing lost",
    () =>
      Effect.gen(function*() {
        const server = yield* Webhook.serve({ handlerTimeout: "300 millis" })
        const release = yield* Deferred.make<void>()
        const seen: Array<string> = []
        // a subscriber that takes nothing until released
        yield* Effect.fork(Stream.runForEach(server.events, (event) =>
          Effect.zipRight(
            Deferred.await(release),
            Effect.sync(() => void seen.push("session_id" in event ? String(event.session_id) : ""))
          )))
        yield* Effect.sleep("50 millis")
        const sessions = Array.from({ length: 300 }, (_, n) => `s-${n}`)
        const answers = yield* Effect.forEach(sessions, (id) => post(server.url, enrichment(id)), { concurrency: 50 })
        const refused = sessions.filter((_, n) => answers[n]!.status !== 200)
        expect(refused.length).toBeGreaterThan(0)
        expect(new Set(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.json.error.code}`)))
          .toEqual(new Set(["503 HANDLER_TIMEOUT"]))
        // once the subscriber catches up, the retries are handled, and it saw every event once
        yield* Deferred.succeed(release, void 0)
        const retried = yield* Effect.forEach(refused, (id) => post(server.url, enrichment(id)), { concurrency: 10 })
        expect(retried.every((a) => a.status === 200)).toBe(true)
        yield* Effect.promise(() => vi.waitFor(() => expect(seen).toHaveLength(sessions.length)))
        expect([...seen].sort()).toEqual([...sessions].sort())
      }).pipe(Effect.scoped),
    30_000
  )

  it.live("refuses invalid settings with a ServeError naming the option", () =>
    Effect.gen(function*() {
      const invalid: ReadonlyArray<readonly [Webhook.ServeOptions<never, never>, string]> = [
        [{ secret: "" }, "secret"],
        [{ maxBodyBytes: 0 }, "maxBodyBytes"],
        [{ secretHeader: "bad header" }, "secretHeader"],
        [{ handlerTimeout: -1 }, "handlerTimeout"],
        [{ headersTimeout: 0 }, "headersTimeout"],
        [{ requestTimeout: "never" as Webhook.ServeOptions<never, never>["requestTimeout"] }, "requestTimeout"],
        [{ headersTimeout: "20 seconds", requestTimeout: "10 seconds" }, "headersTimeout"],
        [{ keepAliveTimeout: -1 }, "keepAliveTimeout"],
        [{ maxInFlightBytes: 0 }, "maxInFlightBytes"],
        [{ maxBodyBytes: 2048, maxInFlightBytes: 1024 }, "maxInFlightBytes"],
        [{ maxConnections: 0 }, "maxConnections"],
        [{ maxConnections: 2.5 }, "maxConnections"],
        [{ port: 70_000 }, "port"],
        [{ path: "hook" }, "path"]
      ]
      for (const [options, option] of invalid) {
        const error = yield* Effect.flip(Webhook.serve(options))
        expect([error._tag, error.message]).toEqual(["ServeError", expect.stringContaining(option)])
        const exit = yield* Effect.exit(Layer.build(Webhook.layer(options)))
        expect(Exit.isFailure(exit) && JSON.stringify(exit.cause).includes(option)).toBe(true)
      }
    }).pipe(Effect.scoped))

  it.live("fails with ServeError when the port is taken", () =>
    Effect.gen(function*() {
      const first = yield* Webhook.serve()
      const error = yield* Effect.flip(Webhook.serve({ port: first.port }))
      expect(error._tag).toBe("ServeError")
      expect(error.message).toContain("could not start")
    }).pipe(Effect.scoped))
})
