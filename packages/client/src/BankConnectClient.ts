/**
 * The BankConnect client: every call of a session's life as an Effect (create, upload,
 * upload status, initiate processing, progress, session status, insights, PDFs, delete,
 * the bank catalogue and webhook registration), the progress and the upload status as
 * `Stream`s that end when they are final, and report downloads.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as BankCatalogue from "./BankCatalogue.js"
import * as BankConnectError from "./BankConnectError.js"
import * as Insights from "./Insights.js"
import * as ApiCall from "./internal/apiCall.js"
import * as InFlight from "./internal/inFlight.js"
import * as Multipart from "./internal/multipart.js"
import * as ParseIssues from "./internal/parseIssues.js"
import * as PollStream from "./internal/pollStream.js"
import * as Reports from "./internal/reports.js"
import * as Secrets from "./internal/secrets.js"
import * as Validate from "./internal/validate.js"
import * as Pdfs from "./Pdfs.js"
import * as Progress from "./Progress.js"
import * as SessionSetup from "./SessionSetup.js"
import * as SessionStatus from "./SessionStatus.js"
import * as UploadStatus from "./UploadStatus.js"

/**
 * The errors of a progress call.
 *
 * @since 0.1.0
 * @category errors
 */
export type ProgressError =
  | BankConnectError.SessionNotFound
  | BankConnectError.ProcessingNotRequested
  | BankConnectError.SessionDeleted
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a webhook registration.
 *
 * @since 0.1.0
 * @category errors
 */
export type UpdateWebhookError =
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a session status call.
 *
 * @since 0.3.0
 * @category errors
 */
export type SessionStatusError =
  | BankConnectError.SessionNotFound
  | BankConnectError.ProcessingNotRequested
  | BankConnectError.ProcessingNotCompleted
  | BankConnectError.SessionDeleted
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of an insights call: those of the session status call.
 *
 * @since 0.3.0
 * @category errors
 */
export type InsightsError = SessionStatusError

/**
 * The errors of a PDFs call: those of the session status call.
 *
 * @since 0.3.0
 * @category errors
 */
export type PdfsError = SessionStatusError

/**
 * The errors of an upload status call.
 *
 * @since 0.3.0
 * @category errors
 */
export type UploadStatusError =
  | BankConnectError.SessionNotFound
  | BankConnectError.SessionDeleted
  | BankConnectError.AccessDenied
  | BankConnectError.KeyRequired
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of an initiate processing call. `DuplicateProcessingRequest` is not among them
 * when {@link InitiateOptions.duplicateIsSuccess} is set.
 *
 * @since 0.3.0
 * @category errors
 */
export type InitiateProcessingError =
  | BankConnectError.SessionNotFound
  | BankConnectError.DuplicateProcessingRequest
  | BankConnectError.UnparsableStatements
  | BankConnectError.SessionDeleted
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a delete call. `SessionDeleted` is not among them when
 * {@link DeleteOptions.deletedIsSuccess} is set.
 *
 * @since 0.3.0
 * @category errors
 */
export type DeleteSessionError =
  | BankConnectError.SessionNotFound
  | BankConnectError.SessionDeleted
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a report download: the link expired (by its own `X-Amz-Expires`, or the
 * storage answered 403), another answer than 2xx (`UnknownApiError` with `HTTP_<status>`),
 * the transport, a body over `maxReportBytes`, or a link that is not https.
 *
 * @since 0.3.0
 * @category errors
 */
export type ReportError =
  | BankConnectError.ReportLinkExpired
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a session creation: each code the create-session call documents, a 402
 * and a 415 without a code included.
 *
 * @since 0.3.0
 * @category errors
 */
export type CreateSessionError =
  | BankConnectError.InvalidDateFormat
  | BankConnectError.InvalidDateRange
  | BankConnectError.MissingDateField
  | BankConnectError.InvalidBankName
  | BankConnectError.MissingBankName
  | BankConnectError.ModeNotAvailable
  | BankConnectError.ModeNotEnabled
  | BankConnectError.InvalidMobileNumber
  | BankConnectError.InvalidSessionExpiry
  | BankConnectError.InvalidUrl
  | BankConnectError.InvalidLength
  | BankConnectError.InvalidParameterCount
  | BankConnectError.InvalidRequest
  | BankConnectError.AuthenticationCredentialsNotProvided
  | BankConnectError.AccessDenied
  | BankConnectError.PaymentRequired
  | BankConnectError.UnsupportedMediaType
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a statement upload: each code the upload call documents.
 *
 * @since 0.3.0
 * @category errors
 */
export type UploadStatementError =
  | BankConnectError.SessionNotFound
  | BankConnectError.SessionExpired
  | BankConnectError.TrialPeriodExpired
  | BankConnectError.InvalidApiKey
  | BankConnectError.AccessDenied
  | BankConnectError.MissingFileObject
  | BankConnectError.InvalidFileObject
  | BankConnectError.EmptyFile
  | BankConnectError.InvalidFileUrl
  | BankConnectError.InvalidBase64
  | BankConnectError.PasswordIncorrect
  | BankConnectError.PdfIsImage
  | BankConnectError.StatementUnsupportedFormat
  | BankConnectError.StatementDuplicate
  | BankConnectError.OutOfDateRange
  | BankConnectError.BankNameUndetected
  | BankConnectError.BankNameMismatch
  | BankConnectError.InvalidAccountCategory
  | BankConnectError.UnsupportedMediaType
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * The errors of a bank catalogue call.
 *
 * @since 0.3.0
 * @category errors
 */
export type BankCatalogueError =
  | BankConnectError.AccessDenied
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse

/**
 * How {@link Service.initiateProcessing} treats a repeated request.
 *
 * @since 0.3.0
 * @category models
 */
export interface InitiateOptions {
  /**
   * `true`: a `DUPLICATE_PROCESSING_REQUEST` answer (processing was already requested)
   * succeeds with `alreadyRequested: true`, for callers that may send the request twice.
   * Default `false`: it fails with `DuplicateProcessingRequest`.
   */
  readonly duplicateIsSuccess?: boolean | undefined
}

/**
 * What {@link Service.initiateProcessing} returns.
 *
 * @since 0.3.0
 * @category models
 */
export interface Initiated {
  readonly sessionId: string
  /** `true` when processing had been requested before (with `duplicateIsSuccess` only). */
  readonly alreadyRequested: boolean
}

/**
 * How {@link Service.deleteSession} treats a session deleted before.
 *
 * @since 0.3.0
 * @category models
 */
export interface DeleteOptions {
  /**
   * `true`: a `SESSION_DELETED` answer (deleted before) succeeds with
   * `alreadyDeleted: true`. Default `false`: it fails with `SessionDeleted`.
   */
  readonly deletedIsSuccess?: boolean | undefined
}

/**
 * What {@link Service.deleteSession} returns.
 *
 * @since 0.3.0
 * @category models
 */
export interface Deleted {
  readonly sessionId: string
  /** `true` when the session had been deleted before (with `deletedIsSuccess` only). */
  readonly alreadyDeleted: boolean
}

/**
 * What to register with {@link Service.updateWebhook}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateWebhookOptions {
  /** The absolute http(s) URL BankConnect will POST its events to. */
  readonly webhookUrl: string
  /**
   * `1` (the default): notify for every session, manual PDF uploads included.
   * `0`: net-banking sessions only.
   */
  readonly webhookMode?: 0 | 1 | undefined
}

/**
 * How often to poll.
 *
 * @since 0.1.0
 * @category models
 */
export interface WatchOptions {
  /** The pause between the end of one poll and the start of the next. Default `"2 seconds"`. */
  readonly interval?: Duration.DurationInput | undefined
  /**
   * How many polls in a row may fail with a transient error (after each one's own retries)
   * before the stream fails; a failed poll is skipped and the next interval polls again.
   * Default 5. The known API error codes fail the stream at once.
   */
  readonly maxFailedPolls?: number | undefined
}

/**
 * The client's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * One progress snapshot: `GET {baseUrl}/{version}/session_data/{sessionId}/progress/`.
   * Transient failures are retried per the client's retry policy.
   */
  readonly getProgress: (sessionId: string) => Effect.Effect<Progress.SessionProgress, ProgressError>
  /**
   * Registers the URL BankConnect posts its webhooks to (one per API key):
   * `POST {baseUrl}/{version}/session_data/update_webhook/`. A URL that is not absolute
   * http(s) fails with `InvalidArgument` before anything is sent.
   */
  readonly updateWebhook: (options: UpdateWebhookOptions) => Effect.Effect<void, UpdateWebhookError>
  /**
   * Every progress snapshot of a session: the first request at once, then one after each
   * `interval` (`Schedule.spaced`). The stream ends right after the first snapshot whose
   * `session_progress` is `"completed"`; no request is sent after that, nor once the
   * consumer stops or is interrupted (an in-flight request is aborted). A transient
   * failure is retried inside the poll; a poll whose transient failure outlasts those
   * retries is skipped, and `maxFailedPolls` such polls in a row fail the stream. An API
   * error code fails it at once. Compose `Stream.retry`, `Stream.timeout`, ... as needed.
   */
  readonly watchProgress: (
    sessionId: string,
    options?: WatchOptions
  ) => Stream.Stream<Progress.SessionProgress, ProgressError>
  /** Polls as {@link Service.watchProgress} does and returns the completed snapshot. */
  readonly awaitCompletion: (
    sessionId: string,
    options?: WatchOptions
  ) => Effect.Effect<Progress.SessionProgress, ProgressError>
  /**
   * Asks BankConnect to process the session's uploads:
   * `POST {baseUrl}/{version}/session_data/{sessionId}/initiate_processing/` (202). The
   * session is then closed to uploads. Not retried after an answer: a retry could only
   * meet `DUPLICATE_PROCESSING_REQUEST` (400 in the newer docs, 409 in the older).
   */
  readonly initiateProcessing: {
    (sessionId: string, options: InitiateOptions & { readonly duplicateIsSuccess: true }): Effect.Effect<
      Initiated,
      Exclude<InitiateProcessingError, BankConnectError.DuplicateProcessingRequest>
    >
    (sessionId: string, options?: InitiateOptions): Effect.Effect<Initiated, InitiateProcessingError>
  }
  /**
   * Each account's outcome once processing completed, with its typed failure, and each
   * statement's: `GET {baseUrl}/{version}/session_data/{sessionId}/session_status/`. Fails
   * with `ProcessingNotRequested` before `initiateProcessing` and `ProcessingNotCompleted`
   * while processing runs.
   */
  readonly getSessionStatus: (sessionId: string) => Effect.Effect<SessionStatus.SessionStatus, SessionStatusError>
  /**
   * The upload phase: `GET {baseUrl}/{version}/session_data/{sessionId}/session_upload_status/`.
   */
  readonly getUploadStatus: (sessionId: string) => Effect.Effect<UploadStatus.UploadStatus, UploadStatusError>
  /**
   * Every upload status of a session, polled as {@link Service.watchProgress} polls the
   * progress, ending right after the first that is final (`COMPLETED` or `EXPIRED`, see
   * `UploadStatus.isFinal`).
   */
  readonly watchUploadStatus: (
    sessionId: string,
    options?: WatchOptions
  ) => Stream.Stream<UploadStatus.UploadStatus, UploadStatusError>
  /**
   * The underwriting data: `GET {baseUrl}/{version}/session_data/{sessionId}/insights/`.
   * Bodies of several MiB are read up to `maxResponseBytes.getInsights` (64 MiB) within
   * `transferTimeout`, and decoded in slices that yield to other fibers (see `Insights`).
   * Report links in the answer expire about an hour after the call: download them with
   * {@link Service.downloadReport} soon, and never store them.
   */
  readonly getInsights: (sessionId: string) => Effect.Effect<Insights.Insights, InsightsError>
  /**
   * The uploaded statements' PDFs, with links valid for an hour:
   * `GET {baseUrl}/{version}/session_data/{sessionId}/get_pdfs/`.
   */
  readonly getPdfs: (sessionId: string) => Effect.Effect<Pdfs.Pdfs, PdfsError>
  /**
   * Deletes the session's data: `DELETE {baseUrl}/{version}/session_data/{sessionId}/delete/`.
   * Any 2xx is success; later calls on the session answer `SESSION_DELETED`.
   */
  readonly deleteSession: {
    (sessionId: string, options: DeleteOptions & { readonly deletedIsSuccess: true }): Effect.Effect<
      Deleted,
      Exclude<DeleteSessionError, BankConnectError.SessionDeleted>
    >
    (sessionId: string, options?: DeleteOptions): Effect.Effect<Deleted, DeleteSessionError>
  }
  /**
   * The bytes of a report or PDF link (`Insights.reportLinks`' or `getPdfs`' `Redacted` links,
   * or a plain string), streamed
   * as they arrive, up to `maxReportBytes`. No credential is sent (the link is pre-signed);
   * a link past its `X-Amz-Expires` fails with `ReportLinkExpired` before any request.
   * Only https links are followed (http too when the client's base URL is http, as with
   * the simulator), and no redirect.
   */
  readonly downloadReport: (url: string | Redacted.Redacted<string>) => Stream.Stream<Uint8Array, ReportError>
  /**
   * Creates a session: `POST {baseUrl}/v1/session/`, or `/v2/session/` when the options
   * use v2's fields (`aaJourneyCode`, `consents`). Dates go as `DD/MM/YYYY`; options the API
   * would refuse fail with `InvalidArgument` before anything is sent. The API key is sent in
   * the body and as `x-api-key`, as the docs show both. Not retried: a retry after a lost
   * answer would create a second session.
   */
  readonly createSession: (
    options: SessionSetup.CreateSessionOptions
  ) => Effect.Effect<SessionSetup.CreatedSession, CreateSessionError>
  /**
   * Uploads a PDF statement, server to server: `POST {baseUrl}/{version}/statement/upload_session/`
   * as `multipart/form-data`, the file streamed from a path, bytes or a stream (never read
   * whole), or given as a `fileUrl`. Not retried once sent: an upload is not idempotent.
   */
  readonly uploadStatement: (
    options: SessionSetup.UploadOptions
  ) => Effect.Effect<SessionSetup.UploadedStatement, UploadStatementError>
  /** The banks BankConnect supports, and how: `GET {baseUrl}/{version}/banks/catalogue/`. */
  readonly getBankCatalogue: () => Effect.Effect<BankCatalogue.BankCatalogue, BankCatalogueError>
}

/**
 * The BankConnect client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class BankConnectClient extends Context.Tag("@effect-bankconnect/client/BankConnectClient")<
  BankConnectClient,
  Service
>() {}

/**
 * How transient failures (connection errors, request timeouts, HTTP 408, 429, 500, 502,
 * 503 and 504 without a known API error code) are retried. The known API error codes are
 * never retried, whatever the status.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Retries after the first attempt; `0` disables retrying. Default `3`. */
  readonly times?: number | undefined
  /** The first backoff; each next one doubles, with jitter. Default `"250 millis"`. */
  readonly base?: Duration.DurationInput | undefined
  /** The longest backoff. Default `"5 seconds"`. */
  readonly max?: Duration.DurationInput | undefined
  /** The longest `Retry-After` honoured; a longer one is cut to this. Default `"30 seconds"`. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/**
 * The largest response body read from each endpoint, in bytes, success and error bodies
 * alike. Bytes are counted as they arrive (after decompression); past the limit the rest
 * is not read, and the call fails with `InvalidResponse` (`reason: "TooLarge"`), not
 * retried.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResponseLimits {
  /**
   * Default 1 MiB: a snapshot of 100 statements is about 25 KB, and one of
   * `Progress.maxStatements` (1,000) about 250 KB.
   */
  readonly getProgress?: number | undefined
  /** Default 64 KiB. */
  readonly updateWebhook?: number | undefined
  /** Default 64 KiB. */
  readonly initiateProcessing?: number | undefined
  /** Default 4 MiB. */
  readonly getSessionStatus?: number | undefined
  /** Default 4 MiB. */
  readonly getUploadStatus?: number | undefined
  /**
   * Default 64 MiB: a year of a busy account is 2 to 10 MB, and a session may hold several
   * accounts.
   */
  readonly getInsights?: number | undefined
  /** Default 4 MiB. */
  readonly getPdfs?: number | undefined
  /** Default 64 KiB. */
  readonly deleteSession?: number | undefined
  /** Default 64 KiB. */
  readonly createSession?: number | undefined
  /** Default 1 MiB. */
  readonly uploadStatement?: number | undefined
  /** Default 4 MiB. */
  readonly getBankCatalogue?: number | undefined
}

/**
 * The default {@link ResponseLimits}.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultResponseLimits: Required<{ readonly [K in keyof ResponseLimits]: number }> = {
  getProgress: 1024 * 1024,
  updateWebhook: 64 * 1024,
  initiateProcessing: 64 * 1024,
  getSessionStatus: 4 * 1024 * 1024,
  getUploadStatus: 4 * 1024 * 1024,
  getInsights: 64 * 1024 * 1024,
  getPdfs: 4 * 1024 * 1024,
  deleteSession: 64 * 1024,
  createSession: 64 * 1024,
  uploadStatement: 1024 * 1024,
  getBankCatalogue: 4 * 1024 * 1024
}

/**
 * The client's settings.
 *
 * Credentials must be at least 8 characters long (shorter ones cannot be scrubbed from
 * messages safely). Redirects are never followed, on any transport: over `FetchHttpClient`
 * every request goes with `redirect: "manual"`, merged into the `FetchHttpClient.RequestInit`
 * found in the context of the call or of the client's construction (one given only to the
 * `FetchHttpClient` layer is not seen: give it to the client's layer too).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key, sent as `x-api-key`; at least 8 characters. */
  readonly apiKey: Redacted.Redacted<string>
  /** The server hash, sent as `server-hash`; at least 8 characters. */
  readonly serverHash: Redacted.Redacted<string>
  /** Default `"https://apis.bankconnect.finbox.in/bank-connect"`. */
  readonly baseUrl?: string | undefined
  /** The API version path segment. Default `"v1"`. */
  readonly version?: string | undefined
  /** How long one attempt may take, reading the body included. Default `"10 seconds"`. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How transient failures are retried. */
  readonly retry?: RetryOptions | undefined
  /**
   * At most this many requests of this client in flight at once; the others wait their
   * turn (the wait does not count against `timeout`). Watches started together all send
   * their first request at once: with thousands of them, a bound of a few dozen spreads the
   * burst and the polls that follow it. Default: no bound.
   */
  readonly maxRequestsInFlight?: number | undefined
  /** The largest body read from each endpoint; see {@link ResponseLimits}. */
  readonly maxResponseBytes?: ResponseLimits | undefined
  /**
   * How long one attempt of a call that moves a large body may take: insights, statement
   * uploads and report downloads (the whole download). Default `"2 minutes"`.
   */
  readonly transferTimeout?: Duration.DurationInput | undefined
  /** The largest report or PDF {@link Service.downloadReport} streams. Default 256 MiB. */
  readonly maxReportBytes?: number | undefined
}

/**
 * The production base URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://apis.bankconnect.finbox.in/bank-connect"

const progressCodes = [
  "SESSION_NOT_FOUND",
  "PROCESSING_NOT_REQUESTED",
  "SESSION_DELETED",
  "ACCESS_DENIED"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const updateWebhookCodes = ["ACCESS_DENIED"] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const sessionDataCodes = [
  "SESSION_NOT_FOUND",
  "PROCESSING_NOT_REQUESTED",
  "PROCESSING_NOT_COMPLETED",
  "SESSION_DELETED",
  "ACCESS_DENIED"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const uploadStatusCodes = [
  "SESSION_NOT_FOUND",
  "SESSION_DELETED",
  "ACCESS_DENIED",
  "KEY_REQUIRED"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const initiateCodes = [
  "SESSION_NOT_FOUND",
  "DUPLICATE_PROCESSING_REQUEST",
  "UNPARSABLE_STATEMENTS",
  "SESSION_DELETED",
  "ACCESS_DENIED"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const deleteCodes = [
  "SESSION_NOT_FOUND",
  "SESSION_DELETED",
  "ACCESS_DENIED"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const createCodes = [
  "INVALID_DATE_FORMAT",
  "INVALID_DATE_RANGE",
  "MISSING_DATE_FIELD",
  "INVALID_BANK_NAME",
  "MISSING_BANK_NAME",
  "MODE_NOT_AVAILABLE",
  "MODE_NOT_ENABLED",
  "INVALID_MOBILE_NUMBER",
  "INVALID_SESSION_EXPIRY",
  "INVALID_URL",
  "INVALID_LENGTH",
  "INVALID_PARAMETER_COUNT",
  "INVALID_REQUEST",
  "AUTHENTICATION_CREDENTIALS_NOT_PROVIDED",
  "ACCESS_DENIED",
  "PAYMENT_REQUIRED",
  "UNSUPPORTED_MEDIA_TYPE"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const uploadCodes = [
  "SESSION_NOT_FOUND",
  "SESSION_EXPIRED",
  "TRIAL_PERIOD_EXPIRED",
  "INVALID_API_KEY",
  "ACCESS_DENIED",
  "MISSING_FILE_OBJECT",
  "INVALID_FILE_OBJECT",
  "EMPTY_FILE",
  "INVALID_FILE_URL",
  "INVALID_BASE_64",
  "PASSWORD_INCORRECT",
  "PDF_IS_IMAGE",
  "STATEMENT_UNSUPPORTED_FORMAT",
  "STATEMENT_DUPLICATE",
  "OUT_OF_DATE_RANGE",
  "BANK_NAME_UNDETECTED",
  "BANK_NAME_MISMATCH",
  "INVALID_ACCOUNT_CATEGORY",
  "UNSUPPORTED_MEDIA_TYPE"
] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const catalogueCodes = ["ACCESS_DENIED"] as const satisfies ReadonlyArray<BankConnectError.KnownCode>

const decodeCreated = ApiCall.decodeJson(
  Schema.decodeUnknownEither(SessionSetup.CreatedSession),
  "create session response"
)

const decodeUploaded = ApiCall.decodeJson(
  Schema.decodeUnknownEither(SessionSetup.UploadedStatement),
  "upload response"
)

const decodeCatalogue = ApiCall.decodeJson(
  Schema.decodeUnknownEither(BankCatalogue.BankCatalogue),
  "bank catalogue response"
)

/** A decoded body must be about the session asked for. */
const sameSession = (what: string) => (value: { readonly session_id: string }, answer: ApiCall.Answer) =>
  value.session_id === answer.sessionId
    ? undefined
    : `The ${what} is for session ${JSON.stringify(answer.excerpt(value.session_id, 80))}, not ${
      JSON.stringify(answer.sessionId)
    }`

const decodeSessionStatus = ApiCall.decodeJson(
  Schema.decodeUnknownEither(SessionStatus.SessionStatus),
  "session status response",
  sameSession("session status response")
)

const decodeUploadStatus = ApiCall.decodeJson(
  Schema.decodeUnknownEither(UploadStatus.UploadStatus),
  "upload status response",
  sameSession("upload status response")
)

const decodePdfs = ApiCall.decodeJson(Schema.decodeUnknownEither(Pdfs.Pdfs), "get_pdfs response")

const decodeInitiated = ApiCall.decodeJson(
  Schema.decodeUnknownEither(Schema.Struct({ session_id: Schema.optional(Schema.String) })),
  "initiate_processing response"
)

/**
 * Insights bodies run to megabytes: parsed at once, decoded in slices that yield to other
 * fibers (`Insights.decode`), and checked to be about the session asked for.
 */
const decodeInsights: ApiCall.OnSuccess<Insights.Insights> = (answer) =>
  Effect.flatMap(
    ApiCall.decodeJson(Either.right, "insights response")(answer),
    (json) =>
      Insights.decode(json).pipe(
        Effect.mapError((error) =>
          new BankConnectError.InvalidResponse({
            reason: "Undecodable",
            message: `The insights response does not match the documented shape: ${
              answer.excerpt(ParseIssues.format(error), 1000)
            }`,
            status: answer.status,
            url: answer.url,
            ...(answer.sessionId === undefined ? {} : { sessionId: answer.sessionId })
          })
        ),
        Effect.filterOrFail(
          (insights) => insights.session_id === answer.sessionId,
          (insights) =>
            new BankConnectError.InvalidResponse({
              reason: "OtherSession",
              message: sameSession("insights response")(insights, answer) ?? "",
              status: answer.status,
              url: answer.url,
              ...(answer.sessionId === undefined ? {} : { sessionId: answer.sessionId })
            })
        )
      )
  )

const decodeProgress = ApiCall.decodeJson(
  Progress.decodeEither,
  "progress response",
  (progress, answer) =>
    progress.session_id === answer.sessionId
      ? undefined
      : `The progress response is for session ${JSON.stringify(answer.excerpt(progress.session_id, 80))}, not ${
        JSON.stringify(answer.sessionId)
      }`,
  (json) => {
    const statements = typeof json === "object" && json !== null ? (json as { progress?: unknown }).progress : undefined
    return Array.isArray(statements) && statements.length > Progress.maxStatements
      ? `lists ${statements.length} statements, over ${Progress.maxStatements} (Progress.maxStatements)`
      : undefined
  }
)

/**
 * Builds the client from its settings over the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
  const problem = Validate.clientProblem({
    ...options,
    apiKey: Redacted.value(options.apiKey),
    serverHash: Redacted.value(options.serverHash)
  }, defaultResponseLimits)
  if (problem !== undefined) return yield* Effect.dieMessage(`BankConnectClient: ${problem}`)
  const scrubber = Secrets.make([options.apiKey, options.serverHash])
  const limits = { ...defaultResponseLimits, ...options.maxResponseBytes } as typeof defaultResponseLimits
  const transferTimeout = Duration.decode(options.transferTimeout ?? "2 minutes")
  const httpClient = yield* HttpClient.HttpClient
  const call = ApiCall.make(httpClient, {
    inFlight: options.maxRequestsInFlight === undefined ? undefined : InFlight.make(options.maxRequestsInFlight),
    baseUrl,
    version: options.version ?? "v1",
    apiKey: options.apiKey,
    serverHash: options.serverHash,
    scrubber,
    requestInit: Option.getOrUndefined(yield* Effect.serviceOption(FetchHttpClient.RequestInit)),
    timeout: Duration.decode(options.timeout ?? "10 seconds"),
    retry: {
      times: Math.max(0, Math.floor(options.retry?.times ?? 3)),
      base: Duration.decode(options.retry?.base ?? "250 millis"),
      max: Duration.decode(options.retry?.max ?? "5 seconds"),
      maxRetryAfter: Duration.decode(options.retry?.maxRetryAfter ?? "30 seconds")
    }
  })

  /** A session call: its id checked, then the request sent; the span is the caller's. */
  const sessionCall = <A, K extends BankConnectError.KnownCode>(
    sessionId: string,
    endpoint: (id: string) => Omit<ApiCall.Endpoint<K>, "sessionId">,
    onSuccess: ApiCall.OnSuccess<A>
  ) =>
    Effect.flatMap(Validate.sessionId(sessionId, scrubber), (id) =>
      Effect.zipRight(
        Effect.annotateCurrentSpan("bankconnect.session_id", id),
        call({ ...endpoint(id), sessionId: id }, onSuccess)
      ))

  const sessionPath = (id: string, rest: string) => `/session_data/${encodeURIComponent(id)}/${rest}`

  const getProgress = Effect.fn("BankConnectClient.getProgress")((sessionId: string) =>
    sessionCall(sessionId, (id) => ({
      request: HttpClientRequest.get(sessionPath(id, "progress/")),
      codes: progressCodes,
      maxResponseBytes: limits.getProgress
    }), decodeProgress)
  )

  const updateWebhook = Effect.fn("BankConnectClient.updateWebhook")(function*(webhook: UpdateWebhookOptions) {
    const webhookUrl = yield* Validate.webhookUrl(webhook?.webhookUrl, scrubber)
    const webhookMode = yield* Validate.webhookMode(webhook?.webhookMode ?? 1, scrubber)
    yield* Effect.annotateCurrentSpan("bankconnect.webhook_mode", webhookMode)
    yield* call({
      request: HttpClientRequest.post("/session_data/update_webhook/").pipe(
        HttpClientRequest.bodyUnsafeJson({ webhook_url: webhookUrl, webhook_mode: webhookMode })
      ),
      codes: updateWebhookCodes,
      maxResponseBytes: limits.updateWebhook
    }, ApiCall.ignoreBody)
  })

  /** The session id as it may appear in a span or a log line before it is checked: cut and scrubbed. */
  const shownId = (sessionId: unknown) =>
    typeof sessionId === "string" ? scrubber.excerpt(sessionId, 80) : typeof sessionId

  /** A poll stream of one session (see `internal/pollStream.ts`), its options checked first. */
  const watch = <A, E extends BankConnectError.BankConnectError>(
    poll: (sessionId: string) => Effect.Effect<A, E>,
    isFinal: (value: A) => boolean,
    span: string
  ) =>
  (sessionId: string, options?: WatchOptions): Stream.Stream<A, E | BankConnectError.InvalidArgument> => {
    const refused = Validate.watchProblem(options)
    if (refused !== undefined) return Stream.fail(refused)
    return PollStream.make({
      poll: poll(sessionId),
      isFinal,
      interval: Duration.decode(options?.interval ?? "2 seconds"),
      maxFailedPolls: options?.maxFailedPolls ?? 5,
      span,
      shown: shownId(sessionId)
    })
  }

  const watchProgress: Service["watchProgress"] = watch(
    getProgress,
    Progress.isComplete,
    "BankConnectClient.watchProgress"
  )

  const awaitCompletion = Effect.fn("BankConnectClient.awaitCompletion")(
    function*(sessionId: string, options?: WatchOptions) {
      const last = yield* Stream.runLast(watchProgress(sessionId, options))
      return yield* Option.match(last, {
        onNone: () => Effect.dieMessage("BankConnectClient.awaitCompletion: the progress stream ended empty"),
        onSome: Effect.succeed
      })
    }
  )

  const getSessionStatus = Effect.fn("BankConnectClient.getSessionStatus")((sessionId: string) =>
    sessionCall(sessionId, (id) => ({
      request: HttpClientRequest.get(sessionPath(id, "session_status/")),
      codes: sessionDataCodes,
      maxResponseBytes: limits.getSessionStatus
    }), decodeSessionStatus)
  )

  const getUploadStatus = Effect.fn("BankConnectClient.getUploadStatus")((sessionId: string) =>
    sessionCall(sessionId, (id) => ({
      request: HttpClientRequest.get(sessionPath(id, "session_upload_status/")),
      codes: uploadStatusCodes,
      maxResponseBytes: limits.getUploadStatus
    }), decodeUploadStatus)
  )

  const watchUploadStatus: Service["watchUploadStatus"] = watch(
    getUploadStatus,
    UploadStatus.isFinal,
    "BankConnectClient.watchUploadStatus"
  )

  const getInsights = Effect.fn("BankConnectClient.getInsights")((sessionId: string) =>
    sessionCall(sessionId, (id) => ({
      request: HttpClientRequest.get(sessionPath(id, "insights/")),
      codes: sessionDataCodes,
      maxResponseBytes: limits.getInsights,
      timeout: transferTimeout
    }), decodeInsights)
  )

  const getPdfs = Effect.fn("BankConnectClient.getPdfs")((sessionId: string) =>
    sessionCall(sessionId, (id) => ({
      request: HttpClientRequest.get(sessionPath(id, "get_pdfs/")),
      codes: sessionDataCodes,
      maxResponseBytes: limits.getPdfs
    }), decodePdfs)
  )

  const initiateProcessing = Effect.fn("BankConnectClient.initiateProcessing")(
    function*(sessionId: string, options?: InitiateOptions) {
      const duplicateIsSuccess = options?.duplicateIsSuccess === true
      yield* Effect.annotateCurrentSpan("bankconnect.duplicate_is_success", duplicateIsSuccess)
      return yield* sessionCall(sessionId, (id) => ({
        request: HttpClientRequest.post(sessionPath(id, "initiate_processing/")),
        codes: initiateCodes,
        maxResponseBytes: limits.initiateProcessing
      }), decodeInitiated).pipe(
        Effect.map((): Initiated => ({ sessionId, alreadyRequested: false })),
        Effect.catchIf(
          (error) => duplicateIsSuccess && error._tag === "DuplicateProcessingRequest",
          () => Effect.succeed<Initiated>({ sessionId, alreadyRequested: true })
        )
      )
    }
  ) as Service["initiateProcessing"]

  const deleteSession = Effect.fn("BankConnectClient.deleteSession")(
    function*(sessionId: string, options?: DeleteOptions) {
      const deletedIsSuccess = options?.deletedIsSuccess === true
      return yield* sessionCall(sessionId, (id) => ({
        request: HttpClientRequest.del(sessionPath(id, "delete/")),
        codes: deleteCodes,
        maxResponseBytes: limits.deleteSession
      }), ApiCall.ignoreBody).pipe(
        Effect.map((): Deleted => ({ sessionId, alreadyDeleted: false })),
        Effect.catchIf(
          (error) => deletedIsSuccess && error._tag === "SessionDeleted",
          () => Effect.succeed<Deleted>({ sessionId, alreadyDeleted: true })
        )
      )
    }
  ) as Service["deleteSession"]

  const downloadReport = Reports.make(httpClient, {
    timeout: transferTimeout,
    maxBytes: options.maxReportBytes ?? 256 * 1024 * 1024,
    allowHttp: baseUrl.startsWith("http:")
  })

  const createSession = Effect.fn("BankConnectClient.createSession")(
    function*(session: SessionSetup.CreateSessionOptions) {
      const body = SessionSetup.createSessionBody(session)
      if (Either.isLeft(body)) {
        return yield* new BankConnectError.InvalidArgument({
          argument: "options",
          message: scrubber.excerpt(body.left, 1000)
        })
      }
      const version = SessionSetup.requiresV2(session) ? "v2" : undefined
      yield* Effect.annotateCurrentSpan("bankconnect.api_version", version ?? "v1")
      return yield* call({
        request: HttpClientRequest.post("/session/").pipe(
          HttpClientRequest.bodyUnsafeJson({ ...body.right, api_key: Redacted.value(options.apiKey) })
        ),
        codes: createCodes,
        maxResponseBytes: limits.createSession,
        version: version ?? "v1",
        retry: false
      }, decodeCreated)
    }
  )

  const uploadStatement = Effect.fn("BankConnectClient.uploadStatement")(
    function*(upload: SessionSetup.UploadOptions) {
      const problem = typeof upload === "object" && upload !== null
        ? SessionSetup.uploadProblem(upload)
        : "the upload options must be an object"
      if (problem !== undefined) {
        return yield* new BankConnectError.InvalidArgument({
          argument: "options",
          message: scrubber.excerpt(problem, 1000)
        })
      }
      const sessionId = yield* Validate.sessionId(upload.sessionId, scrubber)
      yield* Effect.annotateCurrentSpan("bankconnect.session_id", sessionId)
      const fields: Array<readonly [string, string]> = [
        ["session_id", sessionId],
        ["upload_type", upload.uploadType ?? "PDF"]
      ]
      if (upload.bankName !== undefined) fields.push(["bank_name", upload.bankName])
      if (upload.password !== undefined) fields.push(["pdf_password", Redacted.value(upload.password)])
      if (upload.fileUrl !== undefined) fields.push(["file_url", upload.fileUrl])
      const body = yield* Multipart.make(
        fields,
        upload.file === undefined
          ? Option.none()
          : Option.some({ name: "file", fileName: SessionSetup.uploadFileName(upload), source: upload.file })
      ).pipe(
        Effect.mapError((error) => new BankConnectError.InvalidArgument({ argument: "file", message: error.message }))
      )
      return yield* call({
        request: HttpClientRequest.post("/statement/upload_session/").pipe(
          HttpClientRequest.bodyStream(
            Stream.mapError(body.stream, (error) => new Error(error.message)),
            {
              contentType: body.contentType,
              ...(body.contentLength === undefined ? {} : { contentLength: body.contentLength })
            }
          )
        ),
        codes: uploadCodes,
        sessionId,
        maxResponseBytes: limits.uploadStatement,
        timeout: transferTimeout,
        retry: false
      }, decodeUploaded)
    }
  )

  const getBankCatalogue = Effect.fn("BankConnectClient.getBankCatalogue")(() =>
    call({
      request: HttpClientRequest.get("/banks/catalogue/"),
      codes: catalogueCodes,
      maxResponseBytes: limits.getBankCatalogue
    }, decodeCatalogue)
  )

  return BankConnectClient.of({
    createSession,
    uploadStatement,
    getBankCatalogue,
    getProgress,
    updateWebhook,
    watchProgress,
    awaitCompletion,
    initiateProcessing,
    getSessionStatus,
    getUploadStatus,
    watchUploadStatus,
    getInsights,
    getPdfs,
    deleteSession,
    downloadReport
  })
})

/**
 * The client as a layer over the `HttpClient` in context (for example
 * `FetchHttpClient.layer` or `NodeHttpClient.layerUndici`).
 *
 * @example
 * ```ts
 * import { BankConnectClient } from "@effect-bankconnect/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted, Stream } from "effect"
 *
 * const BankConnect = BankConnectClient.layer({
 *   apiKey: Redacted.make("your-api-key"),
 *   serverHash: Redacted.make("your-server-hash")
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * // every snapshot until the session completes, polled every 2 seconds
 * export const program = Effect.gen(function*() {
 *   const client = yield* BankConnectClient.BankConnectClient
 *   yield* Stream.runForEach(
 *     client.watchProgress("0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11"),
 *     (progress) => Effect.log(progress.session_progress)
 *   )
 * }).pipe(Effect.provide(BankConnect))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<BankConnectClient, never, HttpClient.HttpClient> =>
  Layer.effect(BankConnectClient, make(options))

/**
 * The credentials and base URL read from `Config`: `BANKCONNECT_API_KEY` and
 * `BANKCONNECT_SERVER_HASH` (both redacted, both required, at least 8 characters) and
 * `BANKCONNECT_BASE_URL` (optional, an absolute http(s) URL).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<{
  readonly apiKey: Redacted.Redacted<string>
  readonly serverHash: Redacted.Redacted<string>
  readonly baseUrl: Option.Option<string>
}> = Config.all({
  apiKey: Config.redacted("BANKCONNECT_API_KEY").pipe(
    Config.validate({
      message: `BANKCONNECT_API_KEY must be at least ${Secrets.minCredentialLength} characters long`,
      validation: (key) => Secrets.credentialProblem("key", Redacted.value(key)) === undefined
    })
  ),
  serverHash: Config.redacted("BANKCONNECT_SERVER_HASH").pipe(
    Config.validate({
      message: `BANKCONNECT_SERVER_HASH must be at least ${Secrets.minCredentialLength} characters long`,
      validation: (hash) => Secrets.credentialProblem("hash", Redacted.value(hash)) === undefined
    })
  ),
  baseUrl: Config.string("BANKCONNECT_BASE_URL").pipe(
    Config.validate({
      message: "BANKCONNECT_BASE_URL must be an absolute http(s) URL without credentials, query or fragment",
      validation: Validate.isBaseUrl
    }),
    Config.option
  )
})

/**
 * The client as a layer, with its credentials and base URL read from {@link config}; the
 * other settings are given here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: Omit<Options, "apiKey" | "serverHash" | "baseUrl">
): Layer.Layer<BankConnectClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(config, ({ apiKey, baseUrl, serverHash }) =>
      layer({ ...options, apiKey, serverHash, baseUrl: Option.getOrUndefined(baseUrl) }))
  )
