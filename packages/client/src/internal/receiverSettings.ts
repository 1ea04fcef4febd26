import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as WebhookReceiver from "../WebhookReceiver.js"
import type * as WebhookServer from "../WebhookServer.js"

// The receiver's and the server's options, checked once at construction: a setting that
// cannot work (an empty secret, a limit of 0, a timeout that is not a duration) is refused
// with a TypeError naming it, rather than misbehaving on the first delivery.

/** The longest delay a Node timer takes: a longer one fires at once. */
const maxTimerMillis = 2 ** 31 - 1

/** An HTTP header name (RFC 9110 token). */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** @internal */
export const invalid = (option: string, problem: string): never => {
  throw new TypeError(`Invalid webhook option ${option}: ${problem}`)
}

const positiveInteger = (option: string, value: number): number =>
  Number.isSafeInteger(value) && value > 0 ? value : invalid(option, `expected a positive whole number, got ${value}`)

/**
 * A duration in whole milliseconds, positive and short enough for a Node timer;
 * `Infinity` when it is infinite and `infinite` allows it.
 */
const millis = (option: string, input: Duration.DurationInput, infinite: boolean): number => {
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded)) return invalid(option, `expected a duration, got ${String(input)}`)
  if (!Duration.isFinite(decoded.value)) {
    return infinite ? Infinity : invalid(option, "expected a finite duration")
  }
  const value = Math.ceil(Duration.toMillis(decoded.value))
  if (!(value > 0)) return invalid(option, "expected a positive duration")
  if (value > maxTimerMillis) return invalid(option, `expected at most ${maxTimerMillis} milliseconds`)
  return value
}

/**
 * The receiver's settings, checked.
 *
 * @internal
 */
export interface Receiver {
  readonly maxBodyBytes: number
  /** At least `maxBodyBytes`. */
  readonly maxInFlightBytes: number
  /** Lower case. */
  readonly secretHeader: string
  readonly secret: string | undefined
  /** `Infinity`: no timeout. */
  readonly handlerTimeoutMillis: number
}

/** @internal */
export const defaultMaxBodyBytes = 1024 * 1024

/** @internal */
export const defaultMaxInFlightBytes = 64 * 1024 * 1024

/** @internal */
export const receiver = (options: WebhookReceiver.ReceiverOptions): Receiver => {
  const maxBodyBytes = positiveInteger("maxBodyBytes", options.maxBodyBytes ?? defaultMaxBodyBytes)
  // by default at least one body of the largest size fits, however large maxBodyBytes is
  const maxInFlightBytes = options.maxInFlightBytes === undefined
    ? Math.max(defaultMaxInFlightBytes, maxBodyBytes)
    : positiveInteger("maxInFlightBytes", options.maxInFlightBytes)
  if (maxInFlightBytes < maxBodyBytes) {
    invalid(
      "maxInFlightBytes",
      `it is below maxBodyBytes (${maxBodyBytes}), so a body of the largest size would always be refused`
    )
  }
  const secretHeader = options.secretHeader ?? "x-secret-key"
  if (typeof secretHeader !== "string" || !headerName.test(secretHeader)) {
    invalid("secretHeader", `expected a header name, got ${JSON.stringify(secretHeader)}`)
  }
  let secret: string | undefined
  if (options.secret !== undefined) {
    secret = typeof options.secret === "string" ? options.secret : Redacted.value(options.secret)
    // the secret is never echoed, only what is wrong with it
    if (typeof secret !== "string" || secret === "") invalid("secret", "expected a non-empty string")
    else if (secret.trim() !== secret) {
      invalid("secret", "it starts or ends with whitespace, which a header value cannot")
      // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    } else if (/[\x00-\x1f\x7f]/.test(secret)) {
      invalid("secret", "it contains control characters, which a header value cannot")
    }
  }
  return {
    maxBodyBytes,
    maxInFlightBytes,
    secretHeader: secretHeader.toLowerCase(),
    secret,
    handlerTimeoutMillis: millis("handlerTimeout", options.handlerTimeout ?? "10 seconds", true)
  }
}

/**
 * The server's own settings, checked (the receiver's are checked by {@link receiver}).
 *
 * @internal
 */
export interface Server {
  readonly port: number
  readonly host: string
  readonly path: string
  readonly headersTimeoutMillis: number
  readonly requestTimeoutMillis: number
  readonly keepAliveTimeoutMillis: number
  readonly maxConnections: number
}

/** @internal */
export const server = (options: WebhookServer.ServeOptions<unknown, unknown>): Server => {
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    invalid("port", `expected a port from 0 to 65535, got ${port}`)
  }
  const host = options.host ?? "127.0.0.1"
  if (typeof host !== "string" || host === "") invalid("host", "expected a host name or address")
  const path = options.path ?? "/webhooks/bankconnect"
  if (typeof path !== "string" || !path.startsWith("/")) {
    invalid("path", `expected a path starting with "/", got ${path}`)
  }
  const headersTimeoutMillis = millis("headersTimeout", options.headersTimeout ?? "10 seconds", false)
  const requestTimeoutMillis = millis("requestTimeout", options.requestTimeout ?? "30 seconds", false)
  if (headersTimeoutMillis > requestTimeoutMillis) {
    invalid(
      "headersTimeout",
      `it is longer than requestTimeout (${requestTimeoutMillis} ms), which covers the headers too`
    )
  }
  return {
    port,
    host,
    path,
    headersTimeoutMillis,
    requestTimeoutMillis,
    keepAliveTimeoutMillis: millis("keepAliveTimeout", options.keepAliveTimeout ?? "5 seconds", false),
    maxConnections: positiveInteger("maxConnections", options.maxConnections ?? 1024)
  }
}
