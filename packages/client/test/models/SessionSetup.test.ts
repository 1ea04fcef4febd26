import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as SessionSetup from "../../src/SessionSetup.js"
import * as UploadStatus from "../../src/UploadStatus.js"
import { createdSession, uploadedStatement } from "./fixtures.js"

const body = SessionSetup.createSessionBody
const problem = (options: SessionSetup.CreateSessionOptions) => {
  const result = body(options)
  return Either.isLeft(result) ? result.left : undefined
}

describe("SessionSetup.createSessionBody", () => {
  it("sends only the link id when nothing else is given, so that BankConnect's defaults apply", () => {
    expect(body({ linkId: "customer-1" })).toEqual(Either.right({ link_id: "customer-1" }))
  })

  it("writes every option with its wire name and format", () => {
    const result = body({
      linkId: "customer-1",
      fromDate: DateTime.unsafeMake("2025-08-11T00:00:00Z"),
      toDate: new Date("2025-11-11T18:00:00Z"),
      redirectUrl: "https://lender.example/done",
      logoUrl: "https://lender.example/logo.png",
      bankName: "hdfc",
      mode: "aa",
      journeyMode: "multi_banking",
      mobileNumber: "9999999999",
      sessionExpiry: Duration.hours(2),
      metadata: { names: ["AYUSH PATIL"], employerNames: [], companiesForSelfTransfer: ["PATIL TRADERS"] },
      aaJourneyCode: "BCAA001",
      consents: {
        CC0001: {
          fromDate: new Date("2025-10-01"),
          toDate: new Date("2025-12-09"),
          consentExpiry: new Date("2025-12-10")
        }
      }
    })
    expect(result).toEqual(Either.right({
      link_id: "customer-1",
      from_date: "11/08/2025",
      to_date: "11/11/2025",
      redirect_url: "https://lender.example/done",
      logo_url: "https://lender.example/logo.png",
      bank_name: "hdfc",
      mode: "aa",
      journey_mode: "multi_banking",
      mobile_number: "9999999999",
      session_expiry: 120,
      metadata: { names: ["AYUSH PATIL"], employer_names: [], companies_for_self_transfer: ["PATIL TRADERS"] },
      aa_journey_code: "BCAA001",
      consents: { CC0001: { from_date: "01/10/2025", to_date: "09/12/2025", consent_expiry: "10/12/2025" } }
    }))
  })

  it("reads a zoned DateTime's day in its zone, and a Date's day in UTC", () => {
    const result = body({
      linkId: "c",
      // 23:30 UTC on 10 August is 11 August in Kolkata
      fromDate: DateTime.unsafeMakeZoned("2025-08-10T23:30:00Z", { timeZone: "Asia/Kolkata" }),
      toDate: new Date("2025-11-11T23:59:59Z")
    })
    expect(Either.map(result, (b) => [b.from_date, b.to_date])).toEqual(Either.right(["11/08/2025", "11/11/2025"]))
  })

  it("says what is wrong with the options instead of sending them", () => {
    expect(problem({ linkId: "" })).toBe("linkId must be a non-empty string")
    expect(problem({ linkId: "x".repeat(500) })).toBeUndefined()
    expect(problem({ linkId: "x".repeat(501) })).toBe("linkId must be at most 500 characters")
    // characters, not UTF-16 units
    expect(problem({ linkId: "😀".repeat(500) })).toBeUndefined()
    expect(problem({ linkId: "c", fromDate: new Date("2025-01-01") })).toBe(
      "fromDate and toDate go together: give both or neither"
    )
    expect(problem({ linkId: "c", fromDate: new Date("2025-11-11"), toDate: new Date("2025-08-11") })).toBe(
      "fromDate (11/11/2025) must be before toDate (11/08/2025)"
    )
    expect(
      problem({ linkId: "c", fromDate: new Date("2025-08-11T01:00:00Z"), toDate: new Date("2025-08-11T20:00:00Z") })
    )
      .toBe("fromDate (11/08/2025) must be before toDate (11/08/2025)")
    expect(problem({ linkId: "c", fromDate: new Date("nope"), toDate: new Date("2025-08-11") })).toBe(
      "fromDate is not a valid date"
    )
    expect(problem({ linkId: "c", fromDate: "2025-08-11" as unknown as Date, toDate: new Date("2025-09-11") })).toBe(
      "fromDate must be a Date or a DateTime"
    )
    expect(problem({ linkId: "c", sessionExpiry: Duration.minutes(4) })).toBe(
      "sessionExpiry must be 5 to 43200 minutes, got 4"
    )
    expect(problem({ linkId: "c", sessionExpiry: Duration.days(30) })).toBeUndefined()
    expect(problem({ linkId: "c", sessionExpiry: Duration.minutes(43_201) })).toBe(
      "sessionExpiry must be 5 to 43200 minutes, got 43201"
    )
    expect(problem({ linkId: "c", sessionExpiry: Duration.seconds(90) })).toBe(
      "sessionExpiry must be a whole number of minutes"
    )
    expect(problem({ linkId: "c", sessionExpiry: Duration.infinity })).toBe(
      "sessionExpiry must be a whole number of minutes"
    )
    expect(problem({ linkId: "c", redirectUrl: "/relative" })).toBe("redirectUrl must be an absolute http(s) URL")
    expect(problem({ linkId: "c", redirectUrl: "javascript:alert(1)" })).toBe(
      "redirectUrl must be an absolute http(s) URL"
    )
    expect(problem({ linkId: "c", redirectUrl: `https://e.example/${"a".repeat(190)}` })).toBe(
      "redirectUrl must be at most 200 characters"
    )
    expect(problem({ linkId: "c", mode: "pdf" })).toBe("mode pdf needs bankName")
    expect(problem({ linkId: "c", mode: "online" })).toBeUndefined()
    expect(problem({ linkId: "c", mode: "fax" as SessionSetup.Mode })).toBe("mode must be one of pdf, aa, online")
    expect(problem({ linkId: "c", bankName: "b".repeat(51) })).toBe("bankName must be at most 50 characters")
    expect(problem({ linkId: "c", metadata: { names: ["A", 1 as unknown as string] } })).toBe(
      "metadata.names must be a list of strings"
    )
    expect(
      problem({
        linkId: "c",
        consents: { CC0001: { fromDate: new Date("2025-12-01"), toDate: new Date("2025-01-01") } }
      })
    )
      .toBe("consents.CC0001: fromDate (01/12/2025) must be before toDate (01/01/2025)")
  })

  it("turns a duration into whole minutes", () => {
    expect(SessionSetup.sessionExpiryInMinutes("1 hour")).toEqual(Either.right(60))
    expect(SessionSetup.sessionExpiryInMinutes(Duration.minutes(5))).toEqual(Either.right(5))
    expect(SessionSetup.sessionExpiryInMinutes("soon" as Duration.DurationInput)).toEqual(
      Either.left("sessionExpiry is not a duration")
    )
  })

  it("says when the v2 endpoint is needed", () => {
    expect(SessionSetup.requiresV2({ linkId: "c" })).toBe(false)
    expect(SessionSetup.requiresV2({ linkId: "c", aaJourneyCode: "BCAA002" })).toBe(true)
    expect(SessionSetup.requiresV2({ linkId: "c", consents: {} })).toBe(true)
  })
})

describe("SessionSetup answers", () => {
  it.effect("decodes the create-session answer (v1 and v2 forms)", () =>
    Effect.gen(function*() {
      const created = yield* SessionSetup.decodeCreatedSession(createdSession)
      expect(created.session_id).toBe("8d5ea22b-216a-4fe2-90da-65d1c67c8964")
      expect(created.redirect_url).toContain("session_id=8d5ea22b")
      const v2 = yield* SessionSetup.decodeCreatedSession({
        ...createdSession,
        redirect_url: `${createdSession.redirect_url}&token=abc`
      })
      expect(v2.redirect_url).toContain("&token=abc")
      const bare = yield* SessionSetup.decodeCreatedSession({ session_id: "s" })
      expect(bare.redirect_url).toBeNull()
    }))

  it.effect("decodes the upload answer tolerantly", () =>
    Effect.gen(function*() {
      const uploaded = yield* SessionSetup.decodeUploadedStatement(uploadedStatement)
      expect(uploaded.status).toBe(1)
      expect(uploaded.is_fraud).toBe(false)
      expect(uploaded.identity?.account_number).toBe("45678090383737")
      expect(uploaded.identity?.credit_limit).toBe(0)
      expect(uploaded.date_range).toBeInstanceOf(UploadStatus.IsoDateRange)
      expect(uploaded.date_range?.from && DateTime.formatIsoDateUtc(uploaded.date_range.from)).toBe("2023-12-01")
      expect(uploaded.coveredMonths).toEqual([
        { year: 2023, month: 12 },
        { year: 2024, month: 1 },
        { year: 2024, month: 2 },
        { year: 2024, month: 3 }
      ])
      expect(uploaded.missingMonths).toEqual([{ year: 2023, month: 11 }, { year: 2024, month: 4 }])
      const sparse = yield* SessionSetup.decodeUploadedStatement({
        statement_id: "st",
        status: "1",
        page_count: "",
        identity: null,
        months: null,
        brand_new: [1]
      })
      expect([sparse.status, sparse.page_count, sparse.identity, sparse.months, sparse.bank_name]).toEqual([
        1,
        null,
        null,
        [],
        null
      ])
      const wrong = yield* Effect.either(
        SessionSetup.decodeUploadedStatement({
          ...uploadedStatement,
          identity: { ...uploadedStatement.identity, od_limit: "lots" }
        })
      )
      expect(Either.isLeft(wrong) && ParseResult.ArrayFormatter.formatErrorSync(wrong.left).map((i) => i.path)).toEqual(
        [
          ["identity", "od_limit"]
        ]
      )
    }))
})

describe("SessionSetup.uploadProblem", () => {
  const password = Redacted.make("pdf-secret")

  it("accepts a path, bytes, a stream, an async iterable, or a link", () => {
    const files: ReadonlyArray<SessionSetup.UploadFile> = [
      "/tmp/statement.pdf",
      new Uint8Array([1, 2]),
      new ReadableStream<Uint8Array>(),
      (async function*() {
        yield new Uint8Array([1])
      })()
    ]
    for (const file of files) expect(SessionSetup.uploadProblem({ sessionId: "s", file, password })).toBeUndefined()
    expect(SessionSetup.uploadProblem({ sessionId: "s", fileUrl: "https://files.example/st.pdf", uploadType: "PDF" }))
      .toBeUndefined()
  })

  it("names the file: fileName, else the path's or the link's base name, else statement.pdf", () => {
    const bytes = new Uint8Array([1])
    expect(SessionSetup.uploadFileName({ sessionId: "s", file: "/data/in/axis-2025.pdf" })).toBe("axis-2025.pdf")
    expect(SessionSetup.uploadFileName({ sessionId: "s", file: "C:\\in\\hdfc.pdf" })).toBe("hdfc.pdf")
    expect(SessionSetup.uploadFileName({ sessionId: "s", file: bytes, fileName: "mine.pdf" })).toBe("mine.pdf")
    expect(SessionSetup.uploadFileName({ sessionId: "s", file: bytes })).toBe("statement.pdf")
    expect(SessionSetup.uploadFileName({ sessionId: "s", fileUrl: "https://f.example/a/b%20c.pdf?sig=1" })).toBe(
      "b c.pdf"
    )
    expect(SessionSetup.uploadFileName({ sessionId: "s", fileUrl: "https://f.example/" })).toBe("statement.pdf")
  })

  it("says what is wrong, without the password", () => {
    const file = new Uint8Array([1])
    expect(SessionSetup.uploadProblem({ sessionId: "", file })).toBe("sessionId must be a non-empty string")
    // @ts-expect-error: exactly one of file and fileUrl
    expect(SessionSetup.uploadProblem({ sessionId: "s", file, fileUrl: "https://x.example/a.pdf" })).toBe(
      "give exactly one of file and fileUrl"
    )
    // @ts-expect-error: exactly one of file and fileUrl
    expect(SessionSetup.uploadProblem({ sessionId: "s" })).toBe("give exactly one of file and fileUrl")
    expect(SessionSetup.uploadProblem({ sessionId: "s", fileUrl: "ftp://x.example/a.pdf" })).toBe(
      "fileUrl must be an absolute http(s) URL"
    )
    expect(SessionSetup.uploadProblem({ sessionId: "s", file: "" })).toContain("file must be")
    expect(SessionSetup.uploadProblem({ sessionId: "s", file: 5 as unknown as SessionSetup.UploadFile })).toContain(
      "file must be"
    )
    expect(SessionSetup.uploadProblem({ sessionId: "s", file, uploadType: "DOCX" as SessionSetup.UploadType })).toBe(
      "uploadType must be PDF or BASE64"
    )
    expect(SessionSetup.uploadProblem({ sessionId: "s", file, password: Redacted.make("") })).toBe(
      "password is empty: leave it out for a file without one"
    )
    expect(
      SessionSetup.uploadProblem({ sessionId: "s", file, password: "plain" as unknown as Redacted.Redacted<string> })
    ).toBe("password must be a Redacted string")
    expect(SessionSetup.uploadProblem({ sessionId: "s", file, fileName: " " })).toBe(
      "fileName must be a non-empty string"
    )
  })
})
