/**
 * Creating a session and uploading statements: the options (camelCase, typed), the pure
 * function that turns session options into the wire body and checks them first, and the
 * answers' schemas. The HTTP calls live in the client.
 *
 * - `POST /session/` (v1) or `POST /v2/session/` (v2, which adds `aa_journey_code` and
 *   `consents`; see {@link requiresV2}) answers {@link CreatedSession}.
 * - `POST /statement/upload_session/` (multipart) takes {@link UploadOptions} and answers
 *   {@link UploadedStatement}.
 *
 * Dates go on the wire as `DD/MM/YYYY`. A `DateTime` gives its own calendar day (a
 * `DateTime.Zoned` its wall-clock day in its zone); a `Date` gives its day in UTC, so
 * `new Date("2025-08-11")` is 11 August everywhere. For a day in another zone, pass a
 * `DateTime.Zoned`.
 *
 * @since 0.3.0
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as WireDates from "./internal/wireDates.js"
import * as WireField from "./internal/wireField.js"
import type { Open } from "./Progress.js"
import * as UploadStatus from "./UploadStatus.js"

/**
 * How statements are fetched: `pdf` (upload), `aa` (the account aggregator), `online`
 * (net banking).
 *
 * @since 0.3.0
 * @category models
 */
export type Mode = "pdf" | "aa" | "online"

/**
 * The journey: several PDFs, or several banks (an open set).
 *
 * @since 0.3.0
 * @category models
 */
export type JourneyMode = Open<"multi_pdf" | "multi_banking">

/**
 * v2's account aggregator journey codes (an open set): `BCAA001` one-time (consent
 * `CC0001`), `BCAA002` periodic (`CC0002`), `BCAA003` both (`CC0003`, `CC0004`),
 * `BCAA004` with collections (`CC0005` to `CC0007`).
 *
 * @since 0.3.0
 * @category models
 */
export type AaJourneyCode = Open<"BCAA001" | "BCAA002" | "BCAA003" | "BCAA004">

/**
 * A calendar day: a `Date` (its UTC day) or a `DateTime` (its day in its own zone).
 *
 * @since 0.3.0
 * @category models
 */
export type Day = Date | DateTime.DateTime

/**
 * v2: a consent's window, overriding the one BankConnect generates for the journey.
 *
 * @since 0.3.0
 * @category models
 */
export interface Consent {
  readonly fromDate?: Day
  readonly toDate?: Day
  readonly consentExpiry?: Day
}

/**
 * Hints for name matching, salary detection and self-transfer detection.
 *
 * @since 0.3.0
 * @category models
 */
export interface SessionMetadata {
  /** The customer's names, such as `["AYUSH PATIL"]`. */
  readonly names?: ReadonlyArray<string>
  /** Employers, for salary detection. */
  readonly employerNames?: ReadonlyArray<string>
  /** The customer's companies, for self-transfer detection. */
  readonly companiesForSelfTransfer?: ReadonlyArray<string>
}

/**
 * Options for creating a session.
 *
 * @since 0.3.0
 * @category models
 */
export interface CreateSessionOptions {
  /** Your customer's id: required, at most {@link maxLinkIdLength} characters. */
  readonly linkId: string
  /**
   * The first day of the statements wanted. Give both days or neither (BankConnect's
   * default is the last 6 months); `fromDate` must be before `toDate`.
   */
  readonly fromDate?: Day
  /** The last day of the statements wanted. */
  readonly toDate?: Day
  /** Where the hosted journey returns (redirect workflow only): an http(s) URL of at most 200 characters. */
  readonly redirectUrl?: string
  /** A logo for the hosted journey: an http(s) URL. */
  readonly logoUrl?: string
  /** The bank's id (such as `sbi`), to skip bank selection; required with mode `pdf` or `aa`. At most 50 characters. */
  readonly bankName?: string
  /** How statements are fetched. */
  readonly mode?: Mode
  /** The journey type. At most 50 characters. */
  readonly journeyMode?: JourneyMode
  /** Prefills the phone number of the account aggregator journey. */
  readonly mobileNumber?: string
  /** How long the session accepts uploads: whole minutes, 5 minutes to 30 days (43,200 minutes). */
  readonly sessionExpiry?: Duration.DurationInput
  /** Hints for name matching, salary and self-transfer detection. */
  readonly metadata?: SessionMetadata
  /** v2: the account aggregator journey. */
  readonly aaJourneyCode?: AaJourneyCode
  /** v2: consent windows by consent code (`CC0001`, …). */
  readonly consents?: Readonly<Record<string, Consent>>
}

/**
 * The create-session request body, with its wire names. The API key is not part of it:
 * the client adds it.
 *
 * @since 0.3.0
 * @category models
 */
export interface CreateSessionBody {
  readonly link_id: string
  readonly from_date?: string
  readonly to_date?: string
  readonly redirect_url?: string
  readonly logo_url?: string
  readonly bank_name?: string
  readonly mode?: Mode
  readonly journey_mode?: string
  readonly mobile_number?: string
  readonly session_expiry?: number
  readonly metadata?: {
    readonly names?: ReadonlyArray<string>
    readonly employer_names?: ReadonlyArray<string>
    readonly companies_for_self_transfer?: ReadonlyArray<string>
  }
  readonly aa_journey_code?: string
  readonly consents?: Readonly<
    Record<string, { readonly from_date?: string; readonly to_date?: string; readonly consent_expiry?: string }>
  >
}

/**
 * The longest `linkId` the API accepts, in characters.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxLinkIdLength = 500

/**
 * The shortest and longest `sessionExpiry` the API accepts, in minutes.
 *
 * @since 0.3.0
 * @category constants
 */
export const sessionExpiryMinutes = { min: 5, max: 43_200 } as const

const modes: ReadonlyArray<string> = ["pdf", "aa", "online"]

const characters = (text: string): number => {
  let count = 0
  for (const _ of text) count++
  return count
}

const urlProblem = (name: string, value: unknown, maxLength?: number): string | undefined => {
  if (typeof value !== "string" || value.trim() === "") return `${name} must be a non-empty string`
  if (maxLength !== undefined && characters(value) > maxLength) return `${name} must be at most ${maxLength} characters`
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    return `${name} must be an absolute http(s) URL`
  }
  return parsed.protocol === "https:" || parsed.protocol === "http:"
    ? undefined
    : `${name} must be an absolute http(s) URL`
}

const textProblem = (name: string, value: unknown, maxLength?: number): string | undefined =>
  typeof value !== "string" || value.trim() === ""
    ? `${name} must be a non-empty string`
    : maxLength !== undefined && characters(value) > maxLength
    ? `${name} must be at most ${maxLength} characters`
    : undefined

const dayKey = (day: { readonly year: number; readonly month: number; readonly day: number }): number =>
  day.year * 10_000 + day.month * 100 + day.day

type Problem = { readonly problem: string }

const isProblem = (value: unknown): value is Problem =>
  typeof value === "object" && value !== null && Object.hasOwn(value, "problem")

/** A day on the wire and its sort key, or the problem. */
const wireDay = (name: string, value: unknown): { readonly text: string; readonly key: number } | Problem => {
  if (!(value instanceof Date) && !DateTime.isDateTime(value)) {
    return { problem: `${name} must be a Date or a DateTime` }
  }
  const day = WireDates.calendarDay(value)
  const text = WireDates.formatDayMonthYear(value)
  return day === undefined || text === undefined
    ? { problem: `${name} is not a valid date` }
    : { text, key: dayKey(day) }
}

const stringList = (name: string, value: unknown): ReadonlyArray<string> | Problem =>
  Array.isArray(value) && value.every((item) => typeof item === "string")
    ? value as ReadonlyArray<string>
    : { problem: `${name} must be a list of strings` }

/**
 * `sessionExpiry` in whole minutes, or why it cannot be sent.
 *
 * @since 0.3.0
 * @category constructors
 */
export const sessionExpiryInMinutes = (expiry: Duration.DurationInput): Either.Either<number, string> => {
  const duration = Duration.decodeUnknown(expiry)
  if (duration._tag === "None") return Either.left("sessionExpiry is not a duration")
  const millis = Duration.toMillis(duration.value)
  if (!Number.isFinite(millis) || millis % 60_000 !== 0) {
    return Either.left("sessionExpiry must be a whole number of minutes")
  }
  const minutes = millis / 60_000
  return minutes < sessionExpiryMinutes.min || minutes > sessionExpiryMinutes.max
    ? Either.left(
      `sessionExpiry must be ${sessionExpiryMinutes.min} to ${sessionExpiryMinutes.max} minutes, got ${minutes}`
    )
    : Either.right(minutes)
}

/**
 * Whether the options need the v2 endpoint (`POST /v2/session/`): they set
 * `aaJourneyCode` or `consents`.
 *
 * @since 0.3.0
 * @category predicates
 */
export const requiresV2 = (options: CreateSessionOptions): boolean =>
  options.aaJourneyCode !== undefined || options.consents !== undefined

/**
 * Turns session options into the wire body, or says what is wrong with them (a message
 * naming the option, for people): a missing or too long `linkId`, one date without the
 * other, `fromDate` not before `toDate`, an invalid date, a `sessionExpiry` that is not
 * whole minutes from 5 to 43,200, a `redirectUrl` or `logoUrl` that is not an http(s) URL,
 * mode `pdf` or `aa` without `bankName`, an unknown mode, or an empty or too long string.
 * These are the checks behind the API's `INVALID_REQUEST`, `MISSING_DATE_FIELD`,
 * `INVALID_DATE_RANGE`, `INVALID_SESSION_EXPIRY`, `INVALID_URL` and `MISSING_BANK_NAME`
 * answers, made before any request. Absent options are left out of the body, so that
 * BankConnect's defaults apply.
 *
 * @example
 * ```ts
 * import { SessionSetup } from "@effect-bankconnect/client"
 * import { Either } from "effect"
 *
 * const body = SessionSetup.createSessionBody({
 *   linkId: "customer-42",
 *   fromDate: new Date("2025-08-11"),
 *   toDate: new Date("2025-11-11"),
 *   mode: "pdf",
 *   bankName: "axis",
 *   sessionExpiry: "2 hours",
 *   metadata: { names: ["ANANDA P"] }
 * })
 * assert.deepStrictEqual(body, Either.right({
 *   link_id: "customer-42",
 *   from_date: "11/08/2025",
 *   to_date: "11/11/2025",
 *   bank_name: "axis",
 *   mode: "pdf",
 *   session_expiry: 120,
 *   metadata: { names: ["ANANDA P"] }
 * }))
 *
 * const reversed = SessionSetup.createSessionBody({
 *   linkId: "customer-42",
 *   fromDate: new Date("2025-11-11"),
 *   toDate: new Date("2025-08-11")
 * })
 * assert.deepStrictEqual(reversed, Either.left("fromDate (11/11/2025) must be before toDate (11/08/2025)"))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const createSessionBody = (options: CreateSessionOptions): Either.Either<CreateSessionBody, string> => {
  const body: Record<string, unknown> = {}
  const linkIdProblem = textProblem("linkId", options.linkId, maxLinkIdLength)
  if (linkIdProblem !== undefined) return Either.left(linkIdProblem)
  body["link_id"] = options.linkId

  if ((options.fromDate === undefined) !== (options.toDate === undefined)) {
    return Either.left("fromDate and toDate go together: give both or neither")
  }
  if (options.fromDate !== undefined && options.toDate !== undefined) {
    const from = wireDay("fromDate", options.fromDate)
    if (isProblem(from)) return Either.left(from.problem)
    const to = wireDay("toDate", options.toDate)
    if (isProblem(to)) return Either.left(to.problem)
    if (from.key >= to.key) return Either.left(`fromDate (${from.text}) must be before toDate (${to.text})`)
    body["from_date"] = from.text
    body["to_date"] = to.text
  }

  if (options.redirectUrl !== undefined) {
    const problem = urlProblem("redirectUrl", options.redirectUrl, 200)
    if (problem !== undefined) return Either.left(problem)
    body["redirect_url"] = options.redirectUrl
  }
  if (options.logoUrl !== undefined) {
    const problem = urlProblem("logoUrl", options.logoUrl)
    if (problem !== undefined) return Either.left(problem)
    body["logo_url"] = options.logoUrl
  }
  if (options.bankName !== undefined) {
    const problem = textProblem("bankName", options.bankName, 50)
    if (problem !== undefined) return Either.left(problem)
    body["bank_name"] = options.bankName
  }
  if (options.mode !== undefined) {
    if (!modes.includes(options.mode)) return Either.left(`mode must be one of pdf, aa, online`)
    if ((options.mode === "pdf" || options.mode === "aa") && options.bankName === undefined) {
      return Either.left(`mode ${options.mode} needs bankName`)
    }
    body["mode"] = options.mode
  }
  if (options.journeyMode !== undefined) {
    const problem = textProblem("journeyMode", options.journeyMode, 50)
    if (problem !== undefined) return Either.left(problem)
    body["journey_mode"] = options.journeyMode
  }
  if (options.mobileNumber !== undefined) {
    const problem = textProblem("mobileNumber", options.mobileNumber)
    if (problem !== undefined) return Either.left(problem)
    body["mobile_number"] = options.mobileNumber
  }
  if (options.sessionExpiry !== undefined) {
    const minutes = sessionExpiryInMinutes(options.sessionExpiry)
    if (Either.isLeft(minutes)) return Either.left(minutes.left)
    body["session_expiry"] = minutes.right
  }
  if (options.metadata !== undefined) {
    const metadata: Record<string, ReadonlyArray<string>> = {}
    const entries = [
      ["names", "metadata.names", options.metadata.names],
      ["employer_names", "metadata.employerNames", options.metadata.employerNames],
      ["companies_for_self_transfer", "metadata.companiesForSelfTransfer", options.metadata.companiesForSelfTransfer]
    ] as const
    for (const [wireName, name, value] of entries) {
      if (value === undefined) continue
      const list = stringList(name, value)
      if (isProblem(list)) return Either.left(list.problem)
      metadata[wireName] = list
    }
    body["metadata"] = metadata
  }
  if (options.aaJourneyCode !== undefined) {
    const problem = textProblem("aaJourneyCode", options.aaJourneyCode)
    if (problem !== undefined) return Either.left(problem)
    body["aa_journey_code"] = options.aaJourneyCode
  }
  if (options.consents !== undefined) {
    const consents: Record<string, Record<string, string>> = {}
    for (const code of Object.keys(options.consents)) {
      if (code.trim() === "") return Either.left("consents: a consent code must be a non-empty string")
      const consent = options.consents[code]!
      const out: Record<string, string> = {}
      const days = [
        ["from_date", "fromDate", consent.fromDate],
        ["to_date", "toDate", consent.toDate],
        ["consent_expiry", "consentExpiry", consent.consentExpiry]
      ] as const
      const keys: Record<string, number> = {}
      for (const [wireName, name, value] of days) {
        if (value === undefined) continue
        const day = wireDay(`consents.${code}.${name}`, value)
        if (isProblem(day)) return Either.left(day.problem)
        out[wireName] = day.text
        keys[name] = day.key
      }
      if (keys["fromDate"] !== undefined && keys["toDate"] !== undefined && keys["fromDate"] >= keys["toDate"]) {
        return Either.left(`consents.${code}: fromDate (${out["from_date"]}) must be before toDate (${out["to_date"]})`)
      }
      if (code === "__proto__") Object.defineProperty(consents, code, { value: out, enumerable: true, writable: true })
      else consents[code] = out
    }
    body["consents"] = consents
  }
  return Either.right(body as unknown as CreateSessionBody)
}

/**
 * The create-session answer.
 *
 * @since 0.3.0
 * @category schemas
 */
export class CreatedSession extends Schema.Class<CreatedSession>("SessionSetup.CreatedSession")({
  /** The new session's id: keep it for every later call. */
  session_id: Schema.String,
  /**
   * The hosted journey's link, to open or embed in an iframe (v2 adds a `token`);
   * `null` when absent.
   */
  redirect_url: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {}

/**
 * Decodes a create-session answer (already parsed from JSON).
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeCreatedSession: (u: unknown) => Effect.Effect<CreatedSession, ParseResult.ParseError> = Schema
  .decodeUnknown(CreatedSession)

// Tolerant wire values for the upload answer: a field reads `unknown`, and its error
// names the kind of value found, never the value (the answer is full of personal data).

const { kind, wire } = WireField

const numeric = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/

const text = wire(
  (u) =>
    typeof u === "string"
      ? (u === "" ? null : u)
      : typeof u === "number"
      ? String(u)
      : u === null || u === undefined
      ? null
      : undefined,
  Schema.NullOr(Schema.String),
  "a string or null",
  () => null
)

const num = wire(
  (u) =>
    typeof u === "number"
      ? u
      : typeof u === "string"
      ? (u.trim() === "" ? null : numeric.test(u) ? Number(u) : undefined)
      : u === null || u === undefined
      ? null
      : undefined,
  Schema.NullOr(Schema.Number),
  "a number, a numeric string or null",
  () => null
)

const bool = wire(
  (u) => typeof u === "boolean" ? u : u === null || u === undefined ? null : undefined,
  Schema.NullOr(Schema.Boolean),
  "a boolean or null",
  () => null
)

const strings = wire(
  (u) =>
    u === null || u === undefined
      ? []
      : Array.isArray(u) && u.every((item) => typeof item === "string")
      ? u as ReadonlyArray<string>
      : undefined,
  Schema.Array(Schema.String),
  "a list of strings or null",
  () => []
)

const objectOrNull = <A, I>(schema: Schema.Schema<A, I>) => {
  const decodeValue = ParseResult.decodeUnknown(schema)
  const encodeValue = ParseResult.encodeUnknown(schema)
  return Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, Schema.NullOr(Schema.typeSchema(schema)), {
      strict: true,
      decode: (u, options, ast) =>
        u === null || u === undefined
          ? ParseResult.succeed(null)
          : typeof u === "object" && !Array.isArray(u)
          ? decodeValue(u, options)
          : ParseResult.fail(new ParseResult.Type(ast, u, `Expected an object or null, got ${kind(u)}`)),
      encode: (a, options) => a === null ? ParseResult.succeed(null) : encodeValue(a, options)
    }),
    { exact: true, default: () => null }
  )
}

/**
 * The account holder's identity, as the upload answer reads it from the statement.
 * Personal data throughout.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Identity extends Schema.Class<Identity>("SessionSetup.Identity")({
  account_number: text,
  name: text,
  address: text,
  ifsc: text,
  micr: text,
  /** Such as `individual`. */
  account_category: text,
  credit_limit: num,
  od_limit: num,
  account_id: text,
  bank_name: text
}) {}

/**
 * The upload answer: the statement BankConnect read from the file, its account, and the
 * months it covers. Tolerant: every field but `statement_id` is optional.
 *
 * @since 0.3.0
 * @category schemas
 */
export class UploadedStatement extends Schema.Class<UploadedStatement>("SessionSetup.UploadedStatement")({
  /** BankConnect's id of the statement. */
  statement_id: Schema.String,
  /** BankConnect's id of its account. */
  account_id: text,
  session_id: text,
  /** The bank's lower-case id, such as `hdfc`. */
  bank_name: text,
  /** `1` on success (its other values are undocumented). */
  status: num,
  page_count: num,
  identity: objectOrNull(Identity),
  /** The statement's period, `YYYY-MM-DD`. */
  date_range: objectOrNull(UploadStatus.IsoDateRange),
  /** The period of the transactions extracted, `YYYY-MM-DD`. */
  extracted_date_range: objectOrNull(UploadStatus.IsoDateRange),
  is_fraud: bool,
  /** Such as `author_fraud` (an open set), or `null`. */
  fraud_type: text,
  opening_date: text,
  opening_bal: num,
  closing_bal: num,
  masked_account_number: text,
  country_code: text,
  currency_code: text,
  /** The months covered, `YYYY-MM`. */
  months: strings,
  /** The months of the session's window not covered yet, `YYYY-MM`. */
  missing_months: strings
}) {
  /** `months` parsed; a month that does not parse is left out. */
  get coveredMonths(): ReadonlyArray<UploadStatus.YearMonth> {
    return this.months.map(WireDates.yearMonth).filter((month): month is UploadStatus.YearMonth => month !== undefined)
  }
  /** `missing_months` parsed; a month that does not parse is left out. */
  get missingMonths(): ReadonlyArray<UploadStatus.YearMonth> {
    return this.missing_months.map(WireDates.yearMonth).filter((month): month is UploadStatus.YearMonth =>
      month !== undefined
    )
  }
}

/**
 * Decodes an upload answer (already parsed from JSON).
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeUploadedStatement: (u: unknown) => Effect.Effect<UploadedStatement, ParseResult.ParseError> = Schema
  .decodeUnknown(UploadedStatement)

/**
 * A statement file to upload: a path on disk, its bytes, or a stream of its bytes.
 *
 * @since 0.3.0
 * @category models
 */
export type UploadFile = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/**
 * How the file is sent: a PDF, or a Base64 string.
 *
 * @since 0.3.0
 * @category models
 */
export type UploadType = "PDF" | "BASE64"

/**
 * Options for uploading a statement: exactly one of `file` (a path, bytes or a stream)
 * and `fileUrl` (a public link BankConnect downloads).
 *
 * @since 0.3.0
 * @category models
 */
export type UploadOptions =
  & {
    /** The session to upload into. */
    readonly sessionId: string
    /** The file's name in the multipart body; see {@link uploadFileName} for the default. */
    readonly fileName?: string
    /** The PDF's password, when it has one. */
    readonly password?: Redacted.Redacted<string>
    /** The bank's id (such as `hdfc`): optional, but it must match the statement when given. */
    readonly bankName?: string
    /** `PDF` (the default) or `BASE64`. */
    readonly uploadType?: UploadType
  }
  & (
    | { readonly file: UploadFile; readonly fileUrl?: never }
    | { readonly fileUrl: string; readonly file?: never }
  )

/**
 * The file name an upload sends in its multipart body: `fileName` when given, else the
 * base name of a `file` path, else the last segment of a `fileUrl`'s path, else
 * `statement.pdf`.
 *
 * @since 0.3.0
 * @category getters
 */
export const uploadFileName = (options: UploadOptions): string => {
  if (options.fileName !== undefined && options.fileName.trim() !== "") return options.fileName
  let path: string | undefined
  if (typeof options.file === "string") path = options.file
  else if (options.fileUrl !== undefined) {
    try {
      path = decodeURIComponent(new URL(options.fileUrl).pathname)
    } catch {
      path = undefined
    }
  }
  const base = path?.split(/[/\\]/).pop()
  return base === undefined || base.trim() === "" ? "statement.pdf" : base
}

/**
 * What is wrong with upload options, or `undefined`: an empty `sessionId`, both or neither
 * of `file` and `fileUrl`, a `fileUrl` that is not an http(s) URL, an empty `fileName`
 * or `bankName`, an unknown `uploadType`, or an empty password (which BankConnect answers
 * with `PASSWORD_INCORRECT`: leave it out for a file without one). It never reads the
 * password's value beyond its length.
 *
 * @since 0.3.0
 * @category constructors
 */
export const uploadProblem = (options: UploadOptions): string | undefined => {
  const sessionIdProblem = textProblem("sessionId", options.sessionId)
  if (sessionIdProblem !== undefined) return sessionIdProblem
  const hasFile = options.file !== undefined
  const hasUrl = options.fileUrl !== undefined
  if (hasFile === hasUrl) return "give exactly one of file and fileUrl"
  if (hasFile) {
    const file: unknown = options.file
    const fine = typeof file === "string"
      ? file.trim() !== ""
      : file instanceof Uint8Array ||
        (typeof file === "object" && file !== null &&
          (typeof (file as { getReader?: unknown }).getReader === "function" ||
            typeof (file as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"))
    if (!fine) return "file must be a path, a Uint8Array, a ReadableStream or an AsyncIterable of Uint8Array"
  } else {
    const problem = urlProblem("fileUrl", options.fileUrl)
    if (problem !== undefined) return problem
  }
  if (options.fileName !== undefined) {
    const problem = textProblem("fileName", options.fileName)
    if (problem !== undefined) return problem
  }
  if (options.bankName !== undefined) {
    const problem = textProblem("bankName", options.bankName, 50)
    if (problem !== undefined) return problem
  }
  if (options.uploadType !== undefined && options.uploadType !== "PDF" && options.uploadType !== "BASE64") {
    return "uploadType must be PDF or BASE64"
  }
  if (options.password !== undefined) {
    const password: unknown = options.password
    if (!Redacted.isRedacted(password) || typeof Redacted.value(password) !== "string") {
      return "password must be a Redacted string"
    }
    if (Redacted.value(password) === "") return "password is empty: leave it out for a file without one"
  }
  return undefined
}
