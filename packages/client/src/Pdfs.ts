/**
 * The statements' PDFs (`GET /session_data/{session_id}/get_pdfs/`): per statement, a
 * pre-signed link to the uploaded file and its password.
 *
 * Both are secrets, so both decode as `Redacted` values (printed and logged as
 * `<redacted>`), and a decoding error names a field's path and the kind of value found,
 * never the value. A link is valid about an hour from when the response was made, and is
 * `""` (read as `null`) once the file is deleted, 30 days after upload. A password is
 * `null` when the file has none (one revision writes `""`, read as `null` too).
 *
 * @since 0.3.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as WireDates from "./internal/wireDates.js"
import * as WireField from "./internal/wireField.js"
import type { Open } from "./Progress.js"

const readText = (u: unknown): string | null | undefined =>
  typeof u === "string" ? (u === "" ? null : u) : u === null || u === undefined ? null : undefined

const readSecret = (u: unknown): Redacted.Redacted<string> | null | undefined =>
  typeof u === "string" ? (u === "" ? null : Redacted.make(u)) : u === null || u === undefined ? null : undefined

const { kind, wire } = WireField

const text = wire(readText, Schema.NullOr(Schema.String), "a string or null", () => null)

const secret = wire(
  readSecret,
  Schema.NullOr(Schema.RedactedFromSelf(Schema.String)),
  "a string or null",
  () => null,
  (a) => a === null ? null : Redacted.value(a)
)

/**
 * The outcome BankConnect reports for a statement's file (an open set).
 *
 * @since 0.3.0
 * @category models
 */
export type Message = Open<
  | "Success"
  | "Password Incorrect"
  | "Is Image"
  | "Author Fraud"
  | "Date Fraud"
  | "Not a Statement"
  | "Keyword Not Present"
  | "New Template"
  | "No Transactions from Account Aggregator"
>

/**
 * One statement's file.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Pdf extends Schema.Class<Pdf>("Pdfs.Pdf")({
  /** BankConnect's id of the statement. */
  statement_id: text,
  /** BankConnect's id of its account. */
  account_id: text,
  /** The bank's lower-case id, such as `axis`. */
  bank_name: text,
  /** The file's password, or `null` when it has none. A secret. */
  pdf_password: secret,
  /**
   * A pre-signed link to the file, valid about an hour; `null` once the file is deleted
   * (30 days after upload). A bearer credential.
   */
  pdf_url: secret,
  /** Such as `PDF` (upper case here). */
  source: text,
  /** Such as `Success`, `Password Incorrect`, `Is Image`; see {@link Message}. */
  message: wire(
    readText as (u: unknown) => Message | null | undefined,
    Schema.NullOr(Schema.String) as Schema.Schema<Message | null>,
    "a string or null",
    () => null
  )
}) {
  /** Whether the file is gone: no link (deleted 30 days after upload, or never stored). */
  get deleted(): boolean {
    return this.pdf_url === null
  }
  /** When the link stops working (its `X-Amz-Date` plus `X-Amz-Expires`), or `undefined`. */
  get urlExpiresAt(): DateTime.Utc | undefined {
    return this.pdf_url === null ? undefined : WireDates.presignedExpiry(Redacted.value(this.pdf_url))
  }
}

const pdfList = Schema.Array(Pdf)
const decodeList = ParseResult.decodeUnknown(pdfList)
const encodeList = ParseResult.encodeUnknown(pdfList)

/**
 * The get-PDFs response.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Pdfs extends Schema.Class<Pdfs>("Pdfs")({
  /** One entry per statement of the session; `null` or missing reads as none. */
  statements: Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(pdfList), {
      strict: true,
      decode: (u, options, ast) =>
        u === null || u === undefined
          ? ParseResult.succeed([])
          : Array.isArray(u)
          ? decodeList(u, options)
          : ParseResult.fail(new ParseResult.Type(ast, u, `Expected an array or null, got ${kind(u)}`)),
      encode: (a, options) => encodeList(a, options)
    }),
    { exact: true, default: () => [] }
  )
}) {}

/**
 * The statements whose file can still be downloaded.
 *
 * @since 0.3.0
 * @category getters
 */
export const available = (pdfs: Pdfs): ReadonlyArray<Pdf> => pdfs.statements.filter((pdf) => !pdf.deleted)

/**
 * Decodes a get-PDFs response body (already parsed from JSON).
 *
 * @example
 * ```ts
 * import { Pdfs } from "@effect-bankconnect/client"
 * import { Effect, Redacted } from "effect"
 *
 * const pdfs = Effect.runSync(Pdfs.decode({
 *   statements: [
 *     { statement_id: "st-1", account_id: "a-1", bank_name: "axis", pdf_password: "secret", source: "PDF", message: "Success",
 *       pdf_url: "https://example.com/st-1.pdf?X-Amz-Date=20251201T072844Z&X-Amz-Expires=3600" },
 *     { statement_id: "st-2", account_id: "a-1", bank_name: "axis", pdf_password: "", pdf_url: "", source: "PDF", message: "Success" }
 *   ]
 * }))
 *
 * const [first, second] = pdfs.statements
 * assert.strictEqual(String(first!.pdf_password), "<redacted>")
 * assert.strictEqual(first!.pdf_password === null ? null : Redacted.value(first!.pdf_password), "secret")
 * assert.strictEqual(first!.urlExpiresAt?.toJSON(), "2025-12-01T08:28:44.000Z")
 * assert.strictEqual(second!.pdf_password, null)
 * assert.strictEqual(second!.deleted, true)
 * assert.deepStrictEqual(Pdfs.available(pdfs).map((pdf) => pdf.statement_id), ["st-1"])
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode: (u: unknown) => Effect.Effect<Pdfs, ParseResult.ParseError> = Schema.decodeUnknown(Pdfs)
