import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientTag from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type * as Http from "node:http"
import * as Zlib from "node:zlib"
import { AsyncClient, BankConnectClient, BankConnectError, Progress } from "../../src/index.js"
import * as Secrets from "../../src/internal/secrets.js"
import { capturingTracer } from "../utils/capture.js"
import { apiKey, layerFake, makeFake, progressBody, type Reply, serverHash } from "../utils/fakeApi.js"
import { localServer } from "../utils/localServer.js"
import { heapAfterGc, report } from "./support.js"

// The API as an attacker (or a broken proxy) would play it: redirects to another host,
// bodies without end, credentials echoed back, requests that can never be sent, another
// session's snapshot. Real sockets and real time where the transport is the point.

const sessionId = "0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11"

const credentials = { apiKey: Redacted.make(apiKey), serverHash: Redacted.make(serverHash) }

/** The client over a transport, for the life of the test's scope (undici's dispatcher is scoped). */
const clientOver = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  url: string,
  options: Partial<BankConnectClient.Options> = {}
) =>
  Layer.build(
    BankConnectClient.layer({
      ...credentials,
      baseUrl: `${url}/bank-connect`,
      retry: { base: "10 millis" },
      ...options
    })
      .pipe(Layer.provide(transport))
  ).pipe(Effect.map(Context.get(BankConnectClient.BankConnectClient)))

const transports = [
  ["fetch", FetchHttpClient.layer],
  // a RequestInit in context that asks fetch to follow redirects must not win
  [
    "fetch asked to follow",
    Layer.merge(FetchHttpClient.layer, Layer.succeed(FetchHttpClient.RequestInit, { redirect: "follow" }))
  ],
  [
    "fetch whose layer was asked to follow",
    Layer.provide(FetchHttpClient.layer, Layer.succeed(FetchHttpClient.RequestInit, { redirect: "follow" }))
  ],
  ["undici", NodeHttpClient.layerUndici],
  ["node:http", NodeHttpClient.layer]
] as const

const json = (res: Http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

describe("hostile API answers", () => {
  describe("redirects", () => {
    for (const [name, transport] of transports) {
      it.live(`are never followed over ${name}: the credentials stay home, and a 3xx fails without a retry`, () =>
        Effect.gen(function*() {
          const elsewhere = yield* localServer((_, res) => json(res, 200, progressBody(sessionId, "completed")))
          let status = 301
          const api = yield* localServer((_, res) => {
            res.writeHead(status, { location: `${elsewhere.url}/steal?token=abc` })
            res.end()
          })
          const client = yield* clientOver(transport, api.url)
          for (const code of [301, 302, 303, 307, 308]) {
            status = code
            const error = yield* Effect.flip(client.getProgress(sessionId))
            expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "Redirect", status: code, sessionId })
            expect(error.message).toContain(`redirect to ${elsewhere.url},`)
            expect(error.message).not.toContain("steal")
            expect(BankConnectError.isRetryable(error)).toBe(false)
          }
          status = 301
          const registered = yield* Effect.flip(client.updateWebhook({ webhookUrl: "https://lender.example/hook" }))
          expect(registered).toMatchObject({ _tag: "InvalidResponse", reason: "Redirect", status: 301 })
          // one request per call: none retried, none followed
          expect(api.received).toHaveLength(6)
          expect(elsewhere.received).toHaveLength(0)
        }).pipe(Effect.scoped))
    }

    it.live("are never followed by the async client either", () =>
      Effect.gen(function*() {
        const elsewhere = yield* localServer((_, res) => json(res, 200, { message: "success" }))
        const api = yield* localServer((_, res) => {
          res.writeHead(302, { location: `${elsewhere.url}/update_webhook/` })
          res.end()
        })
        const client = AsyncClient.make({ apiKey, serverHash, baseUrl: `${api.url}/bank-connect` })
        const error = yield* Effect.promise(() =>
          client.updateWebhook({ webhookUrl: "https://lender.example/hook" }).then(() => undefined, (e: unknown) => e)
        )
        yield* Effect.promise(() => client.close())
        expect(error).toBeInstanceOf(BankConnectError.InvalidResponse)
        expect(error).toMatchObject({ reason: "Redirect", status: 302 })
        expect(elsewhere.received).toHaveLength(0)
        expect(api.received).toHaveLength(1)
      }).pipe(Effect.scoped))
  })

  describe("response size", () => {
    for (const [name, transport] of transports.filter(([name]) => !name.includes("follow"))) {
      it.live(`an endless body over ${name} is cut at the limit and not retried`, () =>
        Effect.gen(function*() {
          let written = 0
          const chunk = Buffer.alloc(64 * 1024, " ")
          const api = yield* localServer((_, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            res.write(`{"session_id":"${sessionId}","session_progress":"processing","progress":[]`)
            // write while the client reads, up to a bound so that a broken client cannot hang the test
            const pump = () => {
              while (written < 256 * 1024 * 1024) {
                written += chunk.length
                if (!res.write(chunk)) return void res.once("drain", pump)
              }
              res.end("}")
            }
            res.on("error", () => {})
            pump()
          })
          const client = yield* clientOver(transport, api.url, { maxResponseBytes: { getProgress: 1024 * 1024 } })
          const before = heapAfterGc()
          const started = Date.now()
          const error = yield* Effect.flip(client.getProgress(sessionId))
          const millis = Date.now() - started
          const growth = heapAfterGc() - before
          expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge", status: 200 })
          expect(error.message).toContain("over 1048576 bytes")
          expect(api.received).toHaveLength(1)
          // the server is stopped by the closed connection, far from its 256 MiB bound
          yield* Effect.sleep("100 millis")
          expect(written).toBeLessThan(64 * 1024 * 1024)
          expect(growth).toBeLessThan(16 * 1024 * 1024)
          report(
            `hostile API: endless body over ${name}, limit 1 MiB: failed TooLarge in ${millis} ms after the server wrote ${
              (written / 1024 / 1024).toFixed(1)
            } MiB, 1 request, heap ${(growth / 1024 / 1024).toFixed(1)} MB`
          )
        }).pipe(Effect.scoped))
    }

    it.live("a declared 1 GiB body fails before it is read, and a gzip bomb is cut after decompression", () =>
      Effect.gen(function*() {
        const bomb = Zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, " "))
        let mode: "declared" | "bomb" = "declared"
        const api = yield* localServer((_, res) => {
          res.on("error", () => {})
          if (mode === "declared") {
            res.writeHead(200, { "content-type": "application/json", "content-length": String(1024 * 1024 * 1024) })
            res.write(Buffer.alloc(1024, " "))
            return
          }
          res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
          res.end(bomb)
        })
        const client = yield* clientOver(FetchHttpClient.layer, api.url)
        const declared = yield* Effect.flip(client.getProgress(sessionId))
        expect(declared).toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge" })
        mode = "bomb"
        const before = heapAfterGc()
        const bombed = yield* Effect.flip(client.getProgress(sessionId))
        const growth = heapAfterGc() - before
        expect(bombed).toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge" })
        expect(bombed.message).toContain(`over ${1024 * 1024} bytes`)
        expect(api.received).toHaveLength(2)
        expect(growth).toBeLessThan(32 * 1024 * 1024)
        report(
          `hostile API: 1 GiB content-length refused unread; gzip bomb (${
            (bomb.length / 1024).toFixed(0)
          } KiB inflating to 64 MiB) cut at the 1 MiB default, heap ${(growth / 1024 / 1024).toFixed(1)} MB`
        )
      }).pipe(Effect.scoped))

    it.effect("a snapshot listing more statements than any session has is refused before decoding", () => {
      const many = `{"session_id":"${sessionId}","session_progress":"processing","progress":[${
        Array.from({ length: 300_000 }, () => "{}").join(",")
      }]}`
      const fake = layerFake((_, i) =>
        i === 0
          ? { status: 200, text: many }
          : { status: 200, json: progressBody(sessionId, "completed", Progress.maxStatements) }
      )
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const started = performance.now()
        const error = yield* Effect.flip(client.getProgress(sessionId))
        const millis = performance.now() - started
        expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge" })
        expect(error.message).toContain("lists 300000 statements, over 1000")
        expect(fake.requests).toHaveLength(1)
        // the most a session can list still decodes
        const full = yield* client.getProgress(sessionId)
        expect(full.progress).toHaveLength(Progress.maxStatements)
        report(
          `hostile API: a ${(many.length / 1024).toFixed(0)} KiB snapshot of 300,000 statements refused in ${
            millis.toFixed(0)
          } ms (no decoding)`
        )
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("an oversized error body is not retried", () => {
      const fake = layerFake(() => ({ status: 503, text: "x".repeat(100_000) }), {
        maxResponseBytes: { getProgress: 10_000 }
      })
      return Effect.gen(function*() {
        const error = yield* Effect.flip((yield* BankConnectClient.BankConnectClient).getProgress(sessionId))
        expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge", status: 503 })
        expect(fake.requests).toHaveLength(1)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("a limit is checked at construction", () =>
      Effect.gen(function*() {
        for (const limits of [{ getProgress: 0 }, { getProgress: 1.5 }, { insights: 5 }]) {
          const exit = yield* Effect.exit(
            Layer.build(layerFake(() => ({ status: 200 }), { maxResponseBytes: limits as never }).layer)
          )
          expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("maxResponseBytes")
        }
      }).pipe(Effect.scoped))
  })

  describe("partial secrets", () => {
    /** Every prefix of a credential of three characters or more. */
    const leaks = (text: string) =>
      [apiKey, serverHash].flatMap((secret) =>
        Array.from({ length: secret.length - 2 }, (_, i) => secret.slice(0, i + 3)).filter((part) =>
          text.includes(part)
        )
      )

    it.effect("a credential echoed across any cut leaves no part of itself in a message", () => {
      // the key starts at every position around each cut: the gateway page (200 characters),
      // the undecodable body (80), the API's own message (1,000)
      const offsets = [
        ...Array.from({ length: 40 }, (_, i) => 170 + i),
        ...Array.from({ length: 40 }, (_, i) => 960 + i)
      ]
      const bodies = offsets.flatMap((offset) => [
        { status: 502, text: `<html><body>${"g".repeat(offset)}${apiKey} and ${serverHash}</body></html>` },
        { status: 200, text: `${"n".repeat(offset - 150)}${apiKey}` },
        {
          status: 404,
          json: { error: { code: "SESSION_NOT_FOUND", message: `${"m".repeat(offset)}${serverHash}${apiKey}` } }
        }
      ])
      const fake = layerFake((_, i) => bodies[i]!, { retry: { times: 0 } })
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const found: Array<string> = []
        for (let i = 0; i < bodies.length; i++) {
          const error = yield* Effect.flip(client.getProgress(sessionId))
          found.push(leaks(`${error.message} ${JSON.stringify(error)}`).join(", "))
        }
        // the caller's own input, quoted in an InvalidArgument, is scrubbed before it is cut
        for (let offset = 60; offset < 80; offset++) {
          const error = yield* Effect.flip(client.getProgress(`${"s".repeat(offset)} ${apiKey}`))
          expect(error._tag).toBe("InvalidArgument")
          found.push(leaks(error.message).join(", "))
        }
        expect(found.filter((leaked) => leaked !== "")).toEqual([])
        report(
          `hostile API: credentials echoed at ${
            bodies.length + 20
          } cut positions: no part of 3+ characters in any message`
        )
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("a credential echoed encoded, in another case, masked or split leaves no run of 10 of its characters", () => {
      const key = "ApiK3y+/AbCdEfGh=="
      const hash = "SrvH4sh&<Zq9xY8w>"
      const html = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      const echoes = [
        `x-api-key=${encodeURIComponent(key)}&server-hash=${encodeURIComponent(hash)}`,
        `key ${key.toUpperCase()} hash ${hash.toLowerCase()}`,
        `Invalid API key provided: ${key.slice(0, 12)}****`,
        `Invalid API key provided: ****${key.slice(6)}`,
        `hash ${html(hash)}`,
        `{"echo":"${key.replace(/\//g, "\\/")}"}`,
        `<p>${key.slice(0, 2)}</p>${key.slice(2)}`,
        `Basic ${Buffer.from(`${key}:${hash}`).toString("base64")}`,
        `key \u0041${key.slice(1)}`
      ]
      const replies = echoes.flatMap((echo): Array<Reply> => [
        { status: 502, text: `<html><body>${echo}</body></html>` },
        { status: 401, json: { detail: echo } },
        { status: 400, json: { error: { code: echo, message: echo } } },
        { status: 200, text: `not json ${echo}` }
      ])
      const fake = makeFake((_, i) => replies[i]!)
      const layer = BankConnectClient.layer({
        apiKey: Redacted.make(key),
        serverHash: Redacted.make(hash),
        baseUrl: "https://bankconnect.test",
        retry: { times: 0 }
      }).pipe(Layer.provide(Layer.succeed(HttpClientTag.HttpClient, fake.httpClient)))
      const fold = (text: string) => text.toLowerCase()
      const runs = [key, hash, encodeURIComponent(key), encodeURIComponent(hash), html(hash)].flatMap((form) =>
        Array.from({ length: form.length - 9 }, (_, i) => fold(form.slice(i, i + 10)))
      )
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const leaked: Array<string> = []
        for (let i = 0; i < replies.length; i++) {
          const error = yield* Effect.flip(client.getProgress(sessionId))
          const seen = fold(`${error.message} ${JSON.stringify(error)}`)
          const found = runs.filter((run) => seen.includes(run))
          if (found.length > 0) leaked.push(`${i}: ${found.join(", ")}`)
        }
        expect(leaked).toEqual([])
        report(
          `hostile API: credentials echoed in ${echoes.length} encodings over ${replies.length} error paths: no run of 10 characters in any message`
        )
      }).pipe(Effect.provide(layer))
    })

    it("excerpt scrubs before it cuts, and drops a credential's beginning at the cut", () => {
      const scrubber = Secrets.make([Redacted.make("abcdefghijkl")])
      expect(scrubber.excerpt("xx abcdefghijkl yy", 10)).toBe("xx <redact…")
      expect(scrubber.excerpt("0123456789abcdef", 14)).toBe("0123456789…")
      expect(scrubber.excerpt("key \"abcdefghijkl\"", 100)).toBe("key \"<redacted>\"")
      const quoted = Secrets.make([Redacted.make("ab\"cd\\efgh")])
      expect(quoted.scrub(JSON.stringify({ echo: "ab\"cd\\efgh" }))).toBe("{\"echo\":\"<redacted>\"}")
    })

    it.effect("credentials too short to scrub safely are refused at construction", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(
          Layer.build(
            BankConnectClient.layer({ apiKey: Redacted.make("k3y"), serverHash: Redacted.make(serverHash) }).pipe(
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("apiKey must be at least 8 characters long")
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).not.toContain("k3y")
        expect(() => AsyncClient.make({ apiKey: "k3y", serverHash })).toThrow("apiKey must be at least 8 characters")
      }).pipe(Effect.scoped))
  })

  describe("one classifier for what is transient", () => {
    const refusals = [
      new TypeError("fetch failed", { cause: new Error("bad port") }),
      new TypeError("fetch failed", { cause: new Error("unknown scheme") }),
      new TypeError("Failed to parse URL from http://exa mple", {
        cause: Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL" })
      }),
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" })
      })
    ]

    it.effect("a request the transport refuses is not retried, and fails a watch at its first poll", () => {
      const fake = layerFake((_, i) => ({ transportFailure: refusals[Math.floor(i / 2)] }))
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        for (let i = 0; i < refusals.length; i++) {
          // no TestClock.adjust: a retry (or a skipped poll) would wait on the clock forever
          const error = yield* Effect.flip(client.getProgress(sessionId))
          expect(error).toMatchObject({ _tag: "TransportError", reason: "Misconfigured" })
          expect(BankConnectError.isRetryable(error)).toBe(false)
          const watched = yield* Effect.flip(Stream.runDrain(client.watchProgress(sessionId, { maxFailedPolls: 5 })))
          expect(watched).toMatchObject({ _tag: "TransportError", reason: "Misconfigured" })
        }
        expect(fake.requests).toHaveLength(2 * refusals.length)
      }).pipe(Effect.provide(fake.layer))
    })

    it.live("fetch's bad port fails at once over the real transport", () =>
      Effect.gen(function*() {
        let calls = 0
        const counting: typeof fetch = (input, init) => {
          calls++
          return globalThis.fetch(input, init)
        }
        const client = yield* clientOver(
          Layer.provide(FetchHttpClient.layer, Layer.succeed(FetchHttpClient.Fetch, counting)),
          "http://127.0.0.1:6000"
        )
        const started = Date.now()
        const error = yield* Effect.flip(client.getProgress(sessionId))
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Misconfigured" })
        expect(error.message).toContain("bad port")
        expect(calls).toBe(1)
        report(`hostile API: fetch's "bad port" failed as Misconfigured after 1 attempt in ${Date.now() - started} ms`)
      }).pipe(Effect.scoped))

    it.effect("an API error code with a transient status is not retried, as isRetryable says", () => {
      const fake = layerFake(() => ({ status: 503, json: { error: { code: "ACCESS_DENIED", message: "no" } } }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip((yield* BankConnectClient.BankConnectClient).getProgress(sessionId))
        expect(error).toMatchObject({ _tag: "AccessDenied", status: 503 })
        expect(BankConnectError.isRetryable(error)).toBe(false)
        expect(fake.requests).toHaveLength(1)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("a reset connection is still transient: retried, and skipped by a watch", () => {
      const reset = new TypeError("fetch failed", {
        cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
      })
      const fake = layerFake(
        (_, i) => i < 4 ? { transportFailure: reset } : { status: 200, json: progressBody(sessionId, "completed") },
        { retry: { times: 1, base: "10 millis" } }
      )
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const fiber = yield* Effect.fork(Stream.runCollect(client.watchProgress(sessionId, { interval: "1 second" })))
        yield* TestClock.adjust("10 seconds")
        const snapshots = yield* Fiber.join(fiber)
        expect(snapshots).toHaveLength(1)
        // two polls of two attempts failed and were skipped, the third poll succeeded
        expect(fake.requests).toHaveLength(5)
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("settings and arguments", () => {
    const build = (options: Partial<BankConnectClient.Options>) =>
      Effect.exit(
        Layer.build(
          BankConnectClient.layer({ ...credentials, ...options }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      ).pipe(Effect.map((exit) => Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "built"), Effect.scoped)

    it.effect("are checked when the client is built, and a password in the base URL is never quoted", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<[Partial<BankConnectClient.Options>, string]> = [
          [{ baseUrl: "http://admin:Pr0xyPassw0rd@127.0.0.1:4010" }, "without credentials"],
          [{ baseUrl: "https://api.example/bank-connect?x=1" }, "without credentials, query or fragment"],
          [{ version: "v1/../../x?y=" }, "version must be a path segment"],
          [{ timeout: "soon" as never }, "timeout must be a duration"],
          [{ timeout: 0 }, "timeout must be a finite duration over zero"],
          [{ retry: { times: Infinity } }, "retry.times must be a whole number"],
          [{ retry: { max: "forever" as never } }, "retry.max must be a duration"]
        ]
        for (const [options, expected] of cases) {
          const outcome = yield* build(options)
          expect(outcome).toContain(expected)
          expect(outcome).not.toContain("Pr0xyPassw0rd")
          const async = (() => {
            try {
              AsyncClient.make({ apiKey, serverHash, ...(options as object) })
              return "made"
            } catch (error) {
              return String(error)
            }
          })()
          expect(async).toContain(expected)
        }
      }))

    it.effect("fetch's refusal of a URL with credentials is Misconfigured, not retried", () => {
      const refusal = new TypeError("Request cannot be constructed from a URL that includes credentials: http://a:b@x/")
      const fake = layerFake(() => ({ transportFailure: refusal }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip((yield* BankConnectClient.BankConnectClient).getProgress(sessionId))
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Misconfigured" })
        expect(fake.requests).toHaveLength(1)
      }).pipe(Effect.provide(fake.layer))
    })

    it.effect("bad arguments are InvalidArgument, and a session id reaches no span before it is checked", () => {
      const fake = layerFake(() => ({ status: 200, json: progressBody(sessionId, "completed") }))
      return Effect.gen(function*() {
        const { spans, tracer } = yield* capturingTracer
        const client = yield* BankConnectClient.BankConnectClient
        const huge = `${"x".repeat(1_000_000)} ${apiKey}`
        const hostile = {
          toString: () => {
            throw new Error("boom")
          }
        } as unknown as string
        for (const id of [huge, hostile]) {
          const error = yield* Effect.flip(client.getProgress(id)).pipe(Effect.withTracer(tracer))
          expect(error._tag).toBe("InvalidArgument")
          const watched = yield* Effect.flip(Stream.runDrain(client.watchProgress(id))).pipe(Effect.withTracer(tracer))
          expect(watched._tag).toBe("InvalidArgument")
        }
        const attributes = JSON.stringify(spans.map((span) => Object.fromEntries(span.attributes)))
        expect(attributes.length).toBeLessThan(10_000)
        expect(attributes).not.toContain(apiKey)
        const webhook = yield* Effect.flip(client.updateWebhook(null as never))
        expect(webhook).toMatchObject({ _tag: "InvalidArgument", argument: "webhookUrl" })
        for (const maxFailedPolls of [NaN, 0, 1.5]) {
          const watch = yield* Effect.flip(Stream.runDrain(client.watchProgress(sessionId, { maxFailedPolls })))
          expect(watch).toMatchObject({ _tag: "InvalidArgument", argument: "maxFailedPolls" })
        }
        const interval = yield* Effect.flip(
          Stream.runDrain(client.watchProgress(sessionId, { interval: "often" as never }))
        )
        expect(interval).toMatchObject({ _tag: "InvalidArgument", argument: "interval" })
        expect(fake.requests).toHaveLength(0)
      }).pipe(Effect.provide(fake.layer))
    })
  })

  describe("another session's snapshot", () => {
    it.effect("is refused, not retried, and fails a watch at once", () => {
      const fake = layerFake(() => ({ status: 200, json: progressBody("someone-else", "completed") }))
      return Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const error = yield* Effect.flip(client.getProgress(sessionId))
        expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "OtherSession", sessionId })
        expect(error.message).toContain("\"someone-else\"")
        const watched = yield* Effect.flip(Stream.runDrain(client.watchProgress(sessionId)))
        expect(watched).toMatchObject({ _tag: "InvalidResponse", reason: "OtherSession" })
        expect(fake.requests).toHaveLength(2)
      }).pipe(Effect.provide(fake.layer))
    })
  })
})
