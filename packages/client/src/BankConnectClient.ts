/**
 * The BankConnect client: the progress API as an Effect and as a `Stream` that ends when
 * the session completes, and the webhook registration API.
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
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as BankConnectError from "./BankConnectError.js"
import * as ApiCall from "./internal/apiCall.js"
import * as InFlight from "./internal/inFlight.js"
import * as Secrets from "./internal/secrets.js"
import * as Validate from "./internal/validate.js"
import * as Progress from "./Progress.js"

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
}

/**
 * The default {@link ResponseLimits}.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultResponseLimits: Required<{ readonly [K in keyof ResponseLimits]: number }> = {
  getProgress: 1024 * 1024,
  updateWebhook: 64 * 1024
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
  const limits = {
    getProgress: options.maxResponseBytes?.getProgress ?? defaultResponseLimits.getProgress,
    updateWebhook: options.maxResponseBytes?.updateWebhook ?? defaultResponseLimits.updateWebhook
  }
  const call = ApiCall.make(yield* HttpClient.HttpClient, {
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

  const getProgress = Effect.fn("BankConnectClient.getProgress")(function*(sessionId: string) {
    const id = yield* Validate.sessionId(sessionId, scrubber)
    yield* Effect.annotateCurrentSpan("bankconnect.session_id", id)
    return yield* call({
      request: HttpClientRequest.get(`/session_data/${encodeURIComponent(id)}/progress/`),
      codes: progressCodes,
      sessionId: id,
      maxResponseBytes: limits.getProgress
    }, decodeProgress)
  })

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

  const watchProgress = (
    sessionId: string,
    options?: WatchOptions
  ): Stream.Stream<Progress.SessionProgress, ProgressError> => {
    const refused = Validate.watchProblem(options)
    if (refused !== undefined) return Stream.fail(refused)
    // the session id as it may appear in a span or a log line: checked by the first poll, so
    // here only cut and scrubbed
    const shown = typeof sessionId === "string" ? scrubber.excerpt(sessionId, 80) : typeof sessionId
    const maxFailedPolls = options?.maxFailedPolls ?? 5
    // a zero interval polls back to back, without arming a timer for each poll
    const interval = Duration.decode(options?.interval ?? "2 seconds")
    const schedule = Duration.isZero(interval) ? Schedule.forever : Schedule.spaced(interval)
    // One pull-based stream rather than a chain of operators: each Stream stage costs heap
    // and CPU per watch, which counts when thousands of sessions are watched at once.
    return Stream.unwrap(Effect.map(Schedule.driver(schedule), (driver) => {
      let polled = false
      let completed = false
      let failedInARow = 0
      /** One poll: a snapshot, or none when a transient failure is to be skipped. */
      const poll = getProgress(sessionId).pipe(
        Effect.map((progress) => {
          failedInARow = 0
          return Option.some(progress)
        }),
        Effect.catchIf(
          (error) => BankConnectError.isRetryable(error) && ++failedInARow < maxFailedPolls,
          (error) =>
            Effect.as(
              Effect.logDebug(
                `BankConnect: poll skipped after ${error._tag} (${failedInARow} of ${maxFailedPolls} in a row); next poll in ${
                  Duration.format(interval)
                }`
              ).pipe(Effect.annotateLogs({
                "bankconnect.session_id": shown,
                "bankconnect.failed_polls": failedInARow,
                "bankconnect.delay_ms": Duration.toMillis(interval)
              })),
              Option.none<Progress.SessionProgress>()
            )
        )
      )
      /** The next snapshot, waiting on the schedule before every poll but the first; ends after completion. */
      const next = (): Effect.Effect<Progress.SessionProgress, Option.Option<ProgressError>> =>
        Effect.suspend(() => {
          if (completed) return Effect.fail(Option.none())
          const wait = polled ? driver.next(undefined) : Effect.void
          polled = true
          return Effect.zipRight(wait, Effect.mapError(poll, Option.some)).pipe(
            Effect.flatMap(Option.match({
              onNone: next,
              onSome: (progress) => {
                completed = Progress.isComplete(progress)
                return Effect.succeed(progress)
              }
            }))
          )
        })
      return Stream.repeatEffectOption(next())
    })).pipe(
      Stream.withSpan("BankConnectClient.watchProgress", {
        attributes: { "bankconnect.session_id": shown }
      })
    )
  }

  const awaitCompletion = Effect.fn("BankConnectClient.awaitCompletion")(
    function*(sessionId: string, options?: WatchOptions) {
      const last = yield* Stream.runLast(watchProgress(sessionId, options))
      return yield* Option.match(last, {
        onNone: () => Effect.dieMessage("BankConnectClient.awaitCompletion: the progress stream ended empty"),
        onSome: Effect.succeed
      })
    }
  )

  return BankConnectClient.of({ getProgress, updateWebhook, watchProgress, awaitCompletion })
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
