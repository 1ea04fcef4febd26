import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { Webhook } from "../../src/index.js"
import { report, scale } from "./support.js"

// The receiver against whatever a sender (or an attacker) may post. It is the same code
// behind all three ways of mounting it, driven here in-process through the Fetch handler.

const runs = 300 * scale
const maxBodyBytes = 64 * 1024

const handled: Array<Webhook.Event> = []
const invalid: Array<Webhook.InvalidDelivery> = []
const handler = Webhook.toWebHandler({
  onEvent: (event) => void handled.push(event),
  onInvalid: (delivery) => void invalid.push(delivery),
  maxBodyBytes,
  dedupe: false
})

const post = (body: string | Uint8Array, contentType = "application/json") =>
  handler(
    new Request("http://127.0.0.1/hook", {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : Buffer.from(body)
    })
  )

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort()
let tried = 0

/** The property every input must keep: no 5xx, and onEvent only for what decodes. */
const check = async (body: string | Uint8Array) => {
  tried++
  const before = handled.length
  const response = await post(body)
  expect(response.status).toBeLessThan(500)
  expect([200, 400, 413]).toContain(response.status)
  const text = typeof body === "string" ? body : new TextDecoder().decode(body)
  if (response.status === 200) {
    expect(handled.length).toBe(before + 1)
    expect(Either.isRight(Effect.runSync(Effect.either(Webhook.decode(text))))).toBe(true)
  } else {
    expect(handled.length).toBe(before)
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
}

const wire = <A, I>(schema: Schema.Schema<A, I>) =>
  Arbitrary.make(schema).map((value) => JSON.stringify(Schema.encodeSync(schema)(value)))

const enrichment = wire(Webhook.EnrichmentNotification)
const upload = wire(Webhook.SessionRequirementCompletionNotification)

/** A valid payload with one field replaced by any JSON value. */
const wrongType = fc.tuple(enrichment, fc.jsonValue(), fc.nat()).map(([text, value, pick]) => {
  const json = JSON.parse(text) as Record<string, unknown>
  const keys = Object.keys(json)
  json[keys[pick % keys.length]!] = value
  return JSON.stringify(json)
})

const truncated = fc.tuple(enrichment, fc.nat()).map(([text, at]) => text.slice(0, at % Math.max(1, text.length)))

const deep = fc.integer({ min: 1, max: 20_000 }).map((depth) =>
  `{"event_name":"ENRICHMENT_NOTIFICATION","session_id":"s","accounts":[${"[".repeat(depth)}${"]".repeat(depth)}]}`
)

const hostileKeys = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty").chain((
  key
) =>
  fc.constantFrom(
    `{"${key}":{"polluted":true},"event_name":"ENRICHMENT_NOTIFICATION","session_id":"s","accounts":[]}`,
    `{"event_name":"X","${key}":{"prototype":{"polluted":true}}}`,
    `{"event_name":"ENRICHMENT_NOTIFICATION","session_id":"s","accounts":[{"account_status":"failed","${key}":{"polluted":true}}]}`
  )
)

const hugeString = fc.integer({ min: 1, max: 200_000 }).map((n) =>
  JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "x".repeat(n), accounts: [] })
)

describe("webhook receiver fuzzing", () => {
  it(
    "random JSON values and strings",
    () =>
      fc.assert(
        fc.asyncProperty(fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string()), check),
        {
          numRuns: runs
        }
      ),
    60_000 * scale
  )

  it(
    "events from the schemas, truncated, and with wrong types",
    () => fc.assert(fc.asyncProperty(fc.oneof(enrichment, upload, truncated, wrongType), check), { numRuns: runs }),
    60_000 * scale
  )

  it("huge strings, deep nesting, invalid UTF-8 and hostile keys", () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(hugeString, deep, fc.uint8Array({ maxLength: 512 }), hostileKeys), check),
      { numRuns: runs }
    ), 60_000 * scale)

  it("left Object.prototype as it was, and handed every refused body to onInvalid", () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore)
    expect(tried).toBeGreaterThanOrEqual(3 * runs)
    expect(invalid.length).toBeGreaterThan(0)
    for (const event of handled) {
      expect(
        event instanceof Webhook.EnrichmentNotification || event instanceof Webhook.UnknownEvent ||
          event instanceof Webhook.SessionRequirementCompletionNotification ||
          event instanceof Webhook.SessionExpiryNotification
      ).toBe(true)
    }
    report(`fuzzing: ${tried} inputs, ${handled.length} accepted, ${invalid.length} refused with 400, 0 crashes, 0 5xx`)
  })
})
