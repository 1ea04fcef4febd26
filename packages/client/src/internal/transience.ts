import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as BankConnectError from "../BankConnectError.js"

// The one place that decides what a retry may cure. The call engine's retry, the public
// `isRetryable` and `watchProgress`'s `maxFailedPolls` all ask `isTransient`, so they never
// disagree about an error.

/**
 * HTTP statuses that say "try again": request timeout, too many requests, and the
 * server and gateway errors a retry can cure.
 *
 * @internal
 */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * Whether a retry may cure the error: a network failure or timeout, or an answer with a
 * transient status and no API error code of its own. A request the transport refuses to
 * send (`Misconfigured`), an API error code, an invalid response and an invalid argument
 * are permanent.
 *
 * @internal
 */
export const isTransient = (error: BankConnectError.BankConnectError): boolean => {
  switch (error._tag) {
    case "TransportError":
      return error.reason !== "Misconfigured"
    case "UnknownApiError":
      return transientStatuses.has(error.status)
    default:
      return false
  }
}

/** Codes of failures that no retry cures: the request as given cannot be sent or trusted. */
const permanentCodes: ReadonlySet<string> = new Set([
  "ERR_INVALID_URL",
  "ERR_INVALID_ARG_TYPE",
  "ERR_INVALID_ARG_VALUE",
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_INVALID_CHAR",
  "ERR_HTTP_INVALID_HEADER_VALUE",
  "ERR_UNESCAPED_CHARACTERS",
  "UND_ERR_INVALID_ARG",
  "UND_ERR_NOT_SUPPORTED",
  // TLS: the server's certificate does not verify; retrying would not change that
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/** Messages of fetch's (undici's) refusals, which carry no code. */
const permanentMessages = [
  /^bad port$/i,
  /^unknown scheme$/i,
  /^Failed to parse URL/i,
  /^Invalid URL/i,
  /URL that includes credentials/i
]

/**
 * How a failure to get a response is classified: `Misconfigured` when the transport
 * refused the request as given (an invalid URL, a port fetch blocks, an unknown scheme, a
 * certificate that does not verify), `Network` for anything a retry may cure.
 *
 * @internal
 */
export const transportReason = (error: HttpClientError.HttpClientError): "Network" | "Misconfigured" => {
  if (error._tag === "RequestError" && error.reason !== "Transport") return "Misconfigured"
  let cause: unknown = error.cause
  for (let depth = 0; depth < 8 && typeof cause === "object" && cause !== null; depth++) {
    const { code, message } = cause as { readonly code?: unknown; readonly message?: unknown }
    if (typeof code === "string" && permanentCodes.has(code)) return "Misconfigured"
    if (typeof message === "string" && permanentMessages.some((pattern) => pattern.test(message))) {
      return "Misconfigured"
    }
    cause = (cause as { readonly cause?: unknown }).cause
  }
  return "Network"
}
