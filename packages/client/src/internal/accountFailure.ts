/**
 * Reads the data BankConnect writes into account failure messages: the months of
 * `INCOMPLETE_MONTHS` / `INCOMPLETE_MONTHS_UPLOAD` ("... for Nov 2023, Dec 2023") and the
 * month-to-days map of `INCOMPLETE_DATES_UPLOAD` ("... for {"Jan 2024": [1, 2, 3, 4]}").
 */

/**
 * A calendar month.
 *
 * @internal
 */
export interface YearMonth {
  readonly year: number
  /** 1 to 12. */
  readonly month: number
}

const monthIndex: Record<string, number> = {
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

/** `Nov 2023`, `November 2023`, `2023-11` or `11/2023` as a month, or `undefined`. */
export const parseMonth = (text: string): YearMonth | undefined => {
  const trimmed = text.trim()
  const named = /^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})$/.exec(trimmed)
  if (named) {
    const month = monthIndex[named[1]!.toLowerCase()]
    return month === undefined ? undefined : { year: Number(named[2]), month }
  }
  const numeric = /^(\d{4})-(\d{1,2})$/.exec(trimmed) ?? /^(\d{1,2})\/(\d{4})$/.exec(trimmed)?.reverse()
  if (numeric) {
    const year = Number(numeric[1])
    const month = Number(numeric[2])
    return month >= 1 && month <= 12 ? { year, month } : undefined
  }
  return undefined
}

/**
 * The months listed after the last "for" of a message, or none.
 *
 * @internal
 */
export const parseMonths = (message: string): ReadonlyArray<YearMonth> => {
  const at = message.toLowerCase().lastIndexOf(" for ")
  if (at < 0) return []
  return message
    .slice(at + 5)
    .replace(/\.\s*$/, "")
    .split(/,|\band\b/)
    .map(parseMonth)
    .filter((month): month is YearMonth => month !== undefined)
}

/**
 * The days missing in one month.
 *
 * @internal
 */
export interface MissingDays {
  readonly month: YearMonth
  readonly days: ReadonlyArray<number>
}

/**
 * The month-to-days map written in a message as `{"Jan 2024": [1, 2, 3, 4]}` (quotes
 * possibly escaped), or none.
 *
 * @internal
 */
export const parseMissingDates = (message: string): ReadonlyArray<MissingDays> => {
  const start = message.indexOf("{")
  const end = message.lastIndexOf("}")
  if (start < 0 || end < start) return []
  let map: unknown
  try {
    map = JSON.parse(message.slice(start, end + 1).replace(/\\"/g, "\""))
  } catch {
    return []
  }
  if (typeof map !== "object" || map === null || Array.isArray(map)) return []
  const out: Array<MissingDays> = []
  for (const [key, value] of Object.entries(map)) {
    const month = parseMonth(key)
    if (month === undefined || !Array.isArray(value)) continue
    const days = value.filter((day): day is number => Number.isInteger(day) && day >= 1 && day <= 31)
    out.push({ month, days })
  }
  return out
}
