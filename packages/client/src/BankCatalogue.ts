/**
 * The bank catalogue (`GET /banks/catalogue/`): every bank BankConnect knows, with the ways
 * its statements can come in (PDF upload, net banking, the account aggregator).
 *
 * Names differ in case between endpoints: the catalogue writes `SBI` where the session
 * calls write `sbi`. {@link find} matches either way; {@link bankId} gives the lower-case
 * id the session calls take.
 *
 * Decoding is tolerant: a missing or `null` availability flag reads as `false`, `""` and
 * `null` read alike, a count that arrives as a string reads as a number, and unknown
 * extra fields are ignored. A bank entry of the wrong kind fails with its path and the
 * kind of value found.
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as WireField from "./internal/wireField.js"

const { kind, wire } = WireField

const numeric = /^\s*\d+\s*$/

const readText = (u: unknown): string | null | undefined =>
  typeof u === "string" ? (u === "" ? null : u) : u === null || u === undefined ? null : undefined

const readFlag = (u: unknown): boolean | undefined =>
  typeof u === "boolean" ? u : u === null || u === undefined ? false : undefined

const readCount = (u: unknown): number | null | undefined =>
  typeof u === "number"
    ? u
    : typeof u === "string" && numeric.test(u)
    ? Number(u)
    : u === null || u === undefined || u === ""
    ? null
    : undefined

const text = wire(readText, Schema.NullOr(Schema.String), "a string or null", () => null)

const flag = wire(readFlag, Schema.Boolean, "a boolean or null", () => false)

/**
 * One bank.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Bank extends Schema.Class<Bank>("BankCatalogue.Bank")({
  /** The bank's id, upper case here (`SBI`); the session calls take it lower case. */
  name: text,
  /** Such as `State Bank of India`. */
  full_name: text,
  /** The NPCI code, when the bank has one. */
  npci_code: text,
  /** A link to the bank's logo. */
  logo_url: text,
  /** Statements can be uploaded as PDFs. */
  is_pdf_upload_available: flag,
  /** Statements can be fetched through net banking. */
  is_net_banking_available: flag,
  /** Statements can be fetched through the account aggregator. */
  is_aa_available: flag
}) {}

const bankList = Schema.Array(Bank)
const decodeBanks = ParseResult.decodeUnknown(bankList)
const encodeBanks = ParseResult.encodeUnknown(bankList)

/**
 * The bank catalogue response.
 *
 * @since 0.3.0
 * @category schemas
 */
export class BankCatalogue extends Schema.Class<BankCatalogue>("BankCatalogue")({
  /** How many banks the catalogue holds (492 in the example); `null` when absent. */
  count: wire(readCount, Schema.NullOr(Schema.Number), "a number or null", () => null),
  /** The banks; `null` or missing reads as none. */
  banks: Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(bankList), {
      strict: true,
      decode: (u, options, ast) =>
        u === null || u === undefined
          ? ParseResult.succeed([])
          : Array.isArray(u)
          ? decodeBanks(u, options)
          : ParseResult.fail(new ParseResult.Type(ast, u, `Expected an array or null, got ${kind(u)}`)),
      encode: (a, options) => encodeBanks(a, options)
    }),
    { exact: true, default: () => [] }
  )
}) {}

/**
 * A way statements come in: `pdf` (upload), `online` (net banking), `aa` (the account
 * aggregator), as the session's `mode` names them.
 *
 * @since 0.3.0
 * @category models
 */
export type Mode = "pdf" | "online" | "aa"

/**
 * Whether a bank supports a mode.
 *
 * @since 0.3.0
 * @category predicates
 */
export const supports = (bank: Bank, mode: Mode): boolean =>
  mode === "pdf"
    ? bank.is_pdf_upload_available
    : mode === "online"
    ? bank.is_net_banking_available
    : bank.is_aa_available

/**
 * The banks that support a mode.
 *
 * @since 0.3.0
 * @category getters
 */
export const supporting = (catalogue: BankCatalogue, mode: Mode): ReadonlyArray<Bank> =>
  catalogue.banks.filter((bank) => supports(bank, mode))

/**
 * The bank with a name, whatever its case (`sbi` finds `SBI`), or `undefined`.
 *
 * @since 0.3.0
 * @category getters
 */
export const find = (catalogue: BankCatalogue, name: string): Bank | undefined => {
  const wanted = name.trim().toLowerCase()
  return catalogue.banks.find((bank) => bank.name !== null && bank.name.toLowerCase() === wanted)
}

/**
 * The id the session calls take for a bank (`bank_name`): its name in lower case, or
 * `undefined` when it has none.
 *
 * @since 0.3.0
 * @category getters
 */
export const bankId = (bank: Bank): string | undefined => bank.name === null ? undefined : bank.name.toLowerCase()

/**
 * Decodes a bank catalogue response body (already parsed from JSON).
 *
 * @example
 * ```ts
 * import { BankCatalogue } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const catalogue = Effect.runSync(BankCatalogue.decode({
 *   count: 2,
 *   banks: [
 *     { name: "SBI", full_name: "State Bank of India", npci_code: "SBIN", logo_url: "https://example.com/sbi.png",
 *       is_pdf_upload_available: true, is_net_banking_available: true, is_aa_available: true },
 *     { name: "AXIS", full_name: "Axis Bank", logo_url: "https://example.com/axis.png", is_pdf_upload_available: true }
 *   ]
 * }))
 *
 * const sbi = BankCatalogue.find(catalogue, "sbi")
 * assert.strictEqual(sbi?.full_name, "State Bank of India")
 * assert.strictEqual(sbi && BankCatalogue.bankId(sbi), "sbi")
 * assert.deepStrictEqual(BankCatalogue.supporting(catalogue, "aa").map((bank) => bank.name), ["SBI"])
 * assert.strictEqual(catalogue.banks[1]!.npci_code, null)
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode: (u: unknown) => Effect.Effect<BankCatalogue, ParseResult.ParseError> = Schema.decodeUnknown(
  BankCatalogue
)
