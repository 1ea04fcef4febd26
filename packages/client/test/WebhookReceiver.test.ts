import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
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
    accounts: [{ bank_name: "sbi", account_id: "a", account_status: "completed", error_code: null, error_message: null }]
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
          onEvent: () => new Promise<void>((resolve) => {
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
        expect(invalid.map((i) => i.body.slice(0, 16))).toEqual(["{\"event_name\": ", "{\"event_name\":\"E", "{\ufffd\ufffd}"])
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
  })
}

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
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)))
        }),
        () => Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
      )
      const answer = yield* post(url, event("s-1"))
      expect([answer.status, answer.json.error.code]).toEqual([400, "UNREADABLE_BODY"])
    }))
})
