import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as BankConnectError from "../BankConnectError.js"
import * as ErrorResponse from "./errorResponse.js"
import type * as InFlight from "./inFlight.js"
import * as JsonDepth from "./jsonDepth.js"
import * as ParseIssues from "./parseIssues.js"
import * as ResponseBody from "./responseBody.js"
import * as RetryPolicy from "./retryPolicy.js"
import * as Secrets from "./secrets.js"
import * as Timeout from "./timeout.js"
import * as Transience from "./transience.js"

/**
 * What every call of one client shares.
 *
 * @internal
 */
export interface Settings {
  /** The base URL without the version segment, without a trailing slash. */
  readonly baseUrl: string
  /** The version segment, such as `v1`. */
  readonly version: string
  readonly apiKey: Redacted.Redacted<string>
  readonly serverHash: Redacted.Redacted<string>
  /** Removes the credentials from any text that reaches an error. */
  readonly scrubber: Secrets.Scrubber
  /**
   * The `FetchHttpClient.RequestInit` in the context the client was built in, if any: kept
   * under the client's own `redirect: "manual"`.
   */
  readonly requestInit: RequestInit | undefined
  /** The limit on one attempt. */
  readonly timeout: Duration.Duration
  readonly retry: RetryPolicy.RetryPolicy
  /** Bounds the attempts in flight; queueing for a turn is outside the timeout. */
  readonly inFlight: InFlight.InFlight | undefined
}

/**
 * One call: the request (its URL relative to the API URL), the error codes its endpoint
 * documents, and the session it is about.
 *
 * @internal
 */
export interface Endpoint<K extends BankConnectError.KnownCode> {
  /** The request, its URL relative to `{baseUrl}/{version}`. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly codes: ReadonlyArray<K>
  readonly sessionId?: string | undefined
  /** The largest body read, success or error; past it the call fails, not retried. */
  readonly maxResponseBytes: number
  /** Another version segment than the client's, such as `v2` for session creation v2. */
  readonly version?: string | undefined
  /** Another limit on one attempt than the client's, for endpoints with large answers. */
  readonly timeout?: Duration.Duration | undefined
  /**
   * `false` for a call that must not be sent twice (an upload): no attempt after the first,
   * whatever the failure. Default `true`.
   */
  readonly retry?: boolean | undefined
}

/**
 * What a call knows about its success response when reading the body.
 *
 * @internal
 */
export interface Answer {
  readonly text: string
  readonly status: number
  readonly url: string
  readonly sessionId: string | undefined
  /** Removes the credentials from text, and cuts it to `max` characters. */
  readonly excerpt: (text: string, max: number) => string
}

/**
 * Reads a success response's body.
 *
 * @internal
 */
export type OnSuccess<A> = (answer: Answer) => Effect.Effect<A, BankConnectError.InvalidResponse>

/**
 * The errors of a call to an endpoint documenting the codes `K`.
 *
 * @internal
 */
export type CallError<K extends BankConnectError.KnownCode> =
  | ErrorResponse.ErrorOf<K>
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse

const invalidResponse = (
  answer: Answer,
  message: string,
  reason: BankConnectError.InvalidResponse["reason"] = "Undecodable"
) =>
  new BankConnectError.InvalidResponse({
    reason,
    message,
    status: answer.status,
    url: answer.url,
    ...(answer.sessionId === undefined ? {} : { sessionId: answer.sessionId })
  })

/**
 * Checks a decoded body against what the call was about: a message saying what is wrong
 * (the body is then refused as `OtherSession`), or `undefined`.
 *
 * @internal
 */
export type Verify<A> = (value: A, answer: Answer) => string | undefined

/**
 * A synchronous decoder of a parsed JSON body, such as `Schema.decodeUnknownEither(schema)`.
 *
 * @internal
 */
export type Decoder<A> = (json: unknown) => Either.Either<A, ParseResult.ParseError>

/**
 * Parses a success body as JSON and decodes it with `decode`; `what` names the body in
 * the error when either step fails. `precheck`, when given, refuses a parsed body too large
 * to decode (as `TooLarge`); `verify` checks the decoded value.
 *
 * @internal
 */
export const decodeJson = <A>(
  decode: Decoder<A>,
  what: string,
  verify?: Verify<A>,
  precheck?: (json: unknown) => string | undefined
): OnSuccess<A> =>
(answer) =>
  // synchronous steps in one suspend: on the hot path of every poll, fewer Effect steps count
  Effect.suspend(() => {
    let json: unknown
    try {
      json = JSON.parse(answer.text)
    } catch {
      return Effect.fail(
        invalidResponse(answer, `The ${what} is not JSON: ${JSON.stringify(answer.excerpt(answer.text, 80))}`)
      )
    }
    // sizes that would make the checks and the decoding a denial of service, refused first
    const tooLarge = precheck?.(json)
    if (tooLarge !== undefined) return Effect.fail(invalidResponse(answer, `The ${what} ${tooLarge}`, "TooLarge"))
    if (JsonDepth.tooDeep(json)) {
      return Effect.fail(invalidResponse(answer, `The ${what} nests more than ${JsonDepth.maxDepth} levels deep`))
    }
    const decoded = decode(json)
    if (Either.isLeft(decoded)) {
      return Effect.fail(
        invalidResponse(
          answer,
          `The ${what} does not match the documented shape: ${answer.excerpt(ParseIssues.format(decoded.left), 1000)}`
        )
      )
    }
    const problem = verify?.(decoded.right, answer)
    return problem === undefined
      ? Effect.succeed(decoded.right)
      : Effect.fail(invalidResponse(answer, problem, "OtherSession"))
  })

/**
 * Accepts any success body.
 *
 * @internal
 */
export const ignoreBody: OnSuccess<void> = () => Effect.void

const describe = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message
  }
  return error.reason
}

/** The redacted header names with the credentials' added; one array per input, not per call. */
const redactedCache = new WeakMap<ReadonlyArray<string | RegExp>, ReadonlyArray<string | RegExp>>()
const withSecretHeadersRedacted = (names: ReadonlyArray<string | RegExp>) => {
  let extended = redactedCache.get(names)
  if (extended === undefined) {
    extended = [...names, ...Secrets.secretHeaderNames]
    redactedCache.set(names, extended)
  }
  return extended
}

/** Where a redirect pointed: its origin only, never its path or query. */
const redirectTarget = (location: string | undefined, base: string): string => {
  if (location === undefined) return "no location"
  try {
    return new URL(location, base).origin
  } catch {
    return "a location that is not a URL"
  }
}

/**
 * Makes the function that performs every call of a client: send with the credentials,
 * hand a 2xx to `onSuccess`, map anything else to its typed error, time each attempt out,
 * and retry what is transient (honouring `Retry-After`). Credentials are redacted from
 * the platform's spans and scrubbed from any text that reaches an error. Redirects are
 * never followed (over `fetch`, requests go with `redirect: "manual"`) and a 3xx fails the
 * call; bodies are read up to the endpoint's `maxResponseBytes`.
 *
 * @internal
 */
export const make = (httpClient: HttpClient.HttpClient, settings: Settings) => {
  const { excerpt, scrub } = settings.scrubber
  const retrySchedule = RetryPolicy.schedule(settings.retry)
  const execute = Timeout.make(httpClient)
  const apiUrl = `${settings.baseUrl}/${settings.version}`
  // the headers of every call, made once: credentials and `accept`
  const headers = Headers.fromInput({
    accept: "application/json",
    "x-api-key": Redacted.value(settings.apiKey),
    "server-hash": Redacted.value(settings.serverHash)
  })
  const manual = (init: RequestInit | undefined): RequestInit => ({ ...init, redirect: "manual" })
  const builtInit = manual(settings.requestInit)
  /**
   * `fetch` follows redirects by default, credentials and all: every request goes with
   * `redirect: "manual"`, over any `RequestInit` of the caller's context or the client's.
   */
  // contexts are immutable: the context with the RequestInit added is made once per context
  // the calls run in, not once per call (adding a service copies the context)
  const withInit = new WeakMap<Context.Context<never>, Context.Context<never>>()
  const noRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.contextWithEffect((context: Context.Context<never>) => {
      let provided = withInit.get(context)
      if (provided === undefined) {
        const own = Context.getOption(context, FetchHttpClient.RequestInit)
        provided = Context.add(
          context,
          FetchHttpClient.RequestInit,
          Option.isSome(own) ? manual({ ...settings.requestInit, ...own.value }) : builtInit
        )
        withInit.set(context, provided)
      }
      // the context made from the current one, so setting it in place of the current one keeps all
      return Effect.locally(effect as Effect.Effect<A, E>, FiberRef.currentContext, provided)
    })

  return <A, K extends BankConnectError.KnownCode>(
    endpoint: Endpoint<K>,
    onSuccess: OnSuccess<A>
  ): Effect.Effect<A, CallError<K>> => {
    const { maxResponseBytes, sessionId } = endpoint
    const prefix = endpoint.version === undefined ? apiUrl : `${settings.baseUrl}/${endpoint.version}`
    const request = HttpClientRequest.setHeaders(HttpClientRequest.prependUrl(endpoint.request, prefix), headers)
    const timeout = endpoint.timeout ?? settings.timeout
    const errorContext: ErrorResponse.CallContext<K> = { codes: endpoint.codes, sessionId, scrubber: settings.scrubber }
    const target = { method: request.method, url: request.url }
    const withSession = sessionId === undefined ? {} : { sessionId }
    type Failure = RetryPolicy.AttemptFailure<CallError<K>>
    /** The one classifier decides what is retried: the same as `isRetryable` and `maxFailedPolls`. */
    const failure = <E extends CallError<K>>(error: E, retryAfter = Option.none<Duration.Duration>()) =>
      new RetryPolicy.AttemptFailure<CallError<K>>({ error, retryable: Transience.isTransient(error), retryAfter })
    const transportError = (reason: BankConnectError.TransportError["reason"], message: string) =>
      new BankConnectError.TransportError({ reason, message: excerpt(message, 1000), ...target, ...withSession })
    const network = (error: HttpClientError.HttpClientError) =>
      failure(
        transportError(Transience.transportReason(error), `${target.method} ${target.url} failed: ${describe(error)}`)
      )
    const invalid = (status: number, reason: BankConnectError.InvalidResponse["reason"], message: string) =>
      failure(new BankConnectError.InvalidResponse({ reason, message, status, ...target, ...withSession }))

    const handle = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, Failure> => {
      const status = response.status
      if (status >= 300 && status < 400) {
        const location = excerpt(redirectTarget(response.headers["location"], target.url), 200)
        return Effect.zipRight(
          ResponseBody.discard(response),
          Effect.fail(invalid(
            status,
            "Redirect",
            `HTTP ${status} redirect to ${location}, not followed: BankConnect's API does not redirect`
          ))
        )
      }
      return ResponseBody.readText(response, maxResponseBytes).pipe(
        Effect.mapError((error) =>
          error._tag === "TooLarge"
            ? invalid(
              status,
              "TooLarge",
              `The HTTP ${status} body of ${target.method} ${target.url} is over ${error.limit} bytes (maxResponseBytes); not read further`
            )
            : network(error)
        ),
        Effect.flatMap((text): Effect.Effect<A, Failure> => {
          if (status >= 200 && status < 300) {
            const answer: Answer = { text, status, url: target.url, sessionId, excerpt }
            // onSuccess quotes the body through `excerpt`; scrubbing once more costs nothing here
            return Effect.mapError(
              onSuccess(answer),
              (error) => failure(new BankConnectError.InvalidResponse({ ...error, message: scrub(error.message) }))
            )
          }
          const error = ErrorResponse.fromResponse(errorContext, status, text)
          if (!Transience.isTransient(error)) return Effect.fail(failure(error))
          return Effect.flatMap(
            Clock.currentTimeMillis,
            (now) => Effect.fail(failure(error, RetryPolicy.parseRetryAfter(response.headers["retry-after"], now)))
          )
        })
      )
    }

    const attempt = execute(
      request,
      timeout,
      (response) =>
        response.pipe(
          noRedirects,
          Effect.locallyWith(Headers.currentRedactedNames, withSecretHeadersRedacted),
          Effect.mapError(network),
          Effect.flatMap(handle)
        ),
      () =>
        failure(
          transportError("Timeout", `${target.method} ${target.url} timed out after ${Duration.format(timeout)}`)
        )
    )
    const once = settings.inFlight === undefined ? attempt : settings.inFlight(attempt)
    if (endpoint.retry === false || settings.retry.times === 0) {
      return Effect.mapError(once, (failure) => failure.error)
    }
    // the retry machinery is entered only after a first failure: most calls succeed at once.
    // The schedule sees that first failure as its first input, so it decides as `Effect.retry`
    // over every attempt would.
    return Effect.catchAll(once, (first) => {
      if (!first.retryable) return Effect.fail(first.error)
      let replayed = false
      const again = Effect.suspend(() => {
        if (replayed) return once
        replayed = true
        return Effect.fail(first)
      })
      return Effect.mapError(Effect.retry(again, retrySchedule), (failure) => failure.error)
    })
  }
}
