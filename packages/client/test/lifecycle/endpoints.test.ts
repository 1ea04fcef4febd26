import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { BankConnectClient } from "../../src/index.js"
import { apiKey, layerFake, type Reply, serverHash } from "../utils/fakeApi.js"

// Each lifecycle call over a fake transport: the exact request, the decoded answer, and
// every error code its endpoint documents typed (any other code stays UnknownApiError).

const sessionId = "136b1aa3-4610-4d0a-89f3-03078a2fce92"
const Client = BankConnectClient.BankConnectClient

const error = (status: number, code: string, message = "the API's text"): Reply => ({
  status,
  json: { error: { code, message } }
})

const sessionStatusBody = {
  session_id: sessionId,
  insights_available: false,
  accounts: [{
    account_id: "64d79813-d882-4c15-9ced-383e463678f8",
    account_number: "XXXXXXXXXXX3135",
    bank_name: "iob",
    account_type: "SAVINGS",
    attempt_types: ["PDF"],
    account_status: "failed",
    error_code: "INCOMPLETE_MONTHS",
    error_message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023",
    created_at: "2025-11-13 07:35:33",
    last_updated_at: "2025-11-13 07:35:47",
    statements: [{
      statement_id: "dd144ba8-0074-4175-b3e1-d4fac903d989",
      statement_status: "completed",
      error_code: null,
      error_message: null,
      source: "pdf",
      created_at: "2025-11-13T07:35:31.956654Z"
    }]
  }]
}

const uploadStatusBody = (uploadStatus: string) => ({
  session_id: sessionId,
  session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" },
  upload_status: uploadStatus,
  session_expiry_timestamp: "2025-11-13 07:48:34",
  accounts: [],
  error: {}
})

const insightsBody = (id: string) => ({
  session_id: id,
  link_id: "test_docs",
  session_date_range: { from_date: "2025-08-11", to_date: "2025-11-11" },
  accounts: [{
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    data: {
      account_details: { name: "ANANDA P", bank: "axis", account_number: "924010040573135", dob: "" },
      transactions: [{
        transaction_type: "credit",
        transaction_note: "MUTHOOT FINANCE",
        chq_num: "",
        amount: 1609.0,
        balance: 1614.0,
        date: "2025-08-11 00:00:00",
        hash: "46c183428a4a30cd190d2a5dd5bbccd8",
        category: "Loan Disbursed"
      }],
      predictors: { month_0: "Nov-25", income_1: 34457.0, author_fraud: false },
      score: 496.0
    }
  }]
})

describe("the lifecycle calls", () => {
  it.effect("getSessionStatus: the exact request, accounts with their typed failure", () => {
    const fake = layerFake(() => ({ status: 200, json: sessionStatusBody }))
    return Effect.gen(function*() {
      const status = yield* (yield* Client).getSessionStatus(sessionId)
      const seen = fake.requests[0]!
      expect(seen.method).toBe("GET")
      expect(seen.url.pathname).toBe(`/bank-connect/v1/session_data/${sessionId}/session_status/`)
      expect(seen.headers["x-api-key"]).toBe(apiKey)
      expect(seen.headers["server-hash"]).toBe(serverHash)
      const account = status.accounts[0]!
      expect(account.failure).toMatchObject({
        _tag: "IncompleteMonths",
        months: [{ year: 2023, month: 11 }, { year: 2023, month: 12 }]
      })
      expect(account.statements[0]?.statement_status).toBe("completed")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect.each(
    [
      [404, "SESSION_NOT_FOUND", "SessionNotFound"],
      [400, "PROCESSING_NOT_REQUESTED", "ProcessingNotRequested"],
      [400, "PROCESSING_NOT_COMPLETED", "ProcessingNotCompleted"],
      [410, "SESSION_DELETED", "SessionDeleted"],
      [403, "ACCESS_DENIED", "AccessDenied"],
      [400, "DUPLICATE_PROCESSING_REQUEST", "UnknownApiError"]
    ] as const
  )("getSessionStatus, getInsights and getPdfs type HTTP %s %s as %s", ([status, code, tag]) => {
    const fake = layerFake(() => error(status, code))
    return Effect.gen(function*() {
      const client = yield* Client
      const calls: ReadonlyArray<(id: string) => Effect.Effect<unknown, BankConnectClient.SessionStatusError>> = [
        client.getSessionStatus,
        client.getInsights,
        client.getPdfs
      ]
      for (const call of calls) {
        const failure = yield* Effect.flip(call(sessionId))
        expect(failure).toMatchObject({ _tag: tag, code, status, sessionId })
      }
      expect(fake.requests).toHaveLength(3)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a session status about another session is refused", () => {
    const fake = layerFake(() => ({ status: 200, json: { ...sessionStatusBody, session_id: "another" } }))
    return Effect.gen(function*() {
      const failure = yield* Effect.flip((yield* Client).getSessionStatus(sessionId))
      expect(failure).toMatchObject({ _tag: "InvalidResponse", reason: "OtherSession" })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("initiateProcessing: POST, 202, and DUPLICATE_PROCESSING_REQUEST typed (400 and 409) or success on request", () => {
    let answer: Reply = { status: 202, json: { session_id: sessionId, message: "success" } }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      expect(yield* client.initiateProcessing(sessionId)).toEqual({ sessionId, alreadyRequested: false })
      expect(fake.requests[0]?.method).toBe("POST")
      expect(fake.requests[0]?.url.pathname).toBe(`/bank-connect/v1/session_data/${sessionId}/initiate_processing/`)
      for (const status of [400, 409]) {
        answer = error(status, "DUPLICATE_PROCESSING_REQUEST")
        expect(yield* Effect.flip(client.initiateProcessing(sessionId))).toMatchObject({
          _tag: "DuplicateProcessingRequest",
          status
        })
        expect(yield* client.initiateProcessing(sessionId, { duplicateIsSuccess: true })).toEqual({
          sessionId,
          alreadyRequested: true
        })
      }
      for (
        const [status, code, tag] of [
          [400, "UNPARSABLE_STATEMENTS", "UnparsableStatements"],
          [404, "SESSION_NOT_FOUND", "SessionNotFound"],
          [410, "SESSION_DELETED", "SessionDeleted"],
          [403, "ACCESS_DENIED", "AccessDenied"],
          [400, "PROCESSING_NOT_COMPLETED", "UnknownApiError"]
        ] as const
      ) {
        answer = error(status, code)
        expect(yield* Effect.flip(client.initiateProcessing(sessionId, { duplicateIsSuccess: true }))).toMatchObject({
          _tag: tag,
          code
        })
      }
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("getUploadStatus and its codes; watchUploadStatus ends at the first final status", () => {
    const statuses = ["NO_UPLOAD", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "COMPLETED"]
    const fake = layerFake((seen, index) =>
      seen.url.pathname.endsWith("/session_upload_status/")
        ? { status: 200, json: uploadStatusBody(statuses[index]!) }
        : error(500, "UNEXPECTED")
    )
    return Effect.gen(function*() {
      const client = yield* Client
      const fiber = yield* Effect.fork(
        Stream.runCollect(client.watchUploadStatus(sessionId, { interval: "5 seconds" }))
      )
      yield* TestClock.adjust("1 minute")
      const seen = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(seen.map((status) => status.upload_status)).toEqual([
        "NO_UPLOAD",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "COMPLETED"
      ])
      expect(fake.requests).toHaveLength(4)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect.each(
    [
      [404, "SESSION_NOT_FOUND", "SessionNotFound"],
      [410, "SESSION_DELETED", "SessionDeleted"],
      [403, "ACCESS_DENIED", "AccessDenied"],
      [400, "KEY_REQUIRED", "KeyRequired"],
      [400, "PROCESSING_NOT_REQUESTED", "UnknownApiError"]
    ] as const
  )("getUploadStatus types HTTP %s %s as %s", ([status, code, tag]) => {
    const fake = layerFake(() => error(status, code))
    return Effect.gen(function*() {
      expect(yield* Effect.flip((yield* Client).getUploadStatus(sessionId))).toMatchObject({ _tag: tag, code })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("getInsights decodes the body and refuses one about another session", () => {
    let id = sessionId
    const fake = layerFake(() => ({ status: 200, json: insightsBody(id) }))
    return Effect.gen(function*() {
      const client = yield* Client
      const insights = yield* client.getInsights(sessionId)
      expect(fake.requests[0]?.url.pathname).toBe(`/bank-connect/v1/session_data/${sessionId}/insights/`)
      expect(insights.accounts[0]?.data.transactions[0]?.amount).toBe(1609)
      id = "another-session"
      expect(yield* Effect.flip(client.getInsights(sessionId))).toMatchObject({
        _tag: "InvalidResponse",
        reason: "OtherSession"
      })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("deleteSession: DELETE, any 2xx, and SESSION_DELETED typed or success on request", () => {
    let answer: Reply = { status: 204 }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      expect(yield* client.deleteSession(sessionId)).toEqual({ sessionId, alreadyDeleted: false })
      expect(fake.requests[0]?.method).toBe("DELETE")
      expect(fake.requests[0]?.url.pathname).toBe(`/bank-connect/v1/session_data/${sessionId}/delete/`)
      answer = { status: 200, text: "not even json" }
      expect(yield* client.deleteSession(sessionId)).toEqual({ sessionId, alreadyDeleted: false })
      answer = error(410, "SESSION_DELETED")
      expect(yield* Effect.flip(client.deleteSession(sessionId))).toMatchObject({ _tag: "SessionDeleted" })
      expect(yield* client.deleteSession(sessionId, { deletedIsSuccess: true })).toEqual({
        sessionId,
        alreadyDeleted: true
      })
      answer = error(404, "SESSION_NOT_FOUND")
      expect(yield* Effect.flip(client.deleteSession(sessionId, { deletedIsSuccess: true }))).toMatchObject({
        _tag: "SessionNotFound"
      })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a session id that cannot go into a path is refused before anything is sent", () => {
    const fake = layerFake(() => ({ status: 200, json: {} }))
    return Effect.gen(function*() {
      const client = yield* Client
      const calls: ReadonlyArray<(id: string) => Effect.Effect<unknown, { readonly _tag: string }>> = [
        client.getSessionStatus,
        client.getUploadStatus,
        client.getInsights,
        client.getPdfs,
        client.initiateProcessing,
        client.deleteSession
      ]
      for (const call of calls) {
        expect(yield* Effect.flip(call("../update_webhook"))).toMatchObject({ _tag: "InvalidArgument" })
      }
      expect(fake.requests).toHaveLength(0)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("downloadReport", () => {
  const signed = (date: string, expires: number) =>
    `https://reports.example.s3.amazonaws.com/entity_report_${sessionId}.xlsx?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
    `&X-Amz-Credential=AKIASECRETCREDENTIAL&X-Amz-Date=${date}&X-Amz-Expires=${expires}` +
    `&X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=deadbeefsignature`

  it.effect("streams the bytes without the API's credentials", () => {
    const fake = layerFake(() => ({ status: 200, text: "PK-report-bytes" }))
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2025, 11, 1, 10, 30))
      const chunks = yield* Stream.runCollect((yield* Client).downloadReport(signed("20251201T100000Z", 3600)))
      expect(Buffer.concat(Chunk.toReadonlyArray(chunks)).toString()).toBe("PK-report-bytes")
      const seen = fake.requests[0]!
      expect(seen.url.hostname).toBe("reports.example.s3.amazonaws.com")
      expect(seen.headers["x-api-key"]).toBeUndefined()
      expect(seen.headers["server-hash"]).toBeUndefined()
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a link past its X-Amz-Expires fails with ReportLinkExpired before any request, its query never shown", () => {
    const fake = layerFake(() => ({ status: 200, text: "bytes" }))
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2025, 11, 1, 11, 0, 1))
      const failure = yield* Effect.flip(
        Stream.runDrain((yield* Client).downloadReport(signed("20251201T100000Z", 3600)))
      )
      expect(failure).toMatchObject({ _tag: "ReportLinkExpired", expiredAt: new Date(Date.UTC(2025, 11, 1, 11)) })
      expect(fake.requests).toHaveLength(0)
      expect(JSON.stringify(failure)).not.toMatch(/SECRET|Signature|deadbeef/)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a 403 is ReportLinkExpired, another status UnknownApiError, a redirect not followed", () => {
    let answer: Reply = { status: 403, text: "<Error><Code>AccessDenied</Code></Error>" }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      const link = `https://reports.example/r.xlsx?X-Amz-Signature=SECRETSIG`
      expect(yield* Effect.flip(Stream.runDrain(client.downloadReport(link)))).toMatchObject({
        _tag: "ReportLinkExpired",
        status: 403
      })
      answer = { status: 500, text: "oops" }
      expect(yield* Effect.flip(Stream.runDrain(client.downloadReport(link)))).toMatchObject({
        _tag: "UnknownApiError",
        code: "HTTP_500"
      })
      answer = { status: 302, headers: { location: "https://elsewhere.example/" } }
      const redirect = yield* Effect.flip(Stream.runDrain(client.downloadReport(link)))
      expect(redirect).toMatchObject({ _tag: "UnknownApiError", code: "HTTP_302" })
      expect(fake.requests).toHaveLength(3)
      expect(JSON.stringify(redirect)).not.toContain("SECRETSIG")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("refuses http links (the base URL is https), links with credentials and non-URLs; caps the size", () => {
    const fake = layerFake(() => ({ status: 200, text: "x".repeat(5000) }), { maxReportBytes: 1000 })
    return Effect.gen(function*() {
      const client = yield* Client
      for (const link of ["http://reports.example/r.xlsx", "https://user:pw@reports.example/r", "not a url"]) {
        expect(yield* Effect.flip(Stream.runDrain(client.downloadReport(link)))).toMatchObject({
          _tag: "InvalidArgument",
          argument: "url"
        })
      }
      expect(fake.requests).toHaveLength(0)
      expect(yield* Effect.flip(Stream.runDrain(client.downloadReport("https://reports.example/r.xlsx"))))
        .toMatchObject({ _tag: "InvalidResponse", reason: "TooLarge" })
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("the whole download is limited by transferTimeout", () => {
    const fake = layerFake(() => Effect.never, { transferTimeout: "30 seconds" })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Stream.runDrain((yield* Client).downloadReport("https://reports.example/r")))
      yield* TestClock.adjust("31 seconds")
      expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("the calls that start a session", () => {
  const createCodes = [
    [400, "INVALID_DATE_FORMAT", "InvalidDateFormat"],
    [400, "INVALID_DATE_RANGE", "InvalidDateRange"],
    [400, "MISSING_DATE_FIELD", "MissingDateField"],
    [400, "INVALID_BANK_NAME", "InvalidBankName"],
    [400, "MISSING_BANK_NAME", "MissingBankName"],
    [400, "MODE_NOT_AVAILABLE", "ModeNotAvailable"],
    [403, "MODE_NOT_ENABLED", "ModeNotEnabled"],
    [400, "INVALID_MOBILE_NUMBER", "InvalidMobileNumber"],
    [400, "INVALID_SESSION_EXPIRY", "InvalidSessionExpiry"],
    [400, "INVALID_URL", "InvalidUrl"],
    [400, "INVALID_LENGTH", "InvalidLength"],
    [400, "INVALID_PARAMETER_COUNT", "InvalidParameterCount"],
    [400, "INVALID_REQUEST", "InvalidRequest"],
    [401, "AUTHENTICATION_CREDENTIALS_NOT_PROVIDED", "AuthenticationCredentialsNotProvided"],
    [403, "ACCESS_DENIED", "AccessDenied"],
    [402, "PAYMENT_REQUIRED", "PaymentRequired"],
    [400, "SESSION_EXPIRED", "UnknownApiError"]
  ] as const

  it.effect("createSession: every documented code typed; 402 and 415 without a code too; sent once", () => {
    let answer: Reply = { status: 200, json: { session_id: sessionId, redirect_url: "https://x.example/" } }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      const created = yield* client.createSession({ linkId: "customer-1" })
      expect(created.session_id).toBe(sessionId)
      expect(fake.requests[0]?.url.pathname).toBe("/bank-connect/v1/session/")
      expect(fake.requests[0]?.body).toMatchObject({ link_id: "customer-1", api_key: apiKey })
      for (const [status, code, tag] of createCodes) {
        answer = error(status, code)
        expect(yield* Effect.flip(client.createSession({ linkId: "c" }))).toMatchObject({ _tag: tag, code })
      }
      answer = { status: 402, text: "Payment Required" }
      expect(yield* Effect.flip(client.createSession({ linkId: "c" }))).toMatchObject({ _tag: "PaymentRequired" })
      answer = { status: 415, text: "" }
      expect(yield* Effect.flip(client.createSession({ linkId: "c" }))).toMatchObject({ _tag: "UnsupportedMediaType" })
      answer = { status: 503 }
      expect(yield* Effect.flip(client.createSession({ linkId: "c" }))).toMatchObject({ _tag: "UnknownApiError" })
      // one request per call, a 503 included: a retry could create a second session
      expect(fake.requests).toHaveLength(1 + createCodes.length + 3)
    }).pipe(Effect.provide(fake.layer))
  })

  const uploadCodes = [
    [400, "SESSION_EXPIRED", "SessionExpired"],
    [402, "TRIAL_PERIOD_EXPIRED", "TrialPeriodExpired"],
    [403, "INVALID_API_KEY", "InvalidApiKey"],
    [400, "MISSING_FILE_OBJECT", "MissingFileObject"],
    [400, "INVALID_FILE_OBJECT", "InvalidFileObject"],
    [400, "EMPTY_FILE", "EmptyFile"],
    [400, "INVALID_FILE_URL", "InvalidFileUrl"],
    [400, "INVALID_BASE_64", "InvalidBase64"],
    [400, "PASSWORD_INCORRECT", "PasswordIncorrect"],
    [400, "PDF_IS_IMAGE", "PdfIsImage"],
    [400, "STATEMENT_UNSUPPORTED_FORMAT", "StatementUnsupportedFormat"],
    [400, "STATEMENT_DUPLICATE", "StatementDuplicate"],
    [400, "OUT_OF_DATE_RANGE", "OutOfDateRange"],
    [400, "BANK_NAME_UNDETECTED", "BankNameUndetected"],
    [400, "BANK_NAME_MISMATCH", "BankNameMismatch"],
    [400, "INVALID_ACCOUNT_CATEGORY", "InvalidAccountCategory"],
    [404, "SESSION_NOT_FOUND", "SessionNotFound"],
    [400, "MODE_NOT_ENABLED", "UnknownApiError"]
  ] as const

  it.effect("uploadStatement: every documented code typed, in the upload's error body; never sent twice", () => {
    let answer: Reply = { status: 503 }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      const file = new TextEncoder().encode("%PDF-1.7\n%%EOF")
      for (const [status, code, tag] of uploadCodes) {
        answer = { status, json: { session_id: "", statement_id: "", error: { code, message: "the API's text" } } }
        expect(yield* Effect.flip(client.uploadStatement({ sessionId, file }))).toMatchObject({ _tag: tag, code })
      }
      answer = { status: 503 }
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file }))).toMatchObject({ _tag: "UnknownApiError" })
      expect(fake.requests).toHaveLength(uploadCodes.length + 1)
      expect(fake.requests[0]?.url.pathname).toBe("/bank-connect/v1/statement/upload_session/")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("getBankCatalogue: the exact request and ACCESS_DENIED typed", () => {
    let answer: Reply = { status: 200, json: { count: 1, banks: [{ name: "SBI", full_name: "State Bank of India" }] } }
    const fake = layerFake(() => answer)
    return Effect.gen(function*() {
      const client = yield* Client
      const catalogue = yield* client.getBankCatalogue()
      expect(catalogue.banks[0]?.name).toBe("SBI")
      expect(fake.requests[0]?.url.pathname).toBe("/bank-connect/v1/banks/catalogue/")
      answer = error(403, "ACCESS_DENIED")
      expect(yield* Effect.flip(client.getBankCatalogue())).toMatchObject({ _tag: "AccessDenied" })
    }).pipe(Effect.provide(fake.layer))
  })
})
