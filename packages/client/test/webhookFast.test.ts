import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as WebhookFast from "../src/internal/webhookFast.js"
import * as WebhookPayload from "../src/WebhookPayload.js"

// The receiver's fast path must give exactly what WebhookPayload.decode gives, or step
// aside: for any value, it either declines (undefined) or builds an event equal to decode's;
// for every ENRICHMENT_NOTIFICATION of the documented shape, it builds it.

const fast = WebhookFast.make(WebhookPayload)
const decode = (value: unknown) => Effect.runSync(Effect.either(WebhookPayload.decode(value)))

/** Nested past what decode accepts, in a field the schema would ignore. */
const deep: unknown = Array.from({ length: 40 }).reduce<unknown>((inner) => [inner], "deep")

const field = FastCheck.oneof(
  FastCheck.string(),
  FastCheck.constant(""),
  FastCheck.constant(null),
  FastCheck.constant(undefined)
)
const odd = FastCheck.oneof(
  field,
  FastCheck.integer(),
  FastCheck.boolean(),
  FastCheck.constant({}),
  FastCheck.constant([]),
  FastCheck.constant(deep)
)
const account = (value: FastCheck.Arbitrary<unknown>) =>
  FastCheck.record({
    bank_name: value,
    account_id: value,
    account_status: value,
    error_code: value,
    error_message: value,
    name: value,
    account_category: value,
    attempt_types: FastCheck.oneof(FastCheck.array(value, { maxLength: 3 }), value),
    extra: value
  }, { requiredKeys: [] })
const notification = (value: FastCheck.Arbitrary<unknown>) =>
  FastCheck.record({
    session_id: FastCheck.oneof(value, FastCheck.constant("s".repeat(WebhookPayload.maxSessionIdLength + 1))),
    event_name: FastCheck.oneof(
      FastCheck.constant("ENRICHMENT_NOTIFICATION"),
      FastCheck.constant("SESSION_EXPIRY_NOTIFICATION"),
      value
    ),
    insights_available: FastCheck.oneof(FastCheck.boolean(), value),
    accounts: FastCheck.oneof(FastCheck.array(account(value), { maxLength: 3 }), value),
    extra: FastCheck.oneof(value, FastCheck.constant(deep))
  }, { requiredKeys: ["event_name"] })

describe("the webhook fast path", () => {
  it("declines or agrees with WebhookPayload.decode, for any value", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(notification(odd), notification(field), FastCheck.jsonValue()),
        (value) => {
          const quick = fast(value)
          if (quick !== undefined) {
            const full = decode(value)
            expect(Either.isRight(full)).toBe(true)
            expect(quick).toStrictEqual(Either.getOrThrow(full))
          }
        }
      ),
      { numRuns: 3000 }
    )
  })

  it("decodes every ENRICHMENT_NOTIFICATION of the documented shape", () => {
    const documented = Arbitrary.make(Schema.encodedSchema(WebhookPayload.EnrichmentNotification)).filter((value) =>
      value.session_id.length <= WebhookPayload.maxSessionIdLength
    )
    FastCheck.assert(
      FastCheck.property(documented, (value) => {
        const quick = fast(value)
        expect(quick).toBeDefined()
        expect(quick).toStrictEqual(Either.getOrThrow(decode(value)))
        expect(quick).toBeInstanceOf(WebhookPayload.EnrichmentNotification)
      }),
      { numRuns: 2000 }
    )
  })

  it("steps aside for every value when the schema's fields are not the ones it knows", () => {
    class Changed extends Schema.Class<Changed>("Changed")({
      ...WebhookPayload.EnrichmentNotification.fields,
      added: Schema.String
    }) {}
    const declining = WebhookFast.make({
      EnrichmentNotification: Changed as unknown as typeof WebhookPayload.EnrichmentNotification,
      EnrichmentAccount: WebhookPayload.EnrichmentAccount
    })
    expect(declining({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "s", accounts: [] })).toBeUndefined()
    expect(fast({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "s", accounts: [] })).toBeInstanceOf(
      WebhookPayload.EnrichmentNotification
    )
  })
})
