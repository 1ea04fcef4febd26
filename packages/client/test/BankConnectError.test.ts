import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { BankConnectClient, BankConnectError } from "../src/index.js"
import * as ErrorResponse from "../src/internal/errorResponse.js"
import * as Secrets from "../src/internal/secrets.js"
import { apiKey, layerFake, type Reply, serverHash } from "./utils/fakeApi.js"

const sessionId = "5f0e6b1a-1111-4c2d-9e3f-000000000001"

/** The error a progress call fails with when the API answers `reply` (no retries). */
const progressError = (reply: Reply) =>
  BankConnectClient.BankConnectClient.pipe(
    Effect.flatMap((client) => client.getProgress(sessionId)),
    Effect.flip,
    Effect.provide(layerFake(() => reply, { retry: { times: 0 } }).layer)
  )

const envelope = (code: string, message: string) => ({ error: { code, message } })

describe("BankConnectError", () => {
  const documented = [
    ["SESSION_NOT_FOUND", "The provided session ID is invalid", 404, "SessionNotFound"],
    [
      "PROCESSING_NOT_REQUESTED",
      "Cannot proceed as the processing has not been requested yet",
      400,
      "ProcessingNotRequested"
    ],
    ["SESSION_DELETED", "The provided session ID has been deleted", 410, "SessionDeleted"],
    ["ACCESS_DENIED", "Authentication credentials were not provided", 403, "AccessDenied"]
  ] as const

  for (const [code, message, status, tag] of documented) {
    it.effect(`maps ${code} (${status}) to ${tag}`, () =>
      Effect.gen(function*() {
        const error = yield* progressError({ status, json: envelope(code, message) })
        expect(error._tag).toBe(tag)
        expect(error).toBeInstanceOf(Error)
        expect(error).toMatchObject({ code, message, status, sessionId })
      }))
  }

  it.effect("keys off the code before the status", () =>
    Effect.gen(function*() {
      const error = yield* progressError({ status: 400, json: envelope("SESSION_DELETED", "gone") })
      expect(error._tag).toBe("SessionDeleted")
      expect(error).toMatchObject({ status: 400, code: "SESSION_DELETED" })
    }))

  it.effect("reads the code from the upload-style body too", () =>
    Effect.gen(function*() {
      const error = yield* progressError({
        status: 404,
        json: { session_id: "", statement_id: "", error: { code: "SESSION_NOT_FOUND", message: "nope" } }
      })
      expect(error).toMatchObject({ _tag: "SessionNotFound", message: "nope" })
    }))

  it.effect("maps DRF's 401 {detail} body to AccessDenied with its text", () =>
    Effect.gen(function*() {
      const error = yield* progressError({
        status: 401,
        json: { detail: "Authentication credentials were not provided." }
      })
      expect(error).toMatchObject({
        _tag: "AccessDenied",
        code: "ACCESS_DENIED",
        status: 401,
        message: "Authentication credentials were not provided."
      })
    }))

  it.effect("maps a code-less 404 and 410 on a session call by status", () =>
    Effect.gen(function*() {
      expect((yield* progressError({ status: 404, text: "Not Found" }))._tag).toBe("SessionNotFound")
      expect((yield* progressError({ status: 410, text: "" }))._tag).toBe("SessionDeleted")
    }))

  it.effect("maps an unknown code to UnknownApiError, keeping code and message", () =>
    Effect.gen(function*() {
      const error = yield* progressError({ status: 422, json: envelope("SOMETHING_NEW", "A new rule") })
      expect(error).toMatchObject({
        _tag: "UnknownApiError",
        code: "SOMETHING_NEW",
        message: "A new rule",
        status: 422
      })
    }))

  it.effect("maps a documented code the endpoint does not document to UnknownApiError", () =>
    Effect.gen(function*() {
      const error = yield* progressError({ status: 400, json: envelope("UNPARSABLE_STATEMENTS", "bad pdf") })
      expect(error).toMatchObject({ _tag: "UnknownApiError", code: "UNPARSABLE_STATEMENTS" })
    }))

  it.effect("maps a non-JSON 502 gateway page to UnknownApiError with HTTP_502 and readable text", () =>
    Effect.gen(function*() {
      const error = yield* progressError({
        status: 502,
        text: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
      })
      expect(error).toMatchObject({ _tag: "UnknownApiError", code: "HTTP_502", status: 502 })
      expect(error.message).toBe("HTTP 502: 502 Bad Gateway 502 Bad Gateway")
    }))

  it.effect("a 2xx body that does not decode is InvalidResponse, not a defect", () =>
    Effect.gen(function*() {
      const wrongShape = yield* progressError({ status: 200, json: { session_id: 7 } })
      expect(wrongShape._tag).toBe("InvalidResponse")
      expect(wrongShape.message).toContain("session_id")
      const notJson = yield* progressError({ status: 200, text: "<html>oops</html>" })
      expect(notJson._tag).toBe("InvalidResponse")
      expect(notJson.message).toContain("not JSON")
    }))

  it.effect("a deeply nested 2xx body is InvalidResponse, not a stack overflow", () =>
    Effect.gen(function*() {
      const depth = 5_000
      const error = yield* progressError({
        status: 200,
        text: `{"session_id":"s","session_progress":"processing","progress":[${"[".repeat(depth)}${"]".repeat(depth)}]}`
      })
      expect(error).toMatchObject({
        _tag: "InvalidResponse",
        message: "The progress response nests more than 32 levels deep"
      })
    }))

  it.effect("a server echoing the credentials does not put them in the error", () =>
    Effect.gen(function*() {
      const error = yield* progressError({
        status: 403,
        json: envelope("ACCESS_DENIED", `bad key ${apiKey} for hash ${serverHash}`)
      })
      expect(error.message).toBe("bad key <redacted> for hash <redacted>")
    }))

  it.effect("every error round-trips through its JSON form", () =>
    Effect.gen(function*() {
      const error = yield* progressError({ status: 404, json: envelope("SESSION_NOT_FOUND", "nope") })
      const json = Schema.encodeSync(BankConnectError.BankConnectError)(error)
      expect(JSON.parse(JSON.stringify(json))).toEqual({
        _tag: "SessionNotFound",
        code: "SESSION_NOT_FOUND",
        message: "nope",
        status: 404,
        sessionId
      })
      const back = Schema.decodeUnknownSync(BankConnectError.BankConnectError)(json)
      expect(back).toBeInstanceOf(BankConnectError.SessionNotFound)
      expect(BankConnectError.isApiError(back)).toBe(true)
      expect(BankConnectError.isApiError(new BankConnectError.InvalidArgument({ argument: "x", message: "y" }))).toBe(
        false
      )
    }))

  it("maps the adjacent codes for the endpoints that document them", () => {
    const context: ErrorResponse.CallContext<BankConnectError.KnownCode> = {
      codes: Object.keys(BankConnectError.codes) as Array<BankConnectError.KnownCode>,
      sessionId,
      scrubber: Secrets.make([])
    }
    const cases = [
      ["PROCESSING_NOT_COMPLETED", 400, "ProcessingNotCompleted"],
      ["DUPLICATE_PROCESSING_REQUEST", 409, "DuplicateProcessingRequest"],
      ["DUPLICATE_PROCESSING_REQUEST", 400, "DuplicateProcessingRequest"],
      ["UNPARSABLE_STATEMENTS", 400, "UnparsableStatements"]
    ] as const
    for (const [code, status, tag] of cases) {
      const error = ErrorResponse.fromResponse(context, status, JSON.stringify(envelope(code, "text")))
      expect(error).toMatchObject({ _tag: tag, code, status, message: "text", sessionId })
    }
  })

  it("lists every documented code with its class and status", () => {
    expect(
      Object.fromEntries(Object.entries(BankConnectError.codes).map(([code, v]) => [code, [v.error._tag, v.status]]))
    )
      .toEqual({
        SESSION_NOT_FOUND: ["SessionNotFound", 404],
        PROCESSING_NOT_REQUESTED: ["ProcessingNotRequested", 400],
        SESSION_DELETED: ["SessionDeleted", 410],
        ACCESS_DENIED: ["AccessDenied", 403],
        PROCESSING_NOT_COMPLETED: ["ProcessingNotCompleted", 400],
        DUPLICATE_PROCESSING_REQUEST: ["DuplicateProcessingRequest", 409],
        UNPARSABLE_STATEMENTS: ["UnparsableStatements", 400],
        KEY_REQUIRED: ["KeyRequired", 400],
        INVALID_DATE_FORMAT: ["InvalidDateFormat", 400],
        INVALID_DATE_RANGE: ["InvalidDateRange", 400],
        MISSING_DATE_FIELD: ["MissingDateField", 400],
        INVALID_BANK_NAME: ["InvalidBankName", 400],
        MISSING_BANK_NAME: ["MissingBankName", 400],
        MODE_NOT_AVAILABLE: ["ModeNotAvailable", 400],
        MODE_NOT_ENABLED: ["ModeNotEnabled", 403],
        INVALID_MOBILE_NUMBER: ["InvalidMobileNumber", 400],
        INVALID_SESSION_EXPIRY: ["InvalidSessionExpiry", 400],
        INVALID_URL: ["InvalidUrl", 400],
        INVALID_LENGTH: ["InvalidLength", 400],
        INVALID_PARAMETER_COUNT: ["InvalidParameterCount", 400],
        INVALID_REQUEST: ["InvalidRequest", 400],
        AUTHENTICATION_CREDENTIALS_NOT_PROVIDED: ["AuthenticationCredentialsNotProvided", 401],
        PAYMENT_REQUIRED: ["PaymentRequired", 402],
        UNSUPPORTED_MEDIA_TYPE: ["UnsupportedMediaType", 415],
        SESSION_EXPIRED: ["SessionExpired", 400],
        TRIAL_PERIOD_EXPIRED: ["TrialPeriodExpired", 402],
        INVALID_API_KEY: ["InvalidApiKey", 403],
        MISSING_FILE_OBJECT: ["MissingFileObject", 400],
        INVALID_FILE_OBJECT: ["InvalidFileObject", 400],
        EMPTY_FILE: ["EmptyFile", 400],
        INVALID_FILE_URL: ["InvalidFileUrl", 400],
        INVALID_BASE_64: ["InvalidBase64", 400],
        PASSWORD_INCORRECT: ["PasswordIncorrect", 400],
        PDF_IS_IMAGE: ["PdfIsImage", 400],
        STATEMENT_UNSUPPORTED_FORMAT: ["StatementUnsupportedFormat", 400],
        STATEMENT_DUPLICATE: ["StatementDuplicate", 400],
        OUT_OF_DATE_RANGE: ["OutOfDateRange", 400],
        BANK_NAME_UNDETECTED: ["BankNameUndetected", 400],
        BANK_NAME_MISMATCH: ["BankNameMismatch", 400],
        INVALID_ACCOUNT_CATEGORY: ["InvalidAccountCategory", 400]
      })
  })
})
