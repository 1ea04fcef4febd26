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
 * `KEY_REQUIRED` (HTTP 400): a valid session id is required (newer revisions of the upload status call).
 *
 * @since 0.3.0
 * @category api errors
 */
export class KeyRequired extends Schema.TaggedError<KeyRequired>()("KeyRequired", apiErrorFields) {}

/**
 * `INVALID_DATE_FORMAT` (HTTP 400): a date is not `DD/MM/YYYY` (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidDateFormat extends Schema.TaggedError<InvalidDateFormat>()("InvalidDateFormat", apiErrorFields) {}

/**
 * `INVALID_DATE_RANGE` (HTTP 400): the date range is reversed, in the future or too long (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidDateRange extends Schema.TaggedError<InvalidDateRange>()("InvalidDateRange", apiErrorFields) {}

/**
 * `MISSING_DATE_FIELD` (HTTP 400): one of `from_date` / `to_date` was given without the other (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class MissingDateField extends Schema.TaggedError<MissingDateField>()("MissingDateField", apiErrorFields) {}

/**
 * `INVALID_BANK_NAME` (HTTP 400): the bank is not one of BankConnect's bank ids (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidBankName extends Schema.TaggedError<InvalidBankName>()("InvalidBankName", apiErrorFields) {}

/**
 * `MISSING_BANK_NAME` (HTTP 400): the mode needs a bank and none was given (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class MissingBankName extends Schema.TaggedError<MissingBankName>()("MissingBankName", apiErrorFields) {}

/**
 * `MODE_NOT_AVAILABLE` (HTTP 400): the mode is not available for the bank (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class ModeNotAvailable extends Schema.TaggedError<ModeNotAvailable>()("ModeNotAvailable", apiErrorFields) {}

/**
 * `MODE_NOT_ENABLED` (HTTP 403): the mode is not enabled for the API key (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class ModeNotEnabled extends Schema.TaggedError<ModeNotEnabled>()("ModeNotEnabled", apiErrorFields) {}

/**
 * `INVALID_MOBILE_NUMBER` (HTTP 400): the mobile number is not valid (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidMobileNumber
  extends Schema.TaggedError<InvalidMobileNumber>()("InvalidMobileNumber", apiErrorFields)
{}

/**
 * `INVALID_SESSION_EXPIRY` (HTTP 400): `session_expiry` is outside 5 to 43,200 minutes (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidSessionExpiry
  extends Schema.TaggedError<InvalidSessionExpiry>()("InvalidSessionExpiry", apiErrorFields)
{}

/**
 * `INVALID_URL` (HTTP 400): `redirect_url` is not a valid URL (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", apiErrorFields) {}

/**
 * `INVALID_LENGTH` (HTTP 400): a field is longer than the API allows, such as a `link_id` over 500 characters (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidLength extends Schema.TaggedError<InvalidLength>()("InvalidLength", apiErrorFields) {}

/**
 * `INVALID_PARAMETER_COUNT` (HTTP 400): too many or too few parameters (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidParameterCount
  extends Schema.TaggedError<InvalidParameterCount>()("InvalidParameterCount", apiErrorFields)
{}

/**
 * `INVALID_REQUEST` (HTTP 400): a field failed validation; the message reads `<field>, <validation text>` (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", apiErrorFields) {}

/**
 * `AUTHENTICATION_CREDENTIALS_NOT_PROVIDED` (HTTP 401): no API key was sent (session creation).
 *
 * @since 0.3.0
 * @category api errors
 */
export class AuthenticationCredentialsNotProvided extends Schema.TaggedError<AuthenticationCredentialsNotProvided>()(
  "AuthenticationCredentialsNotProvided",
  apiErrorFields
) {}

/**
 * `PAYMENT_REQUIRED` (HTTP 402): the account behind the API key has no credit (session creation); also a 402 without a code.
 *
 * @since 0.3.0
 * @category api errors
 */
export class PaymentRequired extends Schema.TaggedError<PaymentRequired>()("PaymentRequired", apiErrorFields) {}

/**
 * `UNSUPPORTED_MEDIA_TYPE` (HTTP 415): the body's content type was refused; BankConnect sends no code for it, so the code is this library's own.
 *
 * @since 0.3.0
 * @category api errors
 */
export class UnsupportedMediaType
  extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", apiErrorFields)
{}

/**
 * `SESSION_EXPIRED` (HTTP 400): the session expired before the upload (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class SessionExpired extends Schema.TaggedError<SessionExpired>()("SessionExpired", apiErrorFields) {}

/**
 * `TRIAL_PERIOD_EXPIRED` (HTTP 402): the API key's trial period is over (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class TrialPeriodExpired
  extends Schema.TaggedError<TrialPeriodExpired>()("TrialPeriodExpired", apiErrorFields)
{}

/**
 * `INVALID_API_KEY` (HTTP 403): the API key is wrong, or the route is not allowed for it (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidApiKey extends Schema.TaggedError<InvalidApiKey>()("InvalidApiKey", apiErrorFields) {}

/**
 * `MISSING_FILE_OBJECT` (HTTP 400): neither a file nor a file URL was sent (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class MissingFileObject extends Schema.TaggedError<MissingFileObject>()("MissingFileObject", apiErrorFields) {}

/**
 * `INVALID_FILE_OBJECT` (HTTP 400): the file is not a PDF (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidFileObject extends Schema.TaggedError<InvalidFileObject>()("InvalidFileObject", apiErrorFields) {}

/**
 * `EMPTY_FILE` (HTTP 400): the file is empty (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class EmptyFile extends Schema.TaggedError<EmptyFile>()("EmptyFile", apiErrorFields) {}

/**
 * `INVALID_FILE_URL` (HTTP 400): the file URL could not be fetched (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidFileUrl extends Schema.TaggedError<InvalidFileUrl>()("InvalidFileUrl", apiErrorFields) {}

/**
 * `INVALID_BASE_64` (HTTP 400): the base64 upload does not decode (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidBase64 extends Schema.TaggedError<InvalidBase64>()("InvalidBase64", apiErrorFields) {}

/**
 * `PASSWORD_INCORRECT` (HTTP 400): the PDF's password is missing or wrong (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class PasswordIncorrect extends Schema.TaggedError<PasswordIncorrect>()("PasswordIncorrect", apiErrorFields) {}

/**
 * `PDF_IS_IMAGE` (HTTP 400): the PDF is a scanned image, not supported (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class PdfIsImage extends Schema.TaggedError<PdfIsImage>()("PdfIsImage", apiErrorFields) {}

/**
 * `STATEMENT_UNSUPPORTED_FORMAT` (HTTP 400): the statement's format is not supported (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class StatementUnsupportedFormat
  extends Schema.TaggedError<StatementUnsupportedFormat>()("StatementUnsupportedFormat", apiErrorFields)
{}

/**
 * `STATEMENT_DUPLICATE` (HTTP 400): the same statement was uploaded before (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class StatementDuplicate
  extends Schema.TaggedError<StatementDuplicate>()("StatementDuplicate", apiErrorFields)
{}

/**
 * `OUT_OF_DATE_RANGE` (HTTP 400): the statement lies outside the session's date range (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class OutOfDateRange extends Schema.TaggedError<OutOfDateRange>()("OutOfDateRange", apiErrorFields) {}

/**
 * `BANK_NAME_UNDETECTED` (HTTP 400): the bank could not be identified from the statement (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class BankNameUndetected
  extends Schema.TaggedError<BankNameUndetected>()("BankNameUndetected", apiErrorFields)
{}

/**
 * `BANK_NAME_MISMATCH` (HTTP 400): the statement's bank is not the bank given (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class BankNameMismatch extends Schema.TaggedError<BankNameMismatch>()("BankNameMismatch", apiErrorFields) {}

/**
 * `INVALID_ACCOUNT_CATEGORY` (HTTP 400): the account category is not supported (statement upload).
 *
 * @since 0.3.0
 * @category api errors
 */
export class InvalidAccountCategory
  extends Schema.TaggedError<InvalidAccountCategory>()("InvalidAccountCategory", apiErrorFields)
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
 * A report or PDF link is past its lifetime: its `X-Amz-Date` plus `X-Amz-Expires` passed
 * before the download (nothing was sent), or the storage answered 403 (`status`). Links
 * are minted per call: call insights (or get_pdfs) again for a fresh one.
 *
 * @since 0.3.0
 * @category transport errors
 */
export class ReportLinkExpired extends Schema.TaggedError<ReportLinkExpired>()("ReportLinkExpired", {
  /** What happened, for people; never the link's query, which is a credential. */
  message: Schema.String,
  /** The link's origin and path, without its query. */
  url: Schema.String,
  /** When the link expired, when it says. */
  expiredAt: Schema.optional(Schema.DateFromNumber),
  /** The storage's answer, when it answered. */
  status: Schema.optional(Schema.Number)
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
  | KeyRequired
  | InvalidDateFormat
  | InvalidDateRange
  | MissingDateField
  | InvalidBankName
  | MissingBankName
  | ModeNotAvailable
  | ModeNotEnabled
  | InvalidMobileNumber
  | InvalidSessionExpiry
  | InvalidUrl
  | InvalidLength
  | InvalidParameterCount
  | InvalidRequest
  | AuthenticationCredentialsNotProvided
  | PaymentRequired
  | UnsupportedMediaType
  | SessionExpired
  | TrialPeriodExpired
  | InvalidApiKey
  | MissingFileObject
  | InvalidFileObject
  | EmptyFile
  | InvalidFileUrl
  | InvalidBase64
  | PasswordIncorrect
  | PdfIsImage
  | StatementUnsupportedFormat
  | StatementDuplicate
  | OutOfDateRange
  | BankNameUndetected
  | BankNameMismatch
  | InvalidAccountCategory
  | UnknownApiError

/**
 * Every error a BankConnect call can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type BankConnectError = ApiError | TransportError | InvalidResponse | InvalidArgument | ReportLinkExpired

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
  typeof KeyRequired,
  typeof InvalidDateFormat,
  typeof InvalidDateRange,
  typeof MissingDateField,
  typeof InvalidBankName,
  typeof MissingBankName,
  typeof ModeNotAvailable,
  typeof ModeNotEnabled,
  typeof InvalidMobileNumber,
  typeof InvalidSessionExpiry,
  typeof InvalidUrl,
  typeof InvalidLength,
  typeof InvalidParameterCount,
  typeof InvalidRequest,
  typeof AuthenticationCredentialsNotProvided,
  typeof PaymentRequired,
  typeof UnsupportedMediaType,
  typeof SessionExpired,
  typeof TrialPeriodExpired,
  typeof InvalidApiKey,
  typeof MissingFileObject,
  typeof InvalidFileObject,
  typeof EmptyFile,
  typeof InvalidFileUrl,
  typeof InvalidBase64,
  typeof PasswordIncorrect,
  typeof PdfIsImage,
  typeof StatementUnsupportedFormat,
  typeof StatementDuplicate,
  typeof OutOfDateRange,
  typeof BankNameUndetected,
  typeof BankNameMismatch,
  typeof InvalidAccountCategory,
  typeof UnknownApiError,
  typeof TransportError,
  typeof InvalidResponse,
  typeof InvalidArgument,
  typeof ReportLinkExpired
]> = Schema.Union(
  SessionNotFound,
  ProcessingNotRequested,
  SessionDeleted,
  AccessDenied,
  ProcessingNotCompleted,
  DuplicateProcessingRequest,
  UnparsableStatements,
  KeyRequired,
  InvalidDateFormat,
  InvalidDateRange,
  MissingDateField,
  InvalidBankName,
  MissingBankName,
  ModeNotAvailable,
  ModeNotEnabled,
  InvalidMobileNumber,
  InvalidSessionExpiry,
  InvalidUrl,
  InvalidLength,
  InvalidParameterCount,
  InvalidRequest,
  AuthenticationCredentialsNotProvided,
  PaymentRequired,
  UnsupportedMediaType,
  SessionExpired,
  TrialPeriodExpired,
  InvalidApiKey,
  MissingFileObject,
  InvalidFileObject,
  EmptyFile,
  InvalidFileUrl,
  InvalidBase64,
  PasswordIncorrect,
  PdfIsImage,
  StatementUnsupportedFormat,
  StatementDuplicate,
  OutOfDateRange,
  BankNameUndetected,
  BankNameMismatch,
  InvalidAccountCategory,
  UnknownApiError,
  TransportError,
  InvalidResponse,
  InvalidArgument,
  ReportLinkExpired
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
  UNPARSABLE_STATEMENTS: { error: UnparsableStatements, status: 400 },
  KEY_REQUIRED: { error: KeyRequired, status: 400 },
  INVALID_DATE_FORMAT: { error: InvalidDateFormat, status: 400 },
  INVALID_DATE_RANGE: { error: InvalidDateRange, status: 400 },
  MISSING_DATE_FIELD: { error: MissingDateField, status: 400 },
  INVALID_BANK_NAME: { error: InvalidBankName, status: 400 },
  MISSING_BANK_NAME: { error: MissingBankName, status: 400 },
  MODE_NOT_AVAILABLE: { error: ModeNotAvailable, status: 400 },
  MODE_NOT_ENABLED: { error: ModeNotEnabled, status: 403 },
  INVALID_MOBILE_NUMBER: { error: InvalidMobileNumber, status: 400 },
  INVALID_SESSION_EXPIRY: { error: InvalidSessionExpiry, status: 400 },
  INVALID_URL: { error: InvalidUrl, status: 400 },
  INVALID_LENGTH: { error: InvalidLength, status: 400 },
  INVALID_PARAMETER_COUNT: { error: InvalidParameterCount, status: 400 },
  INVALID_REQUEST: { error: InvalidRequest, status: 400 },
  AUTHENTICATION_CREDENTIALS_NOT_PROVIDED: { error: AuthenticationCredentialsNotProvided, status: 401 },
  PAYMENT_REQUIRED: { error: PaymentRequired, status: 402 },
  UNSUPPORTED_MEDIA_TYPE: { error: UnsupportedMediaType, status: 415 },
  SESSION_EXPIRED: { error: SessionExpired, status: 400 },
  TRIAL_PERIOD_EXPIRED: { error: TrialPeriodExpired, status: 402 },
  INVALID_API_KEY: { error: InvalidApiKey, status: 403 },
  MISSING_FILE_OBJECT: { error: MissingFileObject, status: 400 },
  INVALID_FILE_OBJECT: { error: InvalidFileObject, status: 400 },
  EMPTY_FILE: { error: EmptyFile, status: 400 },
  INVALID_FILE_URL: { error: InvalidFileUrl, status: 400 },
  INVALID_BASE_64: { error: InvalidBase64, status: 400 },
  PASSWORD_INCORRECT: { error: PasswordIncorrect, status: 400 },
  PDF_IS_IMAGE: { error: PdfIsImage, status: 400 },
  STATEMENT_UNSUPPORTED_FORMAT: { error: StatementUnsupportedFormat, status: 400 },
  STATEMENT_DUPLICATE: { error: StatementDuplicate, status: 400 },
  OUT_OF_DATE_RANGE: { error: OutOfDateRange, status: 400 },
  BANK_NAME_UNDETECTED: { error: BankNameUndetected, status: 400 },
  BANK_NAME_MISMATCH: { error: BankNameMismatch, status: 400 },
  INVALID_ACCOUNT_CATEGORY: { error: InvalidAccountCategory, status: 400 }
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
