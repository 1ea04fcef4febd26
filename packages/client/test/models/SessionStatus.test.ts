import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SessionStatus from "../../src/SessionStatus.js"
import * as UploadStatus from "../../src/UploadStatus.js"
import * as WebhookPayload from "../../src/WebhookPayload.js"
import { sessionStatus2024, sessionStatus2025Completed, sessionStatus2025Failed } from "./fixtures.js"

const decodeSync = Schema.decodeUnknownSync(SessionStatus.SessionStatus)
const iso = (value: DateTime.Utc | undefined) => value === undefined ? undefined : DateTime.formatIso(value)

describe("SessionStatus", () => {
  it.effect("decodes the 2025 failed example: the account failed while its statement completed", () =>
    Effect.gen(function*() {
      const status = yield* SessionStatus.decode(sessionStatus2025Failed)
      expect(status.insights_available).toBe(false)
      expect(SessionStatus.isSuccessful(status)).toBe(false)
      const [account] = SessionStatus.failedAccounts(status)
      expect(account?.account_id).toBe("64d79813-d882-4c15-9ced-383e463678f8")
      expect(account?.failure).toEqual(
        WebhookPayload.AccountFailure.Unparsable({
          code: "UNPARSABLE",
          message: "Failed to process because of an unparsable statement"
        })
      )
      expect(account?.attempt_types).toEqual(["PDF"])
      expect(account?.full_bank_name).toBe("Indian Overseas Bank")
      expect(iso(account?.lastUpdatedAt)).toBe("2025-11-13T07:35:47.000Z")
      const statement = account!.statements[0]!
      expect(statement).toBeInstanceOf(UploadStatus.Statement)
      expect(statement).toBeInstanceOf(SessionStatus.Statement)
      expect(statement.failed).toBe(false)
      expect(iso(statement.createdAt)).toBe("2025-11-13T07:35:31.956Z")
      expect(SessionStatus.failedStatements(status)).toEqual([])
    }))

  it("decodes the 2025 completed example", () => {
    const status = decodeSync(sessionStatus2025Completed)
    expect(SessionStatus.isSuccessful(status)).toBe(true)
    expect(SessionStatus.completedAccounts(status)).toHaveLength(1)
    expect(SessionStatus.failedAccounts(status)).toEqual([])
    expect(status.accounts[0]!.failure).toBeNull()
  })

  it("decodes the 2024 form: no insights_available, null details, every statement field null", () => {
    const status = decodeSync(sessionStatus2024)
    expect(status.insights_available).toBeNull()
    expect(SessionStatus.isSuccessful(status)).toBe(true)
    const account = status.accounts[0]!
    expect(account.account_number).toBeNull()
    expect(account.name).toBeNull()
    expect(account.attempt_types).toEqual([])
    expect(account.createdAt).toBeUndefined()
    const statement = account.statements[0]!
    expect([statement.statement_id, statement.statement_status, statement.source, statement.created_at]).toEqual([
      null,
      null,
      null,
      null
    ])
    expect(statement.createdAt).toBeUndefined()
  })

  it("gives the failure the same typed AccountFailure as the webhook, with its data parsed", () => {
    const message =
      "Statement(s) uploaded contain incomplete dates. Missing dates present for {\"Jan 2024\": [1, 2, 3, 4]}"
    const status = decodeSync({
      session_id: "s-1",
      insights_available: false,
      accounts: [{
        account_id: "a-1",
        account_status: "failed",
        error_code: "INCOMPLETE_DATES_UPLOAD",
        error_message: message
      }]
    })
    const failure = status.accounts[0]!.failure
    expect(failure).toEqual(WebhookPayload.accountFailure("INCOMPLETE_DATES_UPLOAD", message))
    expect(failure?._tag).toBe("IncompleteDatesUpload")
    if (failure?._tag === "IncompleteDatesUpload") {
      expect(failure.missing).toEqual([{ month: { year: 2024, month: 1 }, days: [1, 2, 3, 4] }])
    }
  })

  it("reads `\"\"` codes as none, keeps unknown statuses and codes, types statement codes as an open set", () => {
    const status = decodeSync({
      session_id: "s-1",
      insights_available: true,
      extra_top: 1,
      accounts: [
        { account_id: "a-1", account_status: "completed", error_code: "", error_message: "", statements: [] },
        {
          account_id: "a-2",
          account_status: "rejected",
          error_code: "NEW_CODE",
          error_message: "Something new",
          statements: [{ statement_id: "st-1", statement_status: "failed", error_code: "PDF_IS_IMAGE", source: "aa" }]
        }
      ]
    })
    const [first, second] = status.accounts
    expect(first!.failure).toBeNull()
    expect(first!.failed).toBe(false)
    expect(second!.account_status).toBe("rejected")
    expect(second!.failure?._tag).toBe("OtherFailure")
    expect(second!.failure?.code).toBe("NEW_CODE")
    const statementCode: SessionStatus.StatementErrorCode | null = second!.statements[0]!.error_code
    expect(statementCode).toBe("PDF_IS_IMAGE")
    expect(SessionStatus.failedStatements(status).map((s) => s.statement_id)).toEqual(["st-1"])
    expect(SessionStatus.isSuccessful(status)).toBe(false)
    // a completed account with an error code is not a success
    expect(
      SessionStatus.isSuccessful(decodeSync({
        session_id: "s",
        accounts: [{ account_id: "a", account_status: "completed", error_code: "BALANCE_MISMATCH" }]
      }))
    ).toBe(false)
    // nor is a session without accounts
    expect(SessionStatus.isSuccessful(decodeSync({ session_id: "s", accounts: [] }))).toBe(false)
  })
})
