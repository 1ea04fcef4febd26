/**
 * The BankConnect client: the progress API as an Effect and as a `Stream` that ends when
 * the session completes, and the webhook registration API.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as BankConnectError from "./BankConnectError.js"
import * as ErrorResponse from "./internal/errorResponse.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import * as Secrets from "./internal/secrets.js"
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
   * failure is retried inside the poll; a failure that outlasts the retries fails the
   * stream, for the caller to compose with `Stream.retry`, `Stream.timeout`, ...
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
 * 503 and 504) are retried. API error codes are never retried.
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
 * The client's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key, sent as `x-api-key`. */
  readonly apiKey: Redacted.Redacted<string>
  /** The server hash, sent as `server-hash`. */
  readonly serverHash: Redacted.Redacted<string>
  /** Default `"https://apis.bankconnect.finbox.in/bank-connect"`. */
  readonly baseUrl?: string | undefined
  /** The API version path segment. Default `"v1"`. */
  readonly version?: string | undefined
  /** How long one attempt may take, reading the body included. Default `"10 seconds"`. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How transient failures are retried. */
  readonly retry?: RetryOptions | undefined
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

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== ""
  } catch {
    return false
  }
}

const sessionIdPattern = /^[A-Za-z0-9._~-]+$/

const validateSessionId = (sessionId: string): Effect.Effect<string, BankConnectError.InvalidArgument> =>
  typeof sessionId === "string" && sessionIdPattern.test(sessionId) && sessionId !== "." && sessionId !== ".."
    ? Effect.succeed(sessionId)
    : Effect.fail(
      new BankConnectError.InvalidArgument({
        argument: "sessionId",
        message: `Expected a session id made of letters, digits, "-", "_", "." or "~", got ${
          JSON.stringify(String(sessionId)).slice(0, 80)
        }`
      })
    )

/**
 * Builds the client from its settings over the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
  if (!isHttpUrl(baseUrl)) {
    return yield* Effect.dieMessage(`BankConnectClient: baseUrl must be an absolute http(s) URL, got "${baseUrl}"`)
  }
  const version = options.version ?? "v1"
  const timeout = Duration.decode(options.timeout ?? "10 seconds")
  const retrySchedule = RetryPolicy.schedule({
    times: Math.max(0, Math.floor(options.retry?.times ?? 3)),
    base: Duration.decode(options.retry?.base ?? "250 millis"),
    max: Duration.decode(options.retry?.max ?? "5 seconds"),
    maxRetryAfter: Duration.decode(options.retry?.maxRetryAfter ?? "30 seconds")
  })
  const secrets = [options.apiKey, options.serverHash]
  const scrub = (text: string) => Secrets.scrub(text, secrets)

  const httpClient = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.prependUrl(`${baseUrl}/${version}`),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeaders({
          "x-api-key": Redacted.value(options.apiKey),
          "server-hash": Redacted.value(options.serverHash)
        })
      )
    )
  )
  const withSecretHeadersRedacted = (names: ReadonlyArray<string | RegExp>) => [
    ...names,
    ...Secrets.secretHeaderNames
  ]

  /**
   * One call: send, hand a 2xx to `onSuccess`, map anything else to its typed error,
   * time each attempt out, and retry what is transient.
   */
  const call = <A, K extends BankConnectError.KnownCode>(
    request: HttpClientRequest.HttpClientRequest,
    context: { readonly codes: ReadonlyArray<K>; readonly sessionId: string | undefined },
    onSuccess: (text: string, response: HttpClientResponse.HttpClientResponse) => Effect.Effect<
      A,
      BankConnectError.InvalidResponse
    >
  ) => {
    const callContext: ErrorResponse.CallContext<K> = { ...context, scrub }
    const target = { method: request.method, url: `${baseUrl}/${version}${request.url}` }
    const withSession = context.sessionId === undefined ? {} : { sessionId: context.sessionId }
    const failure = <E>(error: E, retryable: boolean, retryAfter = Option.none<Duration.Duration>()) =>
      new RetryPolicy.AttemptFailure({ error, retryable, retryAfter })
    const network = (error: HttpClientError.HttpClientError) =>
      failure(
        new BankConnectError.TransportError({
          reason: "Network",
          message: scrub(`${target.method} ${target.url} failed: ${describe(error)}`),
          ...target,
          ...withSession
        }),
        error._tag === "ResponseError" || error.reason === "Transport"
      )
    type Failure = RetryPolicy.AttemptFailure<
      | ErrorResponse.ErrorOf<K>
      | BankConnectError.UnknownApiError
      | BankConnectError.TransportError
      | BankConnectError.InvalidResponse
    >
    const handle = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.flatMap(Effect.mapError(response.text, network), (text): Effect.Effect<A, Failure> => {
        if (response.status >= 200 && response.status < 300) {
          return Effect.mapError(onSuccess(text, response), (error) => failure(error, false))
        }
        const error = ErrorResponse.fromResponse(callContext, response.status, text)
        if (!RetryPolicy.transientStatuses.has(response.status)) return Effect.fail(failure(error, false))
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.fail(failure(error, true, RetryPolicy.parseRetryAfter(response.headers["retry-after"], now))))
      })
    const attempt: Effect.Effect<A, Failure> = httpClient.execute(request).pipe(
      Effect.locallyWith(Headers.currentRedactedNames, withSecretHeadersRedacted),
      Effect.mapError(network),
      Effect.flatMap(handle),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          failure(
            new BankConnectError.TransportError({
              reason: "Timeout",
              message: `${target.method} ${target.url} timed out after ${Duration.format(timeout)}`,
              ...target,
              ...withSession
            }),
            true
          )
      })
    )
    return attempt.pipe(
      Effect.retry(retrySchedule),
      Effect.mapError((failure) => failure.error)
    )
  }

  const invalidResponse = (url: string, sessionId: string | undefined) => (status: number, message: string) =>
    new BankConnectError.InvalidResponse({
      message,
      status,
      url,
      ...(sessionId === undefined ? {} : { sessionId })
    })

  const getProgress = Effect.fn("BankConnectClient.getProgress")(function*(sessionId: string) {
    yield* Effect.annotateCurrentSpan("bankconnect.session_id", String(sessionId))
    const id = yield* validateSessionId(sessionId)
    const path = `/session_data/${encodeURIComponent(id)}/progress/`
    const invalid = invalidResponse(`${baseUrl}/${version}${path}`, id)
    return yield* call(
      HttpClientRequest.get(path),
      { codes: progressCodes, sessionId: id },
      (text, response) =>
        Effect.try({
          try: () => JSON.parse(text) as unknown,
          catch: () => invalid(response.status, `The progress response is not JSON: ${JSON.stringify(text.slice(0, 80))}`)
        }).pipe(
          Effect.flatMap((json) =>
            Progress.decode(json).pipe(
              Effect.mapError((error) =>
                invalid(
                  response.status,
                  `The progress response does not match the documented shape: ${
                    ParseResult.TreeFormatter.formatErrorSync(error)
                  }`
                )
              )
            )
          )
        )
    )
  })

  const updateWebhook = Effect.fn("BankConnectClient.updateWebhook")(function*(webhook: UpdateWebhookOptions) {
    const webhookMode = webhook.webhookMode ?? 1
    if (typeof webhook.webhookUrl !== "string" || !isHttpUrl(webhook.webhookUrl)) {
      return yield* new BankConnectError.InvalidArgument({
        argument: "webhookUrl",
        message: `Expected an absolute http(s) URL, got ${JSON.stringify(String(webhook.webhookUrl)).slice(0, 200)}`
      })
    }
    if (webhookMode !== 0 && webhookMode !== 1) {
      return yield* new BankConnectError.InvalidArgument({
        argument: "webhookMode",
        message: `Expected 0 (net-banking sessions only) or 1 (all sessions), got ${String(webhookMode)}`
      })
    }
    yield* Effect.annotateCurrentSpan("bankconnect.webhook_mode", webhookMode)
    yield* call(
      HttpClientRequest.post("/session_data/update_webhook/").pipe(
        HttpClientRequest.bodyUnsafeJson({ webhook_url: webhook.webhookUrl, webhook_mode: webhookMode })
      ),
      { codes: updateWebhookCodes, sessionId: undefined },
      () => Effect.void
    )
  })

  const watchProgress = (sessionId: string, options?: WatchOptions) =>
    Stream.repeatEffectWithSchedule(getProgress(sessionId), Schedule.spaced(options?.interval ?? "2 seconds")).pipe(
      Stream.takeUntil(Progress.isComplete),
      Stream.withSpan("BankConnectClient.watchProgress", {
        attributes: { "bankconnect.session_id": String(sessionId) }
      })
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

  return BankConnectClient.of({ getProgress, updateWebhook, watchProgress, awaitCompletion })
})

const describe = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message
  }
  return error.reason
}

/**
 * The client as a layer over the `HttpClient` in context (for example
 * `FetchHttpClient.layer` or `NodeHttpClient.layerUndici`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<BankConnectClient, never, HttpClient.HttpClient> =>
  Layer.effect(BankConnectClient, make(options))

/**
 * The credentials and base URL read from `Config`: `BANKCONNECT_API_KEY` and
 * `BANKCONNECT_SERVER_HASH` (both redacted, both required and non-empty) and
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
    Config.validate({ message: "BANKCONNECT_API_KEY must be non-empty", validation: (key) => Redacted.value(key) !== "" })
  ),
  serverHash: Config.redacted("BANKCONNECT_SERVER_HASH").pipe(
    Config.validate({
      message: "BANKCONNECT_SERVER_HASH must be non-empty",
      validation: (hash) => Redacted.value(hash) !== ""
    })
  ),
  baseUrl: Config.string("BANKCONNECT_BASE_URL").pipe(
    Config.validate({ message: "BANKCONNECT_BASE_URL must be an absolute http(s) URL", validation: isHttpUrl }),
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
