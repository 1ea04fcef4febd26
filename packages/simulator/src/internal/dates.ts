/**
 * The date formats of the BankConnect API. A day is a UTC epoch day (days since 1970-01-01);
 * the API's naive timestamps are written in UTC.
 *
 * @internal
 */

const dayMillis = 86_400_000

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** @internal */
export interface Ymd {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The epoch day of a date, or `undefined` when it is not a calendar date. @internal */
export const dayOf = ({ day, month, year }: Ymd): number | undefined => {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > 31) return undefined
  const ms = Date.UTC(year, month - 1, day)
  const date = new Date(ms)
  return date.getUTCDate() === day && date.getUTCMonth() === month - 1 ? ms / dayMillis : undefined
}

/** The epoch day at a Clock time. @internal */
export const dayAt = (millis: number): number => Math.floor(millis / dayMillis)

/** @internal */
export const ymd = (day: number): Ymd => {
  const date = new Date(day * dayMillis)
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
}

/** `DD/MM/YYYY`, or `undefined` when the text is not one. @internal */
export const parseDdMmYyyy = (text: string): number | undefined => {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text)
  return match === null ? undefined : dayOf({ day: Number(match[1]), month: Number(match[2]), year: Number(match[3]) })
}

/** `YYYY-MM-DD`, or `undefined` when the text is not one. @internal */
export const parseIsoDay = (text: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  return match === null ? undefined : dayOf({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) })
}

/** `11/08/2025` @internal */
export const ddmmyyyy = (day: number): string => {
  const d = ymd(day)
  return `${pad(d.day)}/${pad(d.month)}/${d.year}`
}

/** `2025-08-11` @internal */
export const isoDay = (day: number): string => {
  const d = ymd(day)
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`
}

/** A month as a number: year × 12 + month − 1. @internal */
export const monthOfDay = (day: number): number => {
  const d = ymd(day)
  return d.year * 12 + d.month - 1
}

/** `2025-08` @internal */
export const yearMonth = (month: number): string => `${Math.floor(month / 12)}-${pad(month % 12 + 1)}`

/** `2025-08` as a month number, or `undefined`. @internal */
export const parseYearMonth = (text: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})$/.exec(text)
  if (match === null) return undefined
  const month = Number(match[2])
  return month >= 1 && month <= 12 ? Number(match[1]) * 12 + month - 1 : undefined
}

/** The first day of a month. @internal */
export const firstDay = (month: number): number => Date.UTC(Math.floor(month / 12), month % 12, 1) / dayMillis

/** The last day of a month. @internal */
export const lastDay = (month: number): number => firstDay(month + 1) - 1

/** `Aug-2025` @internal */
export const monYyyy = (month: number): string => `${monthNames[month % 12]}-${Math.floor(month / 12)}`

/** `Aug-25` @internal */
export const monYy = (month: number): string => `${monthNames[month % 12]}-${pad(Math.floor(month / 12) % 100)}`

/** `11-Aug-25` @internal */
export const ddMonYy = (day: number): string => `${pad(ymd(day).day)}-${monYy(monthOfDay(day))}`

/** `11-Aug-2025` @internal */
export const ddMonYyyy = (day: number): string => `${pad(ymd(day).day)}-${monYyyy(monthOfDay(day))}`

/** `2025-08-11 00:00:00` @internal */
export const dayTimestamp = (day: number): string => `${isoDay(day)} 00:00:00`

/** `2025-11-13 06:48:44`: a naive UTC timestamp. @internal */
export const timestamp = (millis: number): string => new Date(millis).toISOString().slice(0, 19).replace("T", " ")

/** `2025-11-13T06:48:43.660000Z`: ISO with microseconds, as session status writes it. @internal */
export const isoMicros = (millis: number): string => `${new Date(millis).toISOString().slice(0, 23)}000Z`

/** `2025-11-13 06:48:43.660000+00:00`, as upload status writes it. @internal */
export const offsetMicros = (millis: number): string =>
  `${new Date(millis).toISOString().slice(0, 23).replace("T", " ")}000+00:00`

/** `20251201T064843Z`: an `X-Amz-Date`. @internal */
export const amzDate = (millis: number): string =>
  new Date(millis).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z"

/** Every month from `first` to `last`, both included. @internal */
export const monthsBetween = (first: number, last: number): Array<number> => {
  const out: Array<number> = []
  for (let m = first; m <= last; m++) out.push(m)
  return out
}

/** The same day `months` months earlier (clamped to the month's end). @internal */
export const minusMonths = (day: number, months: number): number => {
  const d = ymd(day)
  const month = d.year * 12 + d.month - 1 - months
  return Math.min(firstDay(month) + d.day - 1, lastDay(month))
}
