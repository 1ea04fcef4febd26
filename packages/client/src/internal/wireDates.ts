/**
 * The date formats BankConnect writes (the lifecycle reference, §9), each read by the
 * field that carries it, never by sniffing: `11/08/2025` is 11 August because the field is
 * `DD/MM/YYYY`, not because it looks like it. Every reader returns `undefined` for a value
 * that is not a string of its format or not a real calendar date (`31/02/2025`); none
 * throws.
 *
 * Calendar days read as `DateTime.Utc` at midnight UTC, so that `DateTime.formatIsoDateUtc`
 * gives the wire day back. Timestamps without a zone (`2025-11-13 06:48:44`) read as UTC:
 * the documentation states no zone, and the statement timestamps beside them, which carry
 * `+00:00` or `Z`, agree with UTC (an account created `06:48:44` holds a statement created
 * `06:48:43.660968+00:00`). Two-digit years follow the POSIX `%y` pivot that the server's
 * `strftime` output implies: `00`–`68` are 2000–2068, `69`–`99` are 1969–1999.
 */
import * as DateTime from "effect/DateTime"
import type { YearMonth } from "./accountFailure.js"

export type { YearMonth } from "./accountFailure.js"

const monthNames: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12
}

const monthNamed = (name: string): number | undefined => monthNames[name.toLowerCase()]

const pivot = (twoDigits: number): number => twoDigits <= 68 ? 2000 + twoDigits : 1900 + twoDigits

/**
 * The instant for a date and time read as UTC, or `undefined` when a field is out of range
 * (the 31st of a 30-day month, hour 24).
 */
const utc = (
  year: number,
  month: number,
  day: number,
  hours = 0,
  minutes = 0,
  seconds = 0,
  millis = 0
): DateTime.Utc | undefined => {
  if (month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds, millis)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined
  }
  return DateTime.unsafeMake(date.getTime())
}

const yearMonthOf = (year: number, month: number): YearMonth | undefined =>
  month >= 1 && month <= 12 ? { year, month } : undefined

const match = (pattern: RegExp, text: unknown): RegExpExecArray | null =>
  typeof text === "string" ? pattern.exec(text) : null

const dayMonthYearPattern = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/

/**
 * `DD/MM/YYYY` (`11/08/2025` is 11 August 2025): session and statement date ranges in the
 * upload status, the session status and the webhooks; the create-session input.
 *
 * @internal
 */
export const dayMonthYear = (text: unknown): DateTime.Utc | undefined => {
  const m = match(dayMonthYearPattern, text)
  return m ? utc(Number(m[3]), Number(m[2]), Number(m[1])) : undefined
}

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * `YYYY-MM-DD`: insights' date ranges, `missing_data`, the upload answer's `date_range`.
 *
 * @internal
 */
export const isoDate = (text: unknown): DateTime.Utc | undefined => {
  const m = match(isoDatePattern, text)
  return m ? utc(Number(m[1]), Number(m[2]), Number(m[3])) : undefined
}

const yearMonthPattern = /^(\d{4})-(\d{2})$/

/**
 * `YYYY-MM`: `months`, `uploaded_months`, `missing_months`.
 *
 * @internal
 */
export const yearMonth = (text: unknown): YearMonth | undefined => {
  const m = match(yearMonthPattern, text)
  return m ? yearMonthOf(Number(m[1]), Number(m[2])) : undefined
}

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/

const millisOf = (fraction: string | undefined): number =>
  fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)

/**
 * `YYYY-MM-DD HH:MM:SS`, no zone (read as UTC): transaction dates, account `created_at` and
 * `last_updated_at`, `session_expiry_timestamp`, the statement stats.
 *
 * @internal
 */
export const naiveDateTime = (text: unknown): DateTime.Utc | undefined => {
  const m = match(dateTimePattern, text)
  return m
    ? utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millisOf(m[7]))
    : undefined
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * A statement's `created_at`: `2025-11-13 06:48:43.660968+00:00` in the upload status,
 * `2025-11-13T06:48:43.660968Z` in the session status (the same statement shows one form
 * in one and the other in the other). An ISO 8601 timestamp with a zone `Z` or `±HH:MM`;
 * without one it reads as UTC.
 *
 * @internal
 */
export const timestamp = (text: unknown): DateTime.Utc | undefined => {
  const m = match(timestampPattern, text)
  if (!m) return undefined
  const local = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millisOf(m[7]))
  const zone = m[8]
  if (local === undefined || zone === undefined || zone === "Z") return local
  const digits = zone.replace(":", "")
  const hours = Number(digits.slice(1, 3))
  const minutes = Number(digits.slice(3, 5))
  if (hours > 23 || minutes > 59) return undefined
  const offset = (hours * 60 + minutes) * 60_000 * (digits.startsWith("-") ? -1 : 1)
  return DateTime.unsafeMake(local.epochMillis - offset)
}

const monthYearPattern = /^([A-Za-z]{3})-(\d{4})$/

/**
 * `Mon-YYYY` (`Aug-2025`): monthly analysis keys, `salary_month`.
 *
 * @internal
 */
export const monthYear = (text: unknown): YearMonth | undefined => {
  const m = match(monthYearPattern, text)
  const month = m ? monthNamed(m[1]!) : undefined
  return m && month !== undefined ? { year: Number(m[2]), month } : undefined
}

const monthShortYearPattern = /^([A-Za-z]{3})-(\d{2})$/

/**
 * `Mon-YY` (`Aug-25`): end-of-day balance keys, the predictors' `month_n`, the top
 * credits' and debits' `month`.
 *
 * @internal
 */
export const monthShortYear = (text: unknown): YearMonth | undefined => {
  const m = match(monthShortYearPattern, text)
  const month = m ? monthNamed(m[1]!) : undefined
  return m && month !== undefined ? { year: pivot(Number(m[2])), month } : undefined
}

const dayMonthNameYearPattern = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/

/**
 * `DD-Mon-YYYY` (`11-Aug-2025`): the monthly analysis' `start_date`.
 *
 * @internal
 */
export const dayMonthNameYear = (text: unknown): DateTime.Utc | undefined => {
  const m = match(dayMonthNameYearPattern, text)
  const month = m ? monthNamed(m[2]!) : undefined
  return m && month !== undefined ? utc(Number(m[3]), month, Number(m[1])) : undefined
}

const dayMonthNameShortYearPattern = /^(\d{1,2})-([A-Za-z]{3})-(\d{2})$/

/**
 * `DD-Mon-YY` (`14-Aug-25`): the top credits' and debits' transaction `date`, the
 * end-of-day balances' and the predictors' `start_date`.
 *
 * @internal
 */
export const dayMonthNameShortYear = (text: unknown): DateTime.Utc | undefined => {
  const m = match(dayMonthNameShortYearPattern, text)
  const month = m ? monthNamed(m[2]!) : undefined
  return m && month !== undefined ? utc(pivot(Number(m[3])), month, Number(m[1])) : undefined
}

const pad = (value: number, width: number): string => String(value).padStart(width, "0")

/**
 * The calendar day of a `Date` (read in UTC) or a `DateTime` (read in its own zone: a
 * `DateTime.Zoned` gives its wall-clock day), or `undefined` for an invalid `Date`.
 *
 * @internal
 */
export const calendarDay = (
  date: Date | DateTime.DateTime
): { readonly year: number; readonly month: number; readonly day: number } | undefined => {
  if (date instanceof Date) {
    const time = date.getTime()
    if (Number.isNaN(time)) return undefined
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
  }
  const parts = DateTime.toParts(date)
  return { year: parts.year, month: parts.month, day: parts.day }
}

/**
 * A calendar day written `DD/MM/YYYY`, or `undefined` for an invalid `Date` or a year
 * outside 0–9999.
 *
 * @internal
 */
export const formatDayMonthYear = (date: Date | DateTime.DateTime): string | undefined => {
  const day = calendarDay(date)
  if (day === undefined || day.year < 0 || day.year > 9999) return undefined
  return `${pad(day.day, 2)}/${pad(day.month, 2)}/${pad(day.year, 4)}`
}

const amzDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/**
 * When a pre-signed S3 link stops working: `X-Amz-Date` (`20251201T072844Z`, SigV4) plus
 * `X-Amz-Expires` seconds, or the epoch seconds of `Expires` (SigV2); `undefined` when the
 * link carries neither or they do not parse. Reads the query only; the link is never
 * logged or echoed.
 *
 * @internal
 */
export const presignedExpiry = (link: string): DateTime.Utc | undefined => {
  let query: URLSearchParams
  try {
    query = new URL(link).searchParams
  } catch {
    return undefined
  }
  const signedAt = amzDatePattern.exec(query.get("X-Amz-Date") ?? "")
  const lifetime = query.get("X-Amz-Expires")
  if (signedAt && lifetime !== null && /^\d{1,9}$/.test(lifetime)) {
    const start = utc(
      Number(signedAt[1]),
      Number(signedAt[2]),
      Number(signedAt[3]),
      Number(signedAt[4]),
      Number(signedAt[5]),
      Number(signedAt[6])
    )
    return start === undefined ? undefined : DateTime.unsafeMake(start.epochMillis + Number(lifetime) * 1000)
  }
  const expires = query.get("Expires")
  if (expires !== null && /^\d{1,12}$/.test(expires)) return DateTime.unsafeMake(Number(expires) * 1000)
  return undefined
}
