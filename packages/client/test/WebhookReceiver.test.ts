import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { vi } from "vitest"
import { Webhook } from "../src/index.js"
import { post, ways } from "./utils/receivers.js"

/** Posts `parts` as a chunked body, without a content-length. */
const postChunked = (url: string, parts: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part))
        controller.close()
      }
    })
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half"
    } as RequestInit)
    return { status: response.status, json: JSON.parse(await response.text()) }
  })

// Every way of mounting the receiver must answer alike: the same table runs against each,
// over real HTTP on 127.0.0.1.

const event = (sessionId: string) =>
  JSON.stringify({
    session_id: sessionId,
    event_name: "ENRICHMENT_NOTIFICATION",
    accounts: [{
      bank_name: "sbi",
      account_id: "a",
      account_status: "completed",
      error_code: null,
      error_message: null
    }]
  })

for (const way of ways) {
  describe(way.name, () => {
    const setup = (extra: Partial<Webhook.HandlerOptions> = {}) => {
      const handled: Array<Webhook.Event> = []
      const invalid: Array<Webhook.InvalidDelivery> = []
      return Effect.map(
        way.start({ onEvent: (e) => void handled.push(e), onInvalid: (i) => void invalid.push(i), ...extra }),
        (url) => ({ url, handled, invalid })
      )
    }

    it.scoped("runs onEvent once for a valid delivery and answers 200", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup()
        const answer = yield* post(url, event("s-1"), { "content-type": "application/json; charset=utf-8" })
        expect([answer.status, answer.json]).toEqual([200, { status: "ok" }])
        expect(handled.map((e) => [e._tag, "session_id" in e ? e.session_id : null])).toEqual([
          ["EnrichmentNotification", "s-1"]
        ])
      }))

    it.scoped("acknowledges a repeated delivery without running onEvent again", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup()
        yield* post(url, event("s-1"))
        const again = yield* post(url, event("s-1"))
        expect([again.status, again.json]).toEqual([200, { status: "duplicate" }])
        yield* post(url, event("s-2"))
        expect(handled).toHaveLength(2)
      }))

    it.scoped("runs onEvent once for copies delivered at the same time", () =>
      Effect.gen(function*() {
        let calls = 0
        const { url } = yield* setup({
          onEvent: () =>
            new Promise<void>((resolve) => {
              calls++
              setTimeout(resolve, 50)
            })
        })
        const answers = yield* Effect.all(Array.from({ length: 5 }, () => post(url, event("s-1"))), {
          concurrency: "unbounded"
        })
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
        expect(calls).toBe(1)
      }))

    it.scoped("answers 500 when onEvent fails, and runs it again on the retry", () =>
      Effect.gen(function*() {
        let calls = 0
        const { url } = yield* setup({
          onEvent: async () => {
            calls++
            if (calls === 1) throw new Error("database down")
          }
        })
        const failed = yield* post(url, event("s-1"))
        expect([failed.status, failed.json.error.code]).toEqual([500, "HANDLER_FAILED"])
        expect(JSON.stringify(failed.json)).not.toContain("database down")
        const retried = yield* post(url, event("s-1"))
        expect([retried.status, retried.json]).toEqual([200, { status: "ok" }])
        const again = yield* post(url, event("s-1"))
        expect(again.json).toEqual({ status: "duplicate" })
        expect(calls).toBe(2)
      }))

    it.scoped("answers other methods 405 with Allow, and other content types 415", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup()
        const get = yield* post(url, "", {}, "GET")
        expect([get.status, get.headers.get("allow"), get.json.error.code]).toEqual([405, "POST", "METHOD_NOT_ALLOWED"])
        const put = yield* post(url, event("s-1"), {}, "PUT")
        expect(put.status).toBe(405)
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) {
          const answer = yield* post(url, event("s-1"), { "content-type": type })
          expect([answer.status, answer.json.error.code]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"])
        }
        expect(handled).toHaveLength(0)
      }))

    it.scoped("answers a body over the limit 413", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup({ maxBodyBytes: 1000 })
        const big = JSON.stringify({ event_name: "X", padding: "x".repeat(2000) })
        const answer = yield* post(url, big)
        expect([answer.status, answer.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
        expect(handled).toHaveLength(0)
        expect((yield* post(url, event("s-1"))).status).toBe(200)
      }))

    it.scoped("reads a chunked body without a length, and answers 413 once one grows past the limit", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup({ maxBodyBytes: 1000 })
        const ok = yield* postChunked(url, [event("s-1").slice(0, 20), event("s-1").slice(20)])
        expect(ok).toEqual({ status: 200, json: { status: "ok" } })
        const big = yield* postChunked(url, Array.from({ length: 5 }, () => "x".repeat(400)))
        expect([big.status, big.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
        expect(handled).toHaveLength(1)
        expect((yield* post(url, event("s-2"))).status).toBe(200)
      }))

    it.scoped("answers invalid JSON and undecodable payloads 400, handing the raw body to onInvalid", () =>
      Effect.gen(function*() {
        const { handled, invalid, url } = yield* setup()
        const broken = yield* post(url, "{\"event_name\": ")
        expect([broken.status, broken.json.error.code]).toEqual([400, "INVALID_JSON"])
        const wrong = yield* post(url, JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", accounts: [] }))
        expect([wrong.status, wrong.json.error.code]).toEqual([400, "INVALID_PAYLOAD"])
        expect(wrong.json.error.message).toContain("session_id")
        const notUtf8 = yield* post(url, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))
        expect([notUtf8.status, notUtf8.json.error.message]).toEqual([400, "The body is not valid UTF-8"])
        expect(invalid.map((i) => i.body.slice(0, 16))).toEqual([
          "{\"event_name\": ",
          "{\"event_name\":\"E",
          "{\ufffd\ufffd}"
        ])
        expect(invalid.map((i) => i.error.reason)).toEqual(["InvalidJson", "InvalidPayload", "InvalidJson"])
        expect(handled).toHaveLength(0)
      }))

    it.scoped("accepts an unknown event rather than rejecting the delivery", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup()
        const answer = yield* post(url, JSON.stringify({ event_name: "NEW_EVENT", session_id: "s" }))
        expect(answer.status).toBe(200)
        expect(handled[0]?._tag).toBe("UnknownEvent")
      }))

    it.scoped("with a secret, answers 401 when the header is missing or wrong", () =>
      Effect.gen(function*() {
        const { handled, url } = yield* setup({ secret: Redacted.make("s3cret-value") })
        expect((yield* post(url, event("s-1"))).status).toBe(401)
        expect((yield* post(url, event("s-1"), { "x-secret-key": "s3cret-valuX" })).status).toBe(401)
        expect((yield* post(url, event("s-1"), { "x-secret-key": "s3cret" })).status).toBe(401)
        const ok = yield* post(url, event("s-1"), { "x-secret-key": "s3cret-value" })
        expect(ok.status).toBe(200)
        expect(handled).toHaveLength(1)
      }))

    it.scoped("reads the secret from a custom header", () =>
      Effect.gen(function*() {
        const { url } = yield* setup({ secret: "abc", secretHeader: "X-BankConnect-Token" })
        expect((yield* post(url, event("s-1"), { "x-secret-key": "abc" })).status).toBe(401)
        expect((yield* post(url, event("s-1"), { "x-bankconnect-token": "abc" })).status).toBe(200)
      }))

    it.scopedLive("answers 503 RECEIVER_BUSY past maxInFlightBytes without reading the body, then frees it", () =>
      Effect.gen(function*() {
        let open = () => {}
        const gate = new Promise<void>((resolve) => {
          open = resolve
        })
        let entered = 0
        const { handled, url } = yield* setup({
          maxBodyBytes: 1000,
          maxInFlightBytes: 1000,
          onEvent: (e) => {
            handled.push(e)
            entered++
            return gate
          }
        })
        const padded = (sessionId: string) =>
          JSON.stringify({ event_name: "PADDED", session_id: sessionId, padding: "x".repeat(600) })
        const first = yield* Effect.fork(postWithin(url, padded("s-1"), 3_000))
        yield* Effect.promise(() => vi.waitFor(() => expect(entered).toBe(1)))
        // 600 bytes held: another 600 do not fit in 1000
        const busy = yield* post(url, padded("s-2"))
        expect([busy.status, busy.json.error.code, busy.headers.get("retry-after")]).toEqual([
          503,
          "RECEIVER_BUSY",
          "1"
        ])
        open()
        expect((yield* Fiber.join(first)).status).toBe(200)
        // released once handled: the retry fits
        expect((yield* post(url, padded("s-2"))).status).toBe(200)
        expect(handled.map((e) => "session_id" in e ? e.session_id : null)).toEqual(["s-1", "s-2"])
      }))

    it.scopedLive("answers 503 HANDLER_TIMEOUT when onEvent outlasts handlerTimeout, and handles the retry", () =>
      Effect.gen(function*() {
        let calls = 0
        const { url } = yield* setup({
          handlerTimeout: "200 millis",
          onEvent: () => {
            calls++
            // the first call hangs for good
            return calls === 1 ? new Promise<void>(() => {}) : undefined
          }
        })
        const started = Date.now()
        const hung = yield* postWithin(url, event("s-1"), 3_000)
        const millis = Date.now() - started
        expect([hung.status, hung.json?.error?.code]).toEqual([503, "HANDLER_TIMEOUT"])
        expect(millis).toBeGreaterThanOrEqual(190)
        expect(millis).toBeLessThan(1_500)
        const retried = yield* postWithin(url, event("s-1"), 3_000)
        expect([retried.status, retried.json]).toEqual([200, { status: "ok" }])
        expect(calls).toBe(2)
      }))

    it.scopedLive("releases a copy waiting on a first delivery that timed out: the copy handles the event", () =>
      Effect.gen(function*() {
        let calls = 0
        const { url } = yield* setup({
          handlerTimeout: "500 millis",
          onEvent: () => {
            calls++
            return calls === 1 ? new Promise<void>(() => {}) : undefined
          }
        })
        const first = yield* Effect.fork(postWithin(url, event("s-1"), 3_000))
        yield* Effect.sleep("250 millis")
        const copy = yield* postWithin(url, event("s-1"), 3_000)
        expect([copy.status, copy.json]).toEqual([200, { status: "ok" }])
        const timedOut = yield* Fiber.join(first)
        expect([timedOut.status, timedOut.json?.error?.code]).toEqual([503, "HANDLER_TIMEOUT"])
        expect(calls).toBe(2)
      }))
  })
}

/** Posts, giving up after `millis` (status 0) instead of waiting for good. */
const postWithin = (url: string, body: string, millis: number) =>
  Effect.promise(async () => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(millis)
      })
      const text = await response.text()
      return { status: response.status, json: text === "" ? undefined : JSON.parse(text) }
    } catch {
      return { status: 0, json: undefined }
    }
  })

describe("Webhook.toNodeListener mounted after a body parser", () => {
  it.scoped("answers 400 UNREADABLE_BODY instead of waiting for a body already read", () =>
    Effect.gen(function*() {
      const listener = Webhook.toNodeListener({ onEvent: () => {} })
      const server = http.createServer(async (req, res) => {
        for await (const _ of req) {
          // a body parser reads the body first
        }
        listener(req, res)
      })
      const url = yield* Effect.acquireRelease(
        Effect.async<string>((resume) => {
          server.listen(0, "127.0.0.1", () =>
            resume(Effect.succeed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)))
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() =>
              resume(Effect.void)
            )
          })
      )
      const answer = yield* post(url, event("s-1"))
      expect([answer.status, answer.json.error.code]).toEqual([400, "UNREADABLE_BODY"])
    }))
})

describe("receiver settings", () => {
  const constructors = [
    ["toWebHandler", (options: Webhook.HandlerOptions) => Webhook.toWebHandler(options)],
    ["toNodeListener", (options: Webhook.HandlerOptions) => Webhook.toNodeListener(options)],
    [
      "httpApp",
      (options: Webhook.HandlerOptions) =>
        Webhook.httpApp({ ...options, onEvent: () => Effect.void, onInvalid: undefined })
    ]
  ] as const

  it("are checked at construction: a TypeError names the option", () => {
    const invalid: ReadonlyArray<readonly [Partial<Webhook.HandlerOptions>, string]> = [
      [{ secret: "" }, "secret"],
      [{ secret: Redacted.make("") }, "secret"],
      [{ secret: " padded " }, "secret"],
      [{ maxBodyBytes: 0 }, "maxBodyBytes"],
      [{ maxBodyBytes: -1 }, "maxBodyBytes"],
      [{ maxBodyBytes: 1.5 }, "maxBodyBytes"],
      [{ maxBodyBytes: Number.NaN }, "maxBodyBytes"],
      [{ secretHeader: "" }, "secretHeader"],
      [{ secretHeader: "x secret" }, "secretHeader"],
      [{ secretHeader: "x-secret:" }, "secretHeader"],
      [{ handlerTimeout: 0 }, "handlerTimeout"],
      [{ handlerTimeout: -5 }, "handlerTimeout"],
      [{ handlerTimeout: "soon" as Webhook.HandlerOptions["handlerTimeout"] }, "handlerTimeout"],
      [{ maxInFlightBytes: 0 }, "maxInFlightBytes"],
      [{ maxInFlightBytes: 1.5 }, "maxInFlightBytes"],
      [{ maxInFlightBytes: Number.POSITIVE_INFINITY }, "maxInFlightBytes"],
      [{ maxInFlightBytes: 1000 }, "maxInFlightBytes"],
      [{ maxBodyBytes: 2048, maxInFlightBytes: 2047 }, "maxInFlightBytes"]
    ]
    for (const [name, make] of constructors) {
      for (const [options, option] of invalid) {
        expect(() => make({ onEvent: () => {}, ...options }), `${name} ${JSON.stringify(options)}`).toThrow(TypeError)
        expect(() => make({ onEvent: () => {}, ...options })).toThrow(option)
      }
      expect(() =>
        make({ onEvent: () => {}, secret: "s", secretHeader: "X-Token", maxBodyBytes: 10, handlerTimeout: "1 second" })
      )
        .not.toThrow()
      expect(() => make({ onEvent: () => {}, handlerTimeout: Duration.infinity })).not.toThrow()
      // the default budget grows to fit one body of the largest size
      expect(() => make({ onEvent: () => {}, maxBodyBytes: 100 * 1048576 })).not.toThrow()
      expect(() => make({ onEvent: () => {}, maxBodyBytes: 10, maxInFlightBytes: 10 })).not.toThrow()
    }
  })
})

describe("Webhook.toWebHandler and the request", () => {
  const body = event("s-1")

  it("cancels the body of a request it refuses without reading it", async () => {
    const handler = Webhook.toWebHandler({ onEvent: () => {}, secret: "right", maxBodyBytes: 1000 })
    const cases: ReadonlyArray<readonly [Record<string, string>, number, string?]> = [
      [{ "content-type": "application/json", "x-secret-key": "wrong" }, 401],
      [{ "content-type": "text/plain", "x-secret-key": "right" }, 415],
      [{ "content-type": "application/json", "x-secret-key": "right", "content-length": "100000" }, 413],
      [{ "content-type": "application/json", "x-secret-key": "right" }, 405, "PUT"]
    ]
    for (const [headers, status, method] of cases) {
      let cancelled = false
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) =>
          new Promise((resolve) =>
            setTimeout(() => {
              controller.enqueue(new Uint8Array(1024))
              resolve()
            }, 10)
          ),
        cancel: () => {
          cancelled = true
        }
      })
      const request = new Request("http://127.0.0.1/hook", {
        method: method ?? "POST",
        headers,
        body: stream,
        duplex: "half"
      } as RequestInit)
      const response = await handler(request)
      expect([response.status, cancelled]).toEqual([status, true])
    }
  })

  it("stops handling when the request's signal aborts, and releases the event for a copy", async () => {
    let calls = 0
    const handler = Webhook.toWebHandler({
      onEvent: () => {
        calls++
        return calls === 1 ? new Promise<void>(() => {}) : undefined
      }
    })
    const gone = new AbortController()
    const request = (signal?: AbortSignal) =>
      new Request("http://127.0.0.1/hook", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        ...(signal ? { signal } : {})
      })
    const first = handler(request(gone.signal))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const copy = handler(request())
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    gone.abort()
    const settled = await Promise.race([
      first.then(() => "settled", () => "settled"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 2_000))
    ])
    expect(settled).toBe("settled")
    expect(Date.now() - started).toBeLessThan(1_000)
    const answer = await Promise.race([copy, new Promise<undefined>((resolve) => setTimeout(resolve, 2_000))])
    expect(answer?.status).toBe(200)
    expect(await answer?.json()).toEqual({ status: "ok" })
    expect(calls).toBe(2)
  })

  it("reserves maxBodyBytes for a body without a length, then only its size once read", async () => {
    let hung = false
    const handler = Webhook.toWebHandler({
      maxBodyBytes: 1000,
      maxInFlightBytes: 1500,
      handlerTimeout: "2 seconds",
      onEvent: (event) => {
        if (!("session_id" in event) || event.session_id !== "hung") return
        hung = true
        return new Promise<void>(() => {})
      }
    })
    const request = (sessionId: string) =>
      new Request("http://127.0.0.1/hook", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: event(sessionId)
      })
    expect(request("hung").headers.get("content-length")).toBe(null)
    void handler(request("hung"))
    await vi.waitFor(() => expect(hung).toBe(true))
    // the hung delivery holds its body's size (about 150 bytes), not the 1000 it reserved
    const answer = await handler(request("s-2"))
    expect(answer.status).toBe(200)
  })

  it("with an already aborted signal, does not wait for onEvent", async () => {
    const handler = Webhook.toWebHandler({ onEvent: () => new Promise<void>(() => {}) })
    const response = await Promise.race([
      handler(
        new Request("http://127.0.0.1/hook", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.abort()
        })
      ).then(() => "settled", () => "settled"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1_000))
    ])
    expect(response).toBe("settled")
  })
})
