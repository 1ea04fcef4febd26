import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Webhook } from "../src/index.js"

const olderFailure = {
  session_id: "abcd",
  event_name: "ENRICHMENT_NOTIFICATION",
  accounts: [{
    bank_name: "sbi",
    account_id: "account_uuid4",
    account_status: "failed",
    error_code: "MISSING_TRANSACTIONS",
    error_message: "One or more transactions are missing in the specified date range"
  }]
}

const newerSuccess = {
  session_id: "s-1",
  event_name: "ENRICHMENT_NOTIFICATION",
  insights_available: true,
  accounts: [{
    bank_name: "hdfc",
    account_id: "a-1",
    account_status: "completed",
    error_code: "",
    error_message: "",
    name: "ASHA RAO",
    account_category: "individual",
    attempt_types: ["PDF"]
  }]
}

// the reference's SESSION_REQUIREMENT_COMPLETION_NOTIFICATION example
const uploadCompleted = {
  session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
  event_name: "SESSION_REQUIREMENT_COMPLETION_NOTIFICATION",
  message: "Upload Completed",
  accounts: [{
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    account_number: "XXXXXXXXXXXX3135",
    bank_name: "axis",
    created_at: "2025-11-13 06:48:44",
    last_updated_at: "2025-11-13 06:48:44",
    statements: [{
      statement_id: "bc04560a-d06c-4a51-b412-031b692ecf6f",
      statement_status: "completed",
      error_code: null,
      error_message: null,
      source: "pdf",
      statement_date_range: { from_date: "11/08/2025", to_date: "10/11/2025" },
      created_at: "2025-11-13 06:48:43.660968+00:00"
    }],
    account_status: "PARTIAL",
    months: ["2025-08", "2025-09", "2025-10", "2025-11"],
    missing_data: []
  }],
  session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" }
}

const failure = (code: string, message: string) =>
  Webhook.decode({
    ...olderFailure,
    accounts: [{ ...olderFailure.accounts[0], error_code: code, error_message: message }]
  })
    .pipe(Effect.map((e) => (e as Webhook.EnrichmentNotification).accounts[0]?.failure))

describe("Webhook.decode", () => {
  it.effect("decodes the older ENRICHMENT_NOTIFICATION, from a string or a value", () =>
    Effect.gen(function*() {
      for (const body of [JSON.stringify(olderFailure), olderFailure]) {
        const event = yield* Webhook.decode(body)
        expect(event).toBeInstanceOf(Webhook.EnrichmentNotification)
        if (event._tag !== "EnrichmentNotification") throw new Error("narrowing")
        expect(event.session_id).toBe("abcd")
        expect(event.insights_available).toBeNull()
        const [account] = event.accounts
        expect(account).toMatchObject({ bank_name: "sbi", account_id: "account_uuid4", account_status: "failed" })
        expect(account?.failure).toEqual(Webhook.AccountFailure.MissingTransactions({
          code: "MISSING_TRANSACTIONS",
          message: "One or more transactions are missing in the specified date range"
        }))
      }
    }))

  it.effect("reads the newer form's \"\" errors as no error, like the older form's null", () =>
    Effect.gen(function*() {
      const newer = yield* Webhook.decode(newerSuccess)
      const older = yield* Webhook.decode({
        ...olderFailure,
        accounts: [{ ...olderFailure.accounts[0], account_status: "completed", error_code: null, error_message: null }]
      })
      for (const event of [newer, older]) {
        const account = (event as Webhook.EnrichmentNotification).accounts[0]
        expect(account?.error_code).toBeNull()
        expect(account?.error_message).toBeNull()
        expect(account?.failure).toBeNull()
      }
      expect(newer).toMatchObject({ insights_available: true })
      expect((newer as Webhook.EnrichmentNotification).accounts[0]).toMatchObject({
        name: "ASHA RAO",
        account_category: "individual",
        attempt_types: ["PDF"]
      })
    }))

  it.effect("parses the months and the dates the failure messages carry", () =>
    Effect.gen(function*() {
      expect(
        yield* failure(
          "INCOMPLETE_MONTHS",
          "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023"
        )
      ).toMatchObject({
        _tag: "IncompleteMonths",
        months: [{ year: 2023, month: 11 }, { year: 2023, month: 12 }]
      })
      expect(
        yield* failure(
          "INCOMPLETE_MONTHS_UPLOAD",
          "Statement(s) uploaded contain incomplete months. Missing data present for Dec 2023, Jan 2024"
        )
      ).toMatchObject({ _tag: "IncompleteMonthsUpload", months: [{ year: 2023, month: 12 }, { year: 2024, month: 1 }] })
      for (
        const message of [
          "Statement(s) uploaded contain incomplete dates. Missing dates present for {\"Jan 2024\": [1, 2, 3, 4]}",
          "Statement(s) uploaded contain incomplete dates. Missing dates present for {\\\"Jan 2024\\\": [1, 2, 3, 4]}"
        ]
      ) {
        const dates = yield* failure("INCOMPLETE_DATES_UPLOAD", message)
        expect(dates).toMatchObject({
          _tag: "IncompleteDatesUpload",
          message,
          missing: [{ month: { year: 2024, month: 1 }, days: [1, 2, 3, 4] }]
        })
      }
    }))

  it.effect("types every documented code, keeps an unknown one, and tolerates a message without data", () =>
    Effect.gen(function*() {
      const tags = yield* Effect.forEach(
        ["NULL_ACCOUNT_NUMBER", "BALANCE_MISMATCH", "UNPARSABLE", "SOMETHING_NEW"],
        (code) => Effect.map(failure(code, "text"), (f) => [f?._tag, f?.code, f?.message])
      )
      expect(tags).toEqual([
        ["NullAccountNumber", "NULL_ACCOUNT_NUMBER", "text"],
        ["BalanceMismatch", "BALANCE_MISMATCH", "text"],
        ["Unparsable", "UNPARSABLE", "text"],
        ["OtherFailure", "SOMETHING_NEW", "text"]
      ])
      expect(yield* failure("INCOMPLETE_MONTHS", "Insufficient data")).toMatchObject({ months: [] })
      expect(yield* failure("INCOMPLETE_DATES_UPLOAD", "dates {not json")).toMatchObject({ missing: [] })
    }))

  it.effect("decodes the upload-completion event, its older name, and session expiry", () =>
    Effect.gen(function*() {
      const completed = yield* Webhook.decode(uploadCompleted)
      expect(completed._tag).toBe("SessionRequirementCompletionNotification")
      const [account] = (completed as Webhook.SessionRequirementCompletionNotification).accounts
      expect(account).toMatchObject({ account_status: "PARTIAL", account_number: "XXXXXXXXXXXX3135" })
      expect(account?.statements[0]).toMatchObject({
        statement_id: "bc04560a-d06c-4a51-b412-031b692ecf6f",
        error_code: null,
        statement_date_range: { from_date: "11/08/2025", to_date: "10/11/2025" }
      })
      const older = yield* Webhook.decode({ ...uploadCompleted, event_name: "SESSION_COMPLETION_NOTIFICATION" })
      expect(older._tag).toBe("SessionRequirementCompletionNotification")
      const expired = yield* Webhook.decode({
        ...uploadCompleted,
        event_name: "SESSION_EXPIRY_NOTIFICATION",
        message: "Session expired",
        accounts: [{ ...uploadCompleted.accounts[0], account_number: null, statement_id: null }]
      })
      expect(expired).toMatchObject({ _tag: "SessionExpiryNotification", message: "Session expired" })
    }))

  it.effect("keeps an unknown event whole", () =>
    Effect.gen(function*() {
      const body = { event_name: "STATEMENT_PASSWORD_REQUIRED", session_id: "s-9", extra: [1, 2] }
      const event = yield* Webhook.decode(JSON.stringify(body))
      expect(event).toBeInstanceOf(Webhook.UnknownEvent)
      expect(event).toMatchObject({
        _tag: "UnknownEvent",
        event_name: "STATEMENT_PASSWORD_REQUIRED",
        session_id: "s-9",
        body
      })
    }))

  it.effect("says what is wrong with garbage, never dying", () =>
    Effect.gen(function*() {
      const cases: Array<[unknown, "InvalidJson" | "InvalidPayload", string]> = [
        ["{not json", "InvalidJson", "not JSON"],
        ["", "InvalidJson", "not JSON"],
        ["[1,2]", "InvalidPayload", "an array"],
        ["42", "InvalidPayload", "Expected a JSON object"],
        [null, "InvalidPayload", "Expected a JSON object"],
        [{ session_id: "s" }, "InvalidPayload", "event_name"],
        [{ event_name: 7 }, "InvalidPayload", "event_name"],
        [{ event_name: "ENRICHMENT_NOTIFICATION" }, "InvalidPayload", "session_id"],
        [{ ...newerSuccess, accounts: "none" }, "InvalidPayload", "accounts"],
        [{ ...newerSuccess, accounts: [{ account_status: 1 }] }, "InvalidPayload", "accounts.0.account_status"]
      ]
      for (const [body, reason, mentions] of cases) {
        const error = yield* Effect.flip(Webhook.decode(body))
        expect(error).toBeInstanceOf(Webhook.WebhookPayloadError)
        expect([error.reason, error.message]).toEqual([reason, expect.stringContaining(mentions)])
      }
    }))

  it.effect("refuses a body nested deeper than any real payload, instead of overflowing the stack", () =>
    Effect.gen(function*() {
      const depth = 5_000
      const body = `{"event_name":"ENRICHMENT_NOTIFICATION","session_id":"s","accounts":[${"[".repeat(depth)}${
        "]".repeat(depth)
      }]}`
      const error = yield* Effect.flip(Webhook.decode(body))
      expect(error).toMatchObject({ reason: "InvalidPayload", message: "The body nests more than 32 levels deep" })
    }))

  it.effect("refuses a session_id over 256 characters and an event_name over 128, without echoing them", () =>
    Effect.gen(function*() {
      expect([Webhook.maxSessionIdLength, Webhook.maxEventNameLength]).toEqual([256, 128])
      const tooLong = "s".repeat(Webhook.maxSessionIdLength + 1)
      const cases: ReadonlyArray<[unknown, string]> = [
        [{ ...newerSuccess, session_id: tooLong }, "session_id"],
        [{ ...uploadCompleted, session_id: tooLong }, "session_id"],
        [{ ...uploadCompleted, event_name: "SESSION_EXPIRY_NOTIFICATION", session_id: tooLong }, "session_id"],
        [{ event_name: "SOMETHING_NEW", session_id: tooLong }, "session_id"],
        [{ event_name: "E".repeat(Webhook.maxEventNameLength + 1), session_id: "s" }, "event_name"],
        [{ event_name: "E".repeat(900_000) }, "event_name"]
      ]
      for (const [body, mentions] of cases) {
        for (const input of [body, JSON.stringify(body)]) {
          const error = yield* Effect.flip(Webhook.decode(input))
          expect(error).toBeInstanceOf(Webhook.WebhookPayloadError)
          expect([error.reason, error.message]).toEqual(["InvalidPayload", expect.stringContaining(mentions)])
          expect(error.message.length).toBeLessThan(200)
        }
      }
      const longest = "s".repeat(Webhook.maxSessionIdLength)
      expect(yield* Webhook.decode({ ...newerSuccess, session_id: longest })).toMatchObject({ session_id: longest })
      const name = "E".repeat(Webhook.maxEventNameLength)
      expect(yield* Webhook.decode({ event_name: name, session_id: longest })).toMatchObject({
        _tag: "UnknownEvent",
        event_name: name,
        session_id: longest
      })
    }))

  it.effect("leaves Object.prototype alone when a body carries __proto__ or constructor keys", () =>
    Effect.gen(function*() {
      const body = `{"event_name":"X","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`
      const event = yield* Webhook.decode(body)
      expect(event._tag).toBe("UnknownEvent")
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      const enrichment = yield* Webhook.decode(
        `{"session_id":"s","event_name":"ENRICHMENT_NOTIFICATION","__proto__":{"polluted":true},"accounts":[]}`
      )
      expect(enrichment._tag).toBe("EnrichmentNotification")
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    }))
})
