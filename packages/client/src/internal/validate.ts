import * as Effect from "effect/Effect"
import * as BankConnectError from "../BankConnectError.js"
import * as Secrets from "./secrets.js"

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
    readonly maxRequestsInFlight?: number | undefined
    readonly maxResponseBytes?: object | undefined
  },
  limits: object
): string | undefined => {
  const credentials = Secrets.credentialProblem("apiKey", options.apiKey) ??
    Secrets.credentialProblem("serverHash", options.serverHash)
  if (credentials !== undefined) return credentials
  const given = options.maxResponseBytes ?? {}
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(limits, key)) {
      return `maxResponseBytes has no endpoint ${JSON.stringify(key)} (it has ${Object.keys(limits).join(", ")})`
    }
    const problem = positiveIntegerProblem(`maxResponseBytes.${key}`, value)
    if (problem !== undefined) return problem
  }
  return positiveIntegerProblem("maxRequestsInFlight", options.maxRequestsInFlight)
}

/** The caller's input for a message: scrubbed of the credentials before it is cut. */
const quote = (value: unknown, max: number, scrubber: Secrets.Scrubber) =>
  JSON.stringify(scrubber.excerpt(String(value), max))

const sessionIdPattern = /^[A-Za-z0-9._~-]+$/

/**
 * The longest session id accepted, here and in webhook payloads.
 *
 * @internal
 */
export const maxSessionIdLength = 256

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
  value: string,
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
