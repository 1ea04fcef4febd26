import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as UploadStatus from "../../src/UploadStatus.js"
import { uploadStatus2024, uploadStatus2025 } from "./fixtures.js"

const decodeEither = Schema.decodeUnknownEither(UploadStatus.UploadStatus)
const decodeSync = Schema.decodeUnknownSync(UploadStatus.UploadStatus)
const iso = (value: DateTime.Utc | undefined) => value === undefined ? undefined : DateTime.formatIso(value)

describe("UploadStatus", () => {
  it.effect("decodes the 2025 example: wire strings kept, parsed getters beside them", () =>
    Effect.gen(function*() {
      const status = yield* UploadStatus.decode(uploadStatus2025)
      expect(status.phase).toBe("Completed")
      expect(UploadStatus.isFinal(status)).toBe(true)
      expect(status.failure).toBeNull()
      expect(status.error?.code).toBeNull()
      expect(status.session_expiry_timestamp).toBe("2025-11-13 07:48:34")
      expect(iso(status.expiresAt)).toBe("2025-11-13T07:48:34.000Z")
      expect(status.session_date_range?.from_date).toBe("11/08/2025")
      expect(iso(status.session_date_range?.from)).toBe("2025-08-11T00:00:00.000Z")
      expect(iso(status.session_date_range?.to)).toBe("2025-11-11T00:00:00.000Z")

      const account = status.accounts[0]!
      expect(account.account_number).toBe("924010040573135")
      expect(account.name).toBeNull()
      expect(account.account_type).toBeNull()
      expect(account.full_bank_name).toBe("Axis Bank")
      expect(account.account_status).toBe("PARTIAL")
      expect(account.coveredMonths).toEqual([
        { year: 2025, month: 8 },
        { year: 2025, month: 9 },
        { year: 2025, month: 10 },
        { year: 2025, month: 11 }
      ])
      expect(account.missing_data).toHaveLength(1)
      expect(account.missing_data[0]).toBeInstanceOf(UploadStatus.IsoDateRange)
      expect(iso(account.missing_data[0]!.from)).toBe("2025-11-03T00:00:00.000Z")
      expect(iso(account.missing_data[0]!.to)).toBe("2025-11-11T00:00:00.000Z")
      expect(iso(account.createdAt)).toBe("2025-11-13T06:48:44.000Z")

      const statement = account.statements[0]!
      expect(statement.error_code).toBeNull()
      expect(statement.failed).toBe(false)
      expect(statement.upload_file_name).toBe("168c64e6-3d12-40c0-9ffb-2c02d59fe84c_axis.pdf")
      expect(iso(statement.statement_date_range?.to)).toBe("2025-11-10T00:00:00.000Z")
      expect(iso(statement.createdAt)).toBe("2025-11-13T06:48:43.660Z")
    }))

  it("decodes the 2024 form: `\"\"` as none, no expiry, no error, no missing_data, ISO created_at", () => {
    const status = decodeSync(uploadStatus2024)
    expect(status.phase).toBe("InProgress")
    expect(UploadStatus.isFinal(status)).toBe(false)
    expect(status.session_expiry_timestamp).toBeNull()
    expect(status.expiresAt).toBeUndefined()
    expect(status.error).toBeNull()
    expect(status.failure).toBeNull()
    expect(status.session_date_range?.from_date).toBeNull()
    expect(status.session_date_range?.from).toBeUndefined()
    const account = status.accounts[0]!
    expect(account.missing_data).toEqual([])
    expect(account.months).toEqual([])
    const statement = account.statements[0]!
    expect(statement.error_code).toBeNull()
    expect(statement.error_message).toBeNull()
    expect(statement.statement_date_range?.from_date).toBeNull()
    expect(iso(statement.createdAt)).toBe("2024-04-16T07:47:40.806Z")
  })

  it("normalises every spelling of upload_status, and keeps unknown ones", () => {
    const phases = Object.fromEntries(
      [
        "NO_UPLOAD",
        "NO_UPLOADS",
        "NO UPLOADS",
        "IN_PROGRESS",
        "IN PROGRESS",
        "in-progress",
        "COMPLETED",
        "EXPIRED",
        "PAUSED"
      ]
        .map((value) => [value, UploadStatus.phase(value)])
    )
    expect(phases).toEqual({
      NO_UPLOAD: "NoUploads",
      NO_UPLOADS: "NoUploads",
      "NO UPLOADS": "NoUploads",
      IN_PROGRESS: "InProgress",
      "IN PROGRESS": "InProgress",
      "in-progress": "InProgress",
      COMPLETED: "Completed",
      EXPIRED: "Expired",
      PAUSED: "Unknown"
    })
    const expired = decodeSync({ ...uploadStatus2025, upload_status: "EXPIRED" })
    expect(UploadStatus.isFinal(expired)).toBe(true)
    const paused = decodeSync({ ...uploadStatus2025, upload_status: "PAUSED" })
    expect(paused.upload_status).toBe("PAUSED")
    expect(paused.phase).toBe("Unknown")
    expect(UploadStatus.isFinal(paused)).toBe(false)
  })

  it("reports a failure only for a non-empty error.code", () => {
    expect(decodeSync({ ...uploadStatus2025, error: {} }).failure).toBeNull()
    expect(decodeSync({ ...uploadStatus2025, error: { code: "", message: "" } }).failure).toBeNull()
    expect(decodeSync({ ...uploadStatus2025, error: null }).failure).toBeNull()
    expect(
      decodeSync({ ...uploadStatus2025, error: { code: "KEY_REQUIRED", message: "valid session_id is required" } })
        .failure
    )
      .toEqual({ code: "KEY_REQUIRED", message: "valid session_id is required" })
  })

  it("keeps unknown statuses and error codes, ignores extra fields, types the documented codes", () => {
    const body = {
      ...uploadStatus2025,
      surprise: { nested: true },
      accounts: [{
        ...uploadStatus2025.accounts[0]!,
        account_status: "FAILED",
        extra: 1,
        statements: [{
          statement_id: "s-1",
          statement_status: "rejected",
          error_code: "PASSWORD_INCORRECT",
          error_message: "The provided password is incorrect",
          source: "PDF"
        }, {
          statement_id: "s-2",
          statement_status: "failed",
          error_code: "SOMETHING_NEW",
          error_message: "A new reason"
        }]
      }]
    }
    const status = decodeSync(body)
    const account = status.accounts[0]!
    expect(account.account_status).toBe("FAILED")
    expect(account.statements.map((s) => [s.statement_status, s.error_code, s.failed])).toEqual([
      ["rejected", "PASSWORD_INCORRECT", true],
      ["failed", "SOMETHING_NEW", true]
    ])
    expect(UploadStatus.failedStatements(status).map((s) => s.statement_id)).toEqual(["s-1", "s-2"])
    expect(UploadStatus.isKnownStatementErrorCode("PASSWORD_INCORRECT")).toBe(true)
    expect(UploadStatus.isKnownStatementErrorCode("SOMETHING_NEW")).toBe(false)
    expect(UploadStatus.statementErrorCodes).toHaveLength(13)
    expect(UploadStatus.statementErrorMessages.PDF_IS_IMAGE).toBe("Scanned images are not supported")
    expect("surprise" in status).toBe(false)
  })

  it("reads missing_data tolerantly: non-ranges left out, odd dates kept as strings with undefined getters", () => {
    const decodeMissing = Schema.decodeUnknownSync(UploadStatus.MissingData)
    const ranges = decodeMissing([
      { from_date: "2025-11-03", to_date: "2025-11-11" },
      "2025-11-03",
      null,
      42,
      [],
      {},
      { unrelated: true },
      { from_date: "03/11/2025", to_date: 5 },
      { from_date: "2025-11-20", to_date: "" }
    ])
    expect(ranges.map((range) => [range.from_date, range.to_date])).toEqual([
      ["2025-11-03", "2025-11-11"],
      ["03/11/2025", null],
      ["2025-11-20", null]
    ])
    expect(ranges[1]!.from).toBeUndefined()
    expect(iso(ranges[2]!.from)).toBe("2025-11-20T00:00:00.000Z")
    for (const odd of [null, "none", 1, {}]) expect(decodeMissing(odd)).toEqual([])
  })

  it("fails without a session_id or an upload_status, naming the field", () => {
    const { upload_status: _, ...noStatus } = uploadStatus2025
    const result = decodeEither(noStatus)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) expect(result.left.message).toContain("upload_status")
  })
})
