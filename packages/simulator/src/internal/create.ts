import * as Either from "effect/Either"
import * as Limits from "../Limits.js"
import * as Banks from "./banks.js"
import * as Dates from "./dates.js"

/**
 * The create-session call's body (v1 and v2), checked in the order the simulator answers
 * its codes: `link_id`, the dates, the bank, the mode, the expiry, `redirect_url`, then the
 * rest.
 */

/**
 * A create call the simulator takes.
 *
 * @internal
 */
export interface CreateRequest {
  readonly linkId: string
  /** Epoch days. */
  readonly from: number
  readonly to: number
  readonly bankName: string | undefined
  readonly mode: "pdf" | "aa" | "online"
  readonly expiryMinutes: number
  readonly redirectUrl: string | undefined
}

/**
 * Why a create call is refused.
 *
 * @internal
 */
export interface Problem {
  readonly status: number
  readonly code: string
  readonly message: string
}

const invalid = (code: string, message: string, status = 400): Either.Either<never, Problem> =>
  Either.left({ status, code, message })

const given = (value: unknown) => value !== undefined && value !== null && value !== ""

/** Whether `text` is an absolute http(s) URL within `Limits.maxUrlLength`. @internal */
export const isHttpUrl = (text: unknown): text is string => {
  if (typeof text !== "string" || text.length > Limits.maxUrlLength) return false
  try {
    const url = new URL(text)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

/** The default length of an upload session, in minutes. @internal */
export const defaultExpiryMinutes = 60

/**
 * Checks a create call's JSON body at `now` (Clock milliseconds).
 *
 * @internal
 */
export const check = (
  body: Record<string, unknown>,
  now: number,
  enabledModes: ReadonlyArray<string>
): Either.Either<CreateRequest, Problem> => {
  const linkId = body.link_id
  if (!given(linkId) && linkId !== "") return invalid("INVALID_REQUEST", "link_id, This field is required.")
  if (typeof linkId !== "string") return invalid("INVALID_REQUEST", "link_id, Not a valid string.")
  if (linkId.trim() === "") return invalid("INVALID_REQUEST", "link_id, This field may not be blank.")
  if (linkId.length > Limits.maxLinkIdLength) {
    return invalid(
      "INVALID_LENGTH",
      `link_id, Ensure this field has no more than ${Limits.maxLinkIdLength} characters.`
    )
  }

  let from: number
  let to: number
  const fromGiven = given(body.from_date)
  const toGiven = given(body.to_date)
  if (fromGiven !== toGiven) {
    return invalid("MISSING_DATE_FIELD", "Both from_date and to_date are required when either is given")
  }
  if (fromGiven) {
    const parsedFrom = typeof body.from_date === "string" ? Dates.parseDdMmYyyy(body.from_date) : undefined
    const parsedTo = typeof body.to_date === "string" ? Dates.parseDdMmYyyy(body.to_date) : undefined
    if (parsedFrom === undefined || parsedTo === undefined) {
      return invalid("INVALID_DATE_FORMAT", "from_date and to_date must be dates in DD/MM/YYYY format")
    }
    if (parsedFrom > parsedTo) return invalid("INVALID_DATE_RANGE", "from_date must not be after to_date")
    if (Dates.monthOfDay(parsedTo) - Dates.monthOfDay(parsedFrom) + 1 > Limits.maxMonths) {
      return invalid(
        "INVALID_DATE_RANGE",
        `The date range must span at most ${Limits.maxMonths} months (Limits.maxMonths)`
      )
    }
    from = parsedFrom
    to = parsedTo
  } else {
    to = Dates.dayAt(now)
    from = Dates.minusMonths(to, 6)
  }

  const bank = given(body.bank_name) ? body.bank_name : body.bank
  let bankName: string | undefined
  if (given(bank)) {
    const found = typeof bank === "string" ? Banks.find(bank) : undefined
    if (found === undefined) {
      return invalid("INVALID_BANK_NAME", "The bank_name is not valid: see GET /banks/catalogue/ for the bank names")
    }
    bankName = found.id
  }

  let mode: CreateRequest["mode"] = "pdf"
  if (given(body.mode)) {
    if (body.mode !== "pdf" && body.mode !== "aa" && body.mode !== "online") {
      return invalid("MODE_NOT_AVAILABLE", "mode must be one of pdf, aa, online")
    }
    mode = body.mode
  }
  if (!enabledModes.includes(mode)) {
    return invalid("MODE_NOT_ENABLED", `The mode ${mode} is not enabled for this account`, 403)
  }
  if (mode === "online" && bankName === undefined) {
    return invalid("MISSING_BANK_NAME", "bank_name is required for the online mode")
  }

  let expiryMinutes = defaultExpiryMinutes
  if (given(body.session_expiry)) {
    const minutes = typeof body.session_expiry === "string" && /^\d+$/.test(body.session_expiry)
      ? Number(body.session_expiry)
      : body.session_expiry
    if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 5 || minutes > 43_200) {
      return invalid("INVALID_SESSION_EXPIRY", "session_expiry must be a whole number of minutes from 5 to 43200")
    }
    expiryMinutes = minutes
  }

  let redirectUrl: string | undefined
  if (given(body.redirect_url)) {
    if (!isHttpUrl(body.redirect_url)) {
      return invalid(
        "INVALID_URL",
        `redirect_url must be an absolute http(s) URL of at most ${Limits.maxUrlLength} characters`
      )
    }
    redirectUrl = body.redirect_url
  }

  if (given(body.journey_mode) && body.journey_mode !== "multi_pdf" && body.journey_mode !== "multi_banking") {
    return invalid("INVALID_REQUEST", "journey_mode, must be one of multi_pdf, multi_banking.")
  }
  if (given(body.mobile_number) && !(typeof body.mobile_number === "string" && /^\d{10}$/.test(body.mobile_number))) {
    return invalid("INVALID_MOBILE_NUMBER", "mobile_number must be 10 digits")
  }

  return Either.right({ linkId, from, to, bankName, mode, expiryMinutes, redirectUrl })
}
