import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as BankConnectError from "../BankConnectError.js"
import * as Secrets from "./secrets.js"
import * as SessionIds from "./sessionIds.js"

/**
 * Whether a string is an absolute http(s) URL with a host.
 *
 * @internal
 */
export const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== ""
  } catch {
    return false
  }
}

/**
 * Whether a string can be the API's base URL: absolute http(s), with no user name or
 * password (they would travel in every request and appear in every error's URL), no query
 * and no fragment.
 *
 * @internal
 */
export const isBaseUrl = (value: string): boolean => {
  if (!isHttpUrl(value)) return false
  const url = new URL(value)
  return url.username === "" && url.password === "" && url.search === "" && url.hash === ""
}

/** The API version path segment: `v1`, say; never a path of its own. */
const versionPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/** Why a duration setting is refused, or `undefined`. */
const durationProblem = (name: string, value: unknown, zeroAllowed: boolean): string | undefined => {
  if (value === undefined) return undefined
  let millis: number
  try {
    millis = Duration.toMillis(Duration.decode(value as Duration.DurationInput))
  } catch {
    return `${name} must be a duration (milliseconds, or a string such as "10 seconds"), got ${describe(value)}`
  }
  return Number.isFinite(millis) && (zeroAllowed ? millis >= 0 : millis > 0)
    ? undefined
    : `${name} must be a finite duration${zeroAllowed ? "" : " over zero"}, got ${describe(value)}`
}

/** A value for a message about a setting (never a credential: those are not described). */
const describe = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.slice(0, 40))
    : typeof value === "number"
    ? String(value)
    : typeof value

/**
 * Why a watch's options are refused: an `interval` that is not a finite duration, a
 * `maxFailedPolls` that is not a whole number of at least 1.
 *
 * @internal
 */
export const watchProblem = (
  options: { readonly interval?: unknown; readonly maxFailedPolls?: unknown } | undefined
): BankConnectError.InvalidArgument | undefined => {
  const interval = durationProblem("interval", options?.interval, true)
  if (interval !== undefined) return new BankConnectError.InvalidArgument({ argument: "interval", message: interval })
  const polls = positiveIntegerProblem("maxFailedPolls", options?.maxFailedPolls)
  return polls === undefined
    ? undefined
    : new BankConnectError.InvalidArgument({ argument: "maxFailedPolls", message: polls })
}

/**
 * Why a whole-number setting is refused, or `undefined` when it is fine (absent, or a
 * whole number of at least 1).
 *
 * @internal
 */
export const positiveIntegerProblem = (name: string, value: unknown): string | undefined =>
  value === undefined || (typeof value === "number" && Number.isSafeInteger(value) && value >= 1)
    ? undefined
    : `${name} must be a whole number of at least 1, got ${String(value)}`

/**
 * Why a client's settings are refused, or `undefined`: credentials too short to scrub
 * safely, an unknown endpoint or a bad number in `maxResponseBytes`, a bad
 * `maxRequestsInFlight`. The Effect client dies with it; the async client throws it.
 *
 * @internal
 */
export const clientProblem = (
  options: {
    readonly apiKey: unknown
    readonly serverHash: unknown
    readonly baseUrl?: unknown
    readonly version?: unknown
    readonly timeout?: unknown
    readonly retry?: {
      readonly times?: unknown
      readonly base?: unknown
      readonly max?: unknown
      readonly maxRetryAfter?: unknown
    } | undefined
    readonly maxRequestsInFlight?: number | undefined
    readonly maxResponseBytes?: object | undefined
    readonly transferTimeout?: unknown
    readonly maxReportBytes?: unknown
  },
  limits: object
): string | undefined => {
  const credentials = Secrets.credentialProblem("apiKey", options.apiKey) ??
    Secrets.credentialProblem("serverHash", options.serverHash)
  if (credentials !== undefined) return credentials
  if (options.baseUrl !== undefined) {
    const baseUrl = typeof options.baseUrl === "string" ? options.baseUrl.replace(/\/+$/, "") : ""
    if (!isBaseUrl(baseUrl)) {
      const given = isHttpUrl(baseUrl)
        ? "one with a user name, a password, a query or a fragment"
        : describe(options.baseUrl)
      return `baseUrl must be an absolute http(s) URL without credentials, query or fragment, got ${given}`
    }
  }
  if (options.version !== undefined && (typeof options.version !== "string" || !versionPattern.test(options.version))) {
    return `version must be a path segment such as "v1", got ${describe(options.version)}`
  }
  const retry = options.retry ?? {}
  const times = retry.times
  if (times !== undefined && !(typeof times === "number" && Number.isSafeInteger(times) && times >= 0)) {
    return `retry.times must be a whole number of at least 0, got ${describe(times)}`
  }
  const durations = durationProblem("timeout", options.timeout, false) ??
    durationProblem("transferTimeout", options.transferTimeout, false) ??
    durationProblem("retry.base", retry.base, true) ??
    durationProblem("retry.max", retry.max, true) ??
    durationProblem("retry.maxRetryAfter", retry.maxRetryAfter, true)
  if (durations !== undefined) return durations
  const given = options.maxResponseBytes ?? {}
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(limits, key)) {
      return `maxResponseBytes has no endpoint ${JSON.stringify(key)} (it has ${Object.keys(limits).join(", ")})`
    }
    const problem = positiveIntegerProblem(`maxResponseBytes.${key}`, value)
    if (problem !== undefined) return problem
  }
  return positiveIntegerProblem("maxRequestsInFlight", options.maxRequestsInFlight) ??
    positiveIntegerProblem("maxReportBytes", options.maxReportBytes)
}

/** The caller's input for a message: scrubbed of the credentials before it is cut. */
const quote = (value: unknown, max: number, scrubber: Secrets.Scrubber) =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? JSON.stringify(scrubber.excerpt(String(value), max))
    : value === null
    ? "null"
    : `a value of type ${typeof value}`

const sessionIdPattern = /^[A-Za-z0-9._~-]+$/

const maxSessionIdLength = SessionIds.maxLength

/**
 * A session id goes into a URL path: only URL-safe characters, never `.` or `..`, and at
 * most {@link maxSessionIdLength} of them.
 *
 * @internal
 */
export const sessionId = (
  value: string,
  scrubber: Secrets.Scrubber
): Effect.Effect<string, BankConnectError.InvalidArgument> =>
  typeof value === "string" && value.length <= maxSessionIdLength && sessionIdPattern.test(value) && value !== "." &&
    value !== ".."
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "sessionId",
        message: `Expected a session id of at most ${maxSessionIdLength} letters, digits, "-", "_", "." or "~", got ${
          quote(value, 80, scrubber)
        }`
      })
    )

/**
 * A webhook URL must be absolute http(s).
 *
 * @internal
 */
export const webhookUrl = (
  value: unknown,
  scrubber: Secrets.Scrubber
): Effect.Effect<string, BankConnectError.InvalidArgument> =>
  typeof value === "string" && isHttpUrl(value)
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "webhookUrl",
        message: `Expected an absolute http(s) URL, got ${quote(value, 200, scrubber)}`
      })
    )

/**
 * The webhook mode is 0 (net-banking sessions only) or 1 (all sessions).
 *
 * @internal
 */
export const webhookMode = (
  value: unknown,
  scrubber: Secrets.Scrubber
): Effect.Effect<0 | 1, BankConnectError.InvalidArgument> =>
  value === 0 || value === 1
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "webhookMode",
        message: `Expected 0 (net-banking sessions only) or 1 (all sessions), got ${quote(value, 40, scrubber)}`
      })
    )
