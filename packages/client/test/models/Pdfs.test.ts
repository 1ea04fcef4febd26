import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Pdfs from "../../src/Pdfs.js"
import { fakeToken, pdfs } from "./fixtures.js"

const decodeEither = Schema.decodeUnknownEither(Pdfs.Pdfs)

describe("Pdfs", () => {
  it.effect("decodes the documented forms: null and \"\" passwords, a deleted file, passwords and links redacted", () =>
    Effect.gen(function*() {
      const decoded = yield* Pdfs.decode(pdfs)
      const [first, second, third] = decoded.statements
      expect(first!.pdf_password).toBeNull()
      expect(first!.deleted).toBe(false)
      expect(Redacted.isRedacted(first!.pdf_url)).toBe(true)
      expect(Redacted.value(first!.pdf_url!)).toContain(fakeToken)
      expect(DateTime.formatIso(first!.urlExpiresAt!)).toBe("2025-12-01T08:28:44.000Z")
      expect(first!.source).toBe("PDF")
      expect(first!.message).toBe("Success")

      expect(second!.pdf_password).toBeNull()
      expect(second!.pdf_url).toBeNull()
      expect(second!.deleted).toBe(true)
      expect(second!.urlExpiresAt).toBeUndefined()
      expect(second!.message).toBe("Password Incorrect")

      expect(Redacted.value(third!.pdf_password!)).toBe("hunter2-pdf")
      expect(third!.message).toBe("Keyword Not Present")

      expect(Pdfs.available(decoded).map((pdf) => pdf.statement_id)).toEqual([
        "statement_uuid4_here",
        "7c0f2b3e-0000-4000-8000-000000000000"
      ])
      const printed = `${String(decoded)} ${JSON.stringify(decoded)}`
      expect(printed).not.toContain("hunter2-pdf")
      expect(printed).not.toContain(fakeToken)
    }))

  it("keeps unknown messages, ignores extra fields, reads a missing list as none", () => {
    const decoded = Either.getOrThrow(decodeEither({
      statements: [{ statement_id: "st-1", message: "Brand New Outcome", extra: 1 }],
      other: true
    }))
    expect(decoded.statements[0]!.message).toBe("Brand New Outcome")
    expect(decoded.statements[0]!.pdf_url).toBeNull()
    expect(Either.getOrThrow(decodeEither({})).statements).toEqual([])
    expect(Either.getOrThrow(decodeEither({ statements: null })).statements).toEqual([])
  })

  it("fails on a value of the wrong kind without printing a password or a link", () => {
    const body = {
      statements: [pdfs.statements[2], { ...pdfs.statements[0], pdf_password: 123456 }]
    }
    const result = decodeEither(body)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
      expect(issues.map(({ message, path }) => ({ path, message }))).toEqual([
        { path: ["statements", 1, "pdf_password"], message: "Expected a string or null, got a number" }
      ])
      for (const text of [result.left.message, JSON.stringify(issues)]) {
        expect(text).not.toContain("123456")
        expect(text).not.toContain("hunter2-pdf")
        expect(text).not.toContain(fakeToken)
      }
    }
    const notAList = decodeEither({ statements: { 0: pdfs.statements[2] } })
    expect(Either.isLeft(notAList) && notAList.left.message).not.toContain("hunter2-pdf")
  })

  it("encodes back to the wire strings", () => {
    const decoded = Either.getOrThrow(decodeEither(pdfs))
    const encoded = Schema.encodeSync(Pdfs.Pdfs)(decoded) as { statements: Array<Record<string, unknown>> }
    expect(encoded.statements[2]!["pdf_password"]).toBe("hunter2-pdf")
    expect(encoded.statements[0]!["pdf_url"]).toBe(pdfs.statements[0]!.pdf_url)
    expect(encoded.statements[1]!["pdf_url"]).toBeNull()
  })
})
