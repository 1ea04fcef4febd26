/**
 * The errors of the BankConnect API, one tagged class per API error code, plus the
 * failures that are not the API's answer: the transport, an undecodable success body,
 * and a request rejected before it was sent.
 *
 * Every error is a `Schema.TaggedError`, so it is an `Error`, it has a `_tag` to match
 * with `Effect.catchTag`, and it round-trips through JSON with {@link BankConnectError}.
 * No error carries the API key or the server hash.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Transience from "./internal/transience.js"

const apiErrorFields = {
  /** The API's error code, such as `SESSION_NOT_FOUND`. */
  code: Schema.String,
  /** The API's own text for the error. */
  message: Schema.String,
  /** The HTTP status of the response. */
  status: Schema.Number,
  /** The session the call was about, when it was about one. */
  sessionId: Schema.optional(Schema.String)
}

/**
 * `SESSION_NOT_FOUND` (HTTP 404): the session id is not known to BankConnect.
 *
 * @since 0.1.0
 * @category api errors
 */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", apiErrorFields) {}

/**
 * `PROCESSING_NOT_REQUESTED` (HTTP 400): processing was never initiated for the session.
 *
 * @since 0.1.0
 * @category api errors
 */
export class ProcessingNotRequested
  extends Schema.TaggedError<ProcessingNotRequested>()("ProcessingNotRequested", apiErrorFields)
{}

/**
 * `SESSION_DELETED` (HTTP 410): the session existed and has been deleted.
 *
 * @since 0.1.0
 * @category api errors
 */
export class SessionDeleted extends Schema.TaggedError<SessionDeleted>()("SessionDeleted", apiErrorFields) {}

/**
 * `ACCESS_DENIED` (HTTP 403), and HTTP 401 with the `{"detail": ...}` body: the API key
 * or the server hash is missing or wrong.
 *
 * @since 0.1.0
 * @category api errors
 */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", apiErrorFields) {}

/**
 * `PROCESSING_NOT_COMPLETED` (HTTP 400): the session's data is asked for while it is
 * still processing.
 *
 * @since 0.1.0
 * @category api errors
 */
export class ProcessingNotCompleted
  extends Schema.TaggedError<ProcessingNotCompleted>()("ProcessingNotCompleted", apiErrorFields)
{}

/**
 * `DUPLICATE_PROCESSING_REQUEST` (HTTP 409 in older revisions, 400 in newer): processing
 * was already initiated for the session.
 *
 * @since 0.1.0
 * @category api errors
 */
export class DuplicateProcessingRequest
  extends Schema.TaggedError<DuplicateProcessingRequest>()("DuplicateProcessingRequest", apiErrorFields)
{}

/**
 * `UNPARSABLE_STATEMENTS` (HTTP 400): the uploaded statements cannot be parsed.
 *
 * @since 0.1.0
 * @category api errors
 */
export class UnparsableStatements
  extends Schema.TaggedError<UnparsableStatements>()("UnparsableStatements", apiErrorFields)
{}

/**
 * Any other error answer: an error code this library does not know yet, or an error
 * status without a code that no known error matches (a gateway's HTML page, a 5xx after
 * the retries ran out). Without an API code, `code` is `HTTP_<status>`.
 *
 * @since 0.1.0
 * @category api errors
 */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>()("UnknownApiError", apiErrorFields) {}

/**
 * The request did not get an answer: the connection failed, or the request timed out,
 * after the retries ran out; or the transport refused to send it as configured.
 *
 * @since 0.1.0
 * @category transport errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  /**
   * `Timeout` when the request timeout elapsed; `Network` for any other failure to get a
   * response; `Misconfigured` when the transport refused the request as configured (an
   * invalid URL, a port `fetch` blocks, a certificate that does not verify), which no
   * retry cures.
   */
  reason: Schema.Literal("Timeout", "Network", "Misconfigured"),
  /** What went wrong, for people. */
  message: Schema.String,
  /** The HTTP method of the request. */
  method: Schema.String,
  /** The URL of the request (it holds no secret: the credentials travel in headers). */
  url: Schema.String,
  /** The session the call was about, when it was about one. */
  sessionId: Schema.optional(Schema.String)
}) {}

/**
 * A response that is not what the API documents: a success body that does not decode even
 * read tolerantly, a body over the size limit, a redirect (never followed: the API does
 * not redirect, and following one would send the credentials elsewhere), or a snapshot of
 * another session. Never retried.
 *
 * @since 0.1.0
 * @category transport errors
 */
export class InvalidResponse extends Schema.TaggedError<InvalidResponse>()("InvalidResponse", {
  /**
   * `Undecodable` (the default): the body does not match the documented shape;
   * `TooLarge`: the body grew past the endpoint's `maxResponseBytes` and was not read
   * further; `Redirect`: a 3xx answer; `OtherSession`: the body is about another session.
   */
  reason: Schema.optionalWith(Schema.Literal("Undecodable", "TooLarge", "Redirect", "OtherSession"), {
    default: () => "Undecodable"
  }),
  /** What is wrong, and where. */
  message: Schema.String,
  /** The HTTP status of the response. */
  status: Schema.Number,
  /** The URL of the request. */
  url: Schema.String,
  /** The session the call was about, when it was about one. */
  sessionId: Schema.optional(Schema.String)
}) {}

/**
 * A call's argument was rejected before anything was sent: an empty or malformed session
 * id, a webhook URL that is not absolute http(s).
 *
 * @since 0.1.0
 * @category request errors
 */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>()("InvalidArgument", {
  /** The argument's name, such as `sessionId` or `webhookUrl`. */
  argument: Schema.String,
  /** Why it was rejected. */
  message: Schema.String
}) {}

/**
 * The errors that carry an API error code.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError =
  | SessionNotFound
  | ProcessingNotRequested
  | SessionDeleted
  | AccessDenied
  | ProcessingNotCompleted
  | DuplicateProcessingRequest
  | UnparsableStatements
  | UnknownApiError

/**
 * Every error a BankConnect call can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type BankConnectError = ApiError | TransportError | InvalidResponse | InvalidArgument

/**
 * The schema of every error, to encode one as JSON or decode it back.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BankConnectError: Schema.Union<[
  typeof SessionNotFound,
  typeof ProcessingNotRequested,
  typeof SessionDeleted,
  typeof AccessDenied,
  typeof ProcessingNotCompleted,
  typeof DuplicateProcessingRequest,
  typeof UnparsableStatements,
  typeof UnknownApiError,
  typeof TransportError,
  typeof InvalidResponse,
  typeof InvalidArgument
]> = Schema.Union(
  SessionNotFound,
  ProcessingNotRequested,
  SessionDeleted,
  AccessDenied,
  ProcessingNotCompleted,
  DuplicateProcessingRequest,
  UnparsableStatements,
  UnknownApiError,
  TransportError,
  InvalidResponse,
  InvalidArgument
)

/**
 * The API error codes this library knows, with the error class each one becomes and the
 * HTTP status the API documents for it.
 *
 * @since 0.1.0
 * @category constants
 */
export const codes = {
  SESSION_NOT_FOUND: { error: SessionNotFound, status: 404 },
  PROCESSING_NOT_REQUESTED: { error: ProcessingNotRequested, status: 400 },
  SESSION_DELETED: { error: SessionDeleted, status: 410 },
  ACCESS_DENIED: { error: AccessDenied, status: 403 },
  PROCESSING_NOT_COMPLETED: { error: ProcessingNotCompleted, status: 400 },
  DUPLICATE_PROCESSING_REQUEST: { error: DuplicateProcessingRequest, status: 409 },
  UNPARSABLE_STATEMENTS: { error: UnparsableStatements, status: 400 }
} as const

/**
 * An API error code this library knows.
 *
 * @since 0.1.0
 * @category models
 */
export type KnownCode = keyof typeof codes

const apiErrorTags: ReadonlySet<string> = new Set([
  ...Object.values(codes).map(({ error }) => error._tag),
  UnknownApiError._tag
])

/**
 * Whether a value is one of the errors that carry an API error code.
 *
 * @since 0.1.0
 * @category guards
 */
export const isApiError = (u: unknown): u is ApiError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && apiErrorTags.has(u._tag)

/**
 * Whether an error is worth another try later: a network failure or timeout, or an answer
 * with a transient status (408, 429, 500, 502, 503, 504) and no API error code of its own.
 * API error codes, `Misconfigured` transport errors, invalid responses (redirects and
 * oversized bodies included) and invalid arguments are not. The client's own retries and
 * `watchProgress`'s `maxFailedPolls` decide with this same function.
 *
 * @example
 * ```ts
 * import { BankConnectError } from "@effect-bankconnect/client"
 *
 * const timeout = new BankConnectError.TransportError({
 *   reason: "Timeout",
 *   message: "GET https://example.test timed out after 10s",
 *   method: "GET",
 *   url: "https://example.test"
 * })
 * const notFound = new BankConnectError.SessionNotFound({ code: "SESSION_NOT_FOUND", message: "no such session", status: 404 })
 *
 * assert.strictEqual(BankConnectError.isRetryable(timeout), true)
 * assert.strictEqual(BankConnectError.isRetryable(notFound), false)
 * assert.strictEqual(notFound._tag, "SessionNotFound")
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: BankConnectError): boolean => Transience.isTransient(error)
