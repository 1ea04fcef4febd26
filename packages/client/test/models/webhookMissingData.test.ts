import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as UploadStatus from "../../src/UploadStatus.js"
import * as WebhookPayload from "../../src/WebhookPayload.js"

// The upload webhooks' `missing_data`, typed as the upload status' date ranges; an element
// that is not a range never costs the delivery.

const completion = (missing: unknown) => ({
  session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
  event_name: "SESSION_REQUIREMENT_COMPLETION_NOTIFICATION",
  message: "Upload Completed",
  accounts: [{
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    account_number: "XXXXXXXXXXXX3135",
    bank_name: "axis",
    account_status: "PARTIAL",
    months: ["2025-08", "2025-09", "2025-10", "2025-11"],
    ...(missing === undefined ? {} : { missing_data: missing })
  }],
  session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" }
})

const missingOf = (event: WebhookPayload.Event) =>
  event._tag === "SessionRequirementCompletionNotification" || event._tag === "SessionExpiryNotification"
    ? event.accounts[0]!.missing_data
    : undefined

describe("WebhookPayload upload accounts' missing_data", () => {
  it.effect("decodes ranges as the upload status' IsoDateRange", () =>
    Effect.gen(function*() {
      const event = yield* WebhookPayload.decode(completion([{ from_date: "2025-11-03", to_date: "2025-11-11" }]))
      const [range] = missingOf(event)!
      expect(range).toBeInstanceOf(UploadStatus.IsoDateRange)
      expect(range!.from_date).toBe("2025-11-03")
      expect(range!.to && DateTime.formatIsoDateUtc(range!.to)).toBe("2025-11-11")
    }))

  it.effect("reads a missing, null or non-list value as none (the 2024 form has no missing_data)", () =>
    Effect.gen(function*() {
      for (const missing of [undefined, null, "2025-11-03", 7, {}]) {
        const event = yield* WebhookPayload.decode(completion(missing))
        expect(missingOf(event)).toEqual([])
      }
    }))

  it.effect("leaves out elements that are not ranges instead of refusing the delivery", () =>
    Effect.gen(function*() {
      const event = yield* WebhookPayload.decode(JSON.stringify(completion([
        "2025-11-03",
        null,
        [1, 2],
        { something: "else" },
        { from_date: "2025-11-03", to_date: null },
        { from_date: 20251103, to_date: "2025-11-11" }
      ])))
      expect(missingOf(event)!.map((range) => [range.from_date, range.to_date])).toEqual([
        ["2025-11-03", null],
        [null, "2025-11-11"]
      ])
    }))

  it.effect("decodes the expiry webhook the same way", () =>
    Effect.gen(function*() {
      const event = yield* WebhookPayload.decode({
        ...completion([{ from_date: "2025-11-03", to_date: "2025-11-11" }]),
        event_name: "SESSION_EXPIRY_NOTIFICATION",
        message: "Session expired"
      })
      expect(event._tag).toBe("SessionExpiryNotification")
      expect(missingOf(event)).toHaveLength(1)
    }))
})
