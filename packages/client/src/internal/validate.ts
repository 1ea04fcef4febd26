import * as Effect from "effect/Effect"
import * as BankConnectError from "../BankConnectError.js"

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
 * Why a `maxRequestsInFlight` setting is refused, or `undefined` when it is fine (absent, or a
 * whole number of at least 1).
 *
 * @internal
 */
export const requestBoundProblem = (value: number | undefined): string | undefined =>
  value === undefined || (Number.isInteger(value) && value >= 1)
    ? undefined
    : `maxRequestsInFlight must be a whole number of at least 1, got ${value}`

const quote = (value: unknown, max: number) => JSON.stringify(String(value)).slice(0, max)

const sessionIdPattern = /^[A-Za-z0-9._~-]+$/

/**
 * A session id goes into a URL path: only URL-safe characters, and never `.` or `..`.
 *
 * @internal
 */
export const sessionId = (value: string): Effect.Effect<string, BankConnectError.InvalidArgument> =>
  typeof value === "string" && sessionIdPattern.test(value) && value !== "." && value !== ".."
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "sessionId",
        message: `Expected a session id made of letters, digits, "-", "_", "." or "~", got ${quote(value, 80)}`
      })
    )

/**
 * A webhook URL must be absolute http(s).
 *
 * @internal
 */
export const webhookUrl = (value: string): Effect.Effect<string, BankConnectError.InvalidArgument> =>
  typeof value === "string" && isHttpUrl(value)
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "webhookUrl",
        message: `Expected an absolute http(s) URL, got ${quote(value, 200)}`
      })
    )

/**
 * The webhook mode is 0 (net-banking sessions only) or 1 (all sessions).
 *
 * @internal
 */
export const webhookMode = (value: unknown): Effect.Effect<0 | 1, BankConnectError.InvalidArgument> =>
  value === 0 || value === 1
    ? Effect.succeed(value)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "webhookMode",
        message: `Expected 0 (net-banking sessions only) or 1 (all sessions), got ${quote(value, 40)}`
      })
    )
