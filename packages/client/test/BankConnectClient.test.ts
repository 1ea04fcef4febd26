import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { BankConnectClient, Progress } from "../src/index.js"
import { capturingTracer } from "./utils/capture.js"
import {
  apiKey,
  baseUrl,
  layerFake,
  makeFake,
  progressBody,
  type Reply,
  type Seen,
  serverHash
} from "./utils/fakeApi.js"

const sessionId = "bfb98ac5-7224-401b-a643-175235856187"
const Client = BankConnectClient.BankConnectClient

const processing: Reply = { status: 200, json: progressBody(sessionId, "processing") }
const completed: Reply = { status: 200, json: progressBody(sessionId, "completed") }

/** Lets forked fibers run up to their next wait on the (test) clock. */
const settle = TestClock.adjust("0 millis")

describe("BankConnectClient", () => {
  describe("getProgress", () => {
    it.effect("GETs the exact path with both credentials and decodes the snapshot", () => {
      const fake = layerFake(() => completed)
      return Effect.gen(function*() {
        const client = yield* Client
        const progress = yield* client.getProgress(sessionId)
        expect(progress).toBeInstanceOf(Progress.SessionProgress)
        expect(Progress.isComplete(progress)).toBe(true)
        expect(fake.requests).toHaveLength(1)
        const [seen] = fake.requests as [Seen]
        expect(seen.method).toBe("GET")
        expect(seen.url.toString()).toBe(`${baseUrl}/v1/session_data/${sessionId}/progress/`)
        expect(seen.headers["x-api-key"]).toBe(apiKey)
        expect(seen.headers["server-hash"]).toBe(serverHash)
        expect(seen.headers["accept"]).toBe("application/json")
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("uses the configured version segment and ignores a trailing slash on the base URL", () => {
      const fake = layerFake(() => completed, { baseUrl: `${baseUrl}/`, version: "v2" })
      return Effect.gen(function*() {
        yield* (yield* Client).getProgress(sessionId)
        expect(fake.requests[0]?.url.toString()).toBe(`${baseUrl}/v2/session_data/${sessionId}/progress/`)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("rejects a malformed session id before sending anything", () => {
      const fake = layerFake(() => completed)
      return Effect.gen(function*() {
        const client = yield* Client
        for (const bad of ["", "a/b", "../admin", "..", "id with space", "a?b=1", "a#b", "x%2F"]) {
          const error = yield* Effect.flip(client.getProgress(bad))
          expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "sessionId" })
        }
        expect(fake.requests).toHaveLength(0)
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("updateWebhook", () => {
    it.effect("POSTs webhook_url with webhook_mode 1 by default, or the mode given", () => {
      const fake = layerFake(() => ({ status: 200, json: { message: "success" } }))
      return Effect.gen(function*() {
        const client = yield* Client
        yield* client.updateWebhook({ webhookUrl: "https://lender.example/hooks/bankconnect" })
        yield* client.updateWebhook({ webhookUrl: "http://127.0.0.1:8080/hook", webhookMode: 0 })
        expect(fake.requests.map((r) => [r.method, r.url.toString(), r.body])).toEqual([
          ["POST", `${baseUrl}/v1/session_data/update_webhook/`, {
            webhook_url: "https://lender.example/hooks/bankconnect",
            webhook_mode: 1
          }],
          ["POST", `${baseUrl}/v1/session_data/update_webhook/`, {
            webhook_url: "http://127.0.0.1:8080/hook",
            webhook_mode: 0
          }]
        ])
        expect(fake.requests[0]?.headers["server-hash"]).toBe(serverHash)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("treats any 2xx as success, whatever the body", () => {
      const fake = layerFake(() => ({ status: 204 }))
      return Effect.gen(function*() {
        yield* (yield* Client).updateWebhook({ webhookUrl: "https://lender.example/hook" })
        expect(fake.requests).toHaveLength(1)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("rejects a URL that is not absolute http(s), and a bad mode, before sending", () => {
      const fake = layerFake(() => ({ status: 200, json: { message: "success" } }))
      return Effect.gen(function*() {
        const client = yield* Client
        for (
          const webhookUrl of ["", "/relative/path", "lender.example/hook", "ftp://lender.example/hook", "https://"]
        ) {
          const error = yield* Effect.flip(client.updateWebhook({ webhookUrl }))
          expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "webhookUrl" })
        }
        const mode = yield* Effect.flip(
          client.updateWebhook({ webhookUrl: "https://lender.example/hook", webhookMode: 2 as 1 })
        )
        expect(mode).toMatchObject({ _tag: "InvalidArgument", argument: "webhookMode" })
        expect(fake.requests).toHaveLength(0)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("maps a 403 to AccessDenied without a session id", () => {
      const fake = layerFake(() => ({ status: 403, json: { error: { code: "ACCESS_DENIED", message: "no" } } }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip((yield* Client).updateWebhook({ webhookUrl: "https://lender.example/h" }))
        expect(error).toMatchObject({ _tag: "AccessDenied", status: 403 })
        expect(error).not.toHaveProperty("sessionId")
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("retries", () => {
    it.effect("retries a 503 and returns the answer that follows", () => {
      const fake = layerFake((_, i) => i === 0 ? { status: 503, text: "busy" } : completed)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork((yield* Client).getProgress(sessionId))
        yield* settle
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("1 second")
        const progress = yield* Fiber.join(fiber)
        expect(Progress.isComplete(progress)).toBe(true)
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("sends a request that failed with an API error code once", () => {
      const fake = layerFake(() => ({ status: 404, json: { error: { code: "SESSION_NOT_FOUND", message: "x" } } }))
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip((yield* Client).getProgress(sessionId)))
        yield* TestClock.adjust("1 minute")
        expect((yield* Fiber.join(fiber))._tag).toBe("SessionNotFound")
        expect(fake.requests).toHaveLength(1)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("waits as long as Retry-After (seconds) asks", () => {
      const fake = layerFake((_, i) => i === 0 ? { status: 429, headers: { "retry-after": "7" } } : completed)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork((yield* Client).getProgress(sessionId))
        yield* TestClock.adjust("6900 millis")
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("100 millis")
        expect(fake.requests).toHaveLength(2)
        yield* Fiber.join(fiber)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("reads Retry-After as an HTTP date, and cuts a long one to maxRetryAfter", () => {
      // TestClock starts at the epoch: this date is 5 seconds later
      const fake = layerFake(
        (_, i) =>
          i === 0
            ? { status: 503, headers: { "retry-after": "Thu, 01 Jan 1970 00:00:05 GMT" } }
            : i === 1
            ? { status: 503, headers: { "retry-after": "86400" } }
            : completed,
        { retry: { maxRetryAfter: "20 seconds" } }
      )
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork((yield* Client).getProgress(sessionId))
        yield* TestClock.adjust("4900 millis")
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("100 millis")
        expect(fake.requests).toHaveLength(2)
        yield* TestClock.adjust("19900 millis")
        expect(fake.requests).toHaveLength(2)
        yield* TestClock.adjust("100 millis")
        expect(fake.requests).toHaveLength(3)
        yield* Fiber.join(fiber)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("gives up after `times` retries with the last answer's error", () => {
      const fake = layerFake(() => ({ status: 503, text: "Service Unavailable" }), { retry: { times: 2 } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip((yield* Client).getProgress(sessionId)))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "UnknownApiError", code: "HTTP_503", status: 503 })
        expect(fake.requests).toHaveLength(3)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("backs off exponentially, capped at max", () => {
      const fake = layerFake(() => ({ status: 500 }), { retry: { times: 5, base: "1 second", max: "3 seconds" } })
      return Effect.gen(function*() {
        yield* Effect.fork((yield* Client).getProgress(sessionId))
        const counts: Array<number> = []
        for (let second = 0; second <= 16; second++) {
          yield* settle
          counts.push(fake.requests.length)
          yield* TestClock.adjust("1 second")
        }
        // waits of about 1, 2, 3, 3, 3 seconds (jittered by up to ±20%)
        expect(counts[0]).toBe(1)
        expect(counts[16]).toBe(6)
        expect(counts.indexOf(6)).toBeGreaterThanOrEqual(10)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("times an attempt out, aborts it, and reports a Timeout transport error", () => {
      const fake = layerFake(() => Effect.as(Effect.never, completed), { timeout: "3 seconds", retry: { times: 1 } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip((yield* Client).getProgress(sessionId)))
        yield* TestClock.adjust("3 seconds")
        expect(fake.requests[0]?.signal.aborted).toBe(true)
        yield* TestClock.adjust("10 seconds")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", method: "GET", sessionId })
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("retries a dropped connection, then reports a Network transport error", () => {
      const fake = layerFake(() => ({ drop: true }), { retry: { times: 1 } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip((yield* Client).getProgress(sessionId)))
        yield* TestClock.adjust("10 seconds")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Network" })
        expect(error.message).toContain("socket hang up")
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("maxRequestsInFlight", () => {
    it.effect("keeps at most that many requests in flight, first come first served, the wait outside the timeout", () => {
      let inFlight = 0
      let most = 0
      const fake = layerFake(
        () =>
          Effect.acquireUseRelease(
            Effect.sync(() => most = Math.max(most, ++inFlight)),
            () => Effect.as(Effect.sleep("2 seconds"), completed),
            () => Effect.sync(() => inFlight--)
          ),
        { maxRequestsInFlight: 3, timeout: "3 seconds" }
      )
      return Effect.gen(function*() {
        const client = yield* Client
        const order: Array<number> = []
        const fiber = yield* Effect.fork(Effect.forEach(
          Array.from({ length: 10 }, (_, i) => i),
          (i) => Effect.tap(client.getProgress(sessionId), () => Effect.sync(() => order.push(i))),
          { concurrency: "unbounded" }
        ))
        yield* settle
        expect(fake.requests).toHaveLength(3)
        // 4 rounds of 2 seconds; the last in line waits 6 seconds, twice the timeout, and succeeds
        yield* TestClock.adjust("8 seconds")
        yield* Fiber.join(fiber)
        expect(most).toBe(3)
        expect(fake.requests).toHaveLength(10)
        // first come, first served: each round of 2 seconds finishes the next three in line
        const rounds = [order.slice(0, 3), order.slice(3, 6), order.slice(6, 9), order.slice(9)]
        expect(rounds.map((round) => [...round].sort((a, b) => a - b))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("hands the turn of an interrupted waiter on, and frees a slot when a request is interrupted", () => {
      const fake = layerFake(() => Effect.as(Effect.sleep("1 second"), completed), { maxRequestsInFlight: 1 })
      return Effect.gen(function*() {
        const client = yield* Client
        const first = yield* Effect.fork(client.getProgress(sessionId))
        const waiting = yield* Effect.fork(client.getProgress(sessionId))
        const last = yield* Effect.fork(client.getProgress(sessionId))
        yield* settle
        expect(fake.requests).toHaveLength(1)
        yield* Fiber.interrupt(waiting)
        yield* Fiber.interrupt(first)
        yield* settle
        expect(fake.requests).toHaveLength(2)
        yield* TestClock.adjust("1 second")
        expect((yield* Fiber.join(last)).session_progress).toBe("completed")
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("refuses a bound that is not a whole number of at least 1", () =>
      Effect.gen(function*() {
        for (const bad of [0, -1, 1.5, Number.NaN]) {
          const exit = yield* Effect.exit(
            Effect.provide(Client, layerFake(() => completed, { maxRequestsInFlight: bad }).layer)
          )
          expect(String(exit)).toContain("maxRequestsInFlight must be a whole number of at least 1")
        }
      }))
  })

  describe("watchProgress", () => {
    it.effect("polls at once, then once per interval, and ends right after the completed snapshot", () => {
      const fake = layerFake((_, i) => i < 2 ? processing : completed)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Stream.runCollect((yield* Client).watchProgress(sessionId)))
        yield* settle
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("1999 millis")
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        expect(fake.requests).toHaveLength(2)
        yield* TestClock.adjust("2 seconds")
        const snapshots = Array.from(yield* Fiber.join(fiber))
        expect(snapshots.map((s) => s.session_progress)).toEqual(["processing", "processing", "completed"])
        yield* TestClock.adjust("1 minute")
        expect(fake.requests).toHaveLength(3)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("takes a custom interval", () => {
      const fake = layerFake(() => processing)
      return Effect.gen(function*() {
        yield* Effect.fork(Stream.runDrain((yield* Client).watchProgress(sessionId, { interval: "500 millis" })))
        yield* TestClock.adjust("2 seconds")
        expect(fake.requests).toHaveLength(5)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("sends nothing more once the consumer stops", () => {
      const fake = layerFake(() => processing)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          Stream.runCollect(Stream.take((yield* Client).watchProgress(sessionId), 2))
        )
        yield* TestClock.adjust("2 seconds")
        expect(Array.from(yield* Fiber.join(fiber))).toHaveLength(2)
        yield* TestClock.adjust("1 minute")
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("interruption aborts the in-flight request and stops polling", () => {
      const fake = layerFake((_, i) => i === 0 ? processing : Effect.as(Effect.never, processing))
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Stream.runDrain((yield* Client).watchProgress(sessionId)))
        yield* TestClock.adjust("2 seconds")
        expect(fake.requests).toHaveLength(2)
        expect(fake.requests[1]?.signal.aborted).toBe(false)
        yield* Fiber.interrupt(fiber)
        expect(fake.requests[1]?.signal.aborted).toBe(true)
        yield* TestClock.adjust("1 minute")
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("a transient failure is retried inside the poll and does not end the stream", () => {
      const fake = layerFake((_, i) => i === 1 ? { status: 503 } : i < 3 ? processing : completed)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Stream.runCollect((yield* Client).watchProgress(sessionId)))
        yield* TestClock.adjust("30 seconds")
        const snapshots = Array.from(yield* Fiber.join(fiber))
        expect(snapshots.map((s) => s.session_progress)).toEqual(["processing", "processing", "completed"])
        expect(fake.requests).toHaveLength(4)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("skips a poll whose transient failure outlasts its retries, and fails after maxFailedPolls in a row", () => {
      // polls 2 and 3 fail (no retries here), poll 4 succeeds; then every poll fails
      const fake = layerFake((_, i) => i === 0 || i === 3 ? processing : { status: 503 }, { retry: { times: 0 } })
      return Effect.gen(function*() {
        const client = yield* Client
        const fiber = yield* Effect.fork(
          Effect.either(Stream.runCollect(client.watchProgress(sessionId, { interval: "1 second", maxFailedPolls: 3 })))
        )
        yield* TestClock.adjust("3 seconds")
        expect(fake.requests).toHaveLength(4)
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("2 seconds") // polls 5 and 6 fail: two in a row, still going
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 second") // poll 7: the third in a row
        const result = yield* Fiber.join(fiber)
        expect(result._tag).toBe("Left")
        expect(result._tag === "Left" && result.left).toMatchObject({ _tag: "UnknownApiError", status: 503 })
        expect(fake.requests).toHaveLength(7)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("fails with the API error, for the caller to handle", () => {
      const fake = layerFake((_, i) =>
        i === 0 ? processing : { status: 410, json: { error: { code: "SESSION_DELETED", message: "gone" } } }
      )
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip(Stream.runCollect((yield* Client).watchProgress(sessionId))))
        yield* TestClock.adjust("2 seconds")
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "SessionDeleted", status: 410, sessionId })
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("awaitCompletion", () => {
    it.effect("returns the completed snapshot", () => {
      const fake = layerFake((_, i) => i < 3 ? processing : completed)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork((yield* Client).awaitCompletion(sessionId, { interval: "1 second" }))
        yield* TestClock.adjust("3 seconds")
        const progress = yield* Fiber.join(fiber)
        expect(Progress.isComplete(progress)).toBe(true)
        expect(fake.requests).toHaveLength(4)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("composes with a caller's deadline, which stops the polling", () => {
      const fake = layerFake(() => processing)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          Effect.timeout((yield* Client).awaitCompletion(sessionId), "5 seconds")
        )
        yield* TestClock.adjust("5 seconds")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error._tag).toBe("TimeoutException")
        const sent = fake.requests.length
        yield* TestClock.adjust("1 minute")
        expect(fake.requests).toHaveLength(sent)
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("layerConfig", () => {
    const withEnv = (env: Record<string, string>) =>
      Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

    it.effect("reads the credentials and the base URL from the environment", () => {
      const fake = makeFake(() => completed)
      return Effect.gen(function*() {
        yield* (yield* Client).getProgress(sessionId)
        expect(fake.requests[0]?.url.toString()).toBe(
          `http://127.0.0.1:4010/bank-connect/v1/session_data/${sessionId}/progress/`
        )
        expect(fake.requests[0]?.headers["x-api-key"]).toBe("env-api-key")
        expect(fake.requests[0]?.headers["server-hash"]).toBe("env-server-hash")
      }).pipe(
        Effect.provide(
          BankConnectClient.layerConfig().pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, fake.httpClient)),
            Layer.provide(withEnv({
              BANKCONNECT_API_KEY: "env-api-key",
              BANKCONNECT_SERVER_HASH: "env-server-hash",
              BANKCONNECT_BASE_URL: "http://127.0.0.1:4010/bank-connect"
            }))
          )
        )
      )
    })

    const configError = (env: Record<string, string>) =>
      Effect.flip(Layer.build(BankConnectClient.layerConfig())).pipe(
        Effect.scoped,
        Effect.provide(Layer.succeed(HttpClient.HttpClient, makeFake(() => completed).httpClient)),
        Effect.provide(withEnv(env))
      )

    it.effect("names a missing variable", () =>
      Effect.gen(function*() {
        expect(String(yield* configError({ BANKCONNECT_SERVER_HASH: "h" }))).toContain("BANKCONNECT_API_KEY")
        expect(String(yield* configError({ BANKCONNECT_API_KEY: "k" }))).toContain("BANKCONNECT_SERVER_HASH")
      }))

    it.effect("rejects an empty or short credential and a base URL that is not http(s)", () =>
      Effect.gen(function*() {
        const empty = String(yield* configError({ BANKCONNECT_API_KEY: "", BANKCONNECT_SERVER_HASH: "server-hash-1" }))
        expect(empty).toContain("BANKCONNECT_API_KEY must be at least 8 characters long")
        const short = String(yield* configError({ BANKCONNECT_API_KEY: "api-key-1", BANKCONNECT_SERVER_HASH: "hash" }))
        expect(short).toContain("BANKCONNECT_SERVER_HASH must be at least 8 characters long")
        expect(short).not.toContain("hash\"")
        const url = String(
          yield* configError({
            BANKCONNECT_API_KEY: "api-key-1",
            BANKCONNECT_SERVER_HASH: "server-hash-1",
            BANKCONNECT_BASE_URL: "localhost"
          })
        )
        expect(url).toContain("BANKCONNECT_BASE_URL")
        expect(url).not.toContain("api-key-1")
      }))
  })

  describe("secrets", () => {
    it.effect("neither credential appears in an error, its JSON, or a span attribute", () => {
      const replies: Array<Reply> = [
        { status: 404, json: { error: { code: "SESSION_NOT_FOUND", message: "x" } } },
        { status: 401, json: { detail: "Invalid token." } },
        { status: 502, text: "<h1>Bad gateway</h1>" },
        { status: 200, text: "not json" },
        { drop: true }
      ]
      const fake = layerFake((_, i) => replies[i] ?? completed, { retry: { times: 0 } })
      return Effect.gen(function*() {
        const { spans, tracer: capturing } = yield* capturingTracer
        const client = yield* Client
        const errors: Array<unknown> = []
        for (let i = 0; i < replies.length; i++) {
          errors.push(yield* Effect.flip(client.getProgress(sessionId)).pipe(Effect.withTracer(capturing)))
        }
        expect(errors.map((e) => (e as { _tag: string })._tag)).toEqual([
          "SessionNotFound",
          "AccessDenied",
          "UnknownApiError",
          "InvalidResponse",
          "TransportError"
        ])
        const attributes = spans.flatMap((span) => Array.from(span.attributes.entries()))
        expect(attributes.some(([key]) => key === "http.request.header.server-hash")).toBe(true)
        const everything = [
          ...errors.map((e) => `${String(e)} ${JSON.stringify(e)}`),
          ...attributes.map(([key, value]) => `${key}=${String(value)}`)
        ].join("\n")
        expect(everything).not.toContain(apiKey)
        expect(everything).not.toContain(serverHash)
      }).pipe(Effect.provide(fake.layer))
    })
  })
})
