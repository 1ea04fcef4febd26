import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as BankConnectError from "../BankConnectError.js"
import * as ErrorResponse from "./errorResponse.js"
import * as InFlight from "./inFlight.js"
import * as JsonDepth from "./jsonDepth.js"
import * as RetryPolicy from "./retryPolicy.js"
import * as Secrets from "./secrets.js"
import * as ParseIssues from "./parseIssues.js"

/**
 * What every call of one client shares.
 *
 * @internal
 */
export interface Settings {
  /** The base URL with the version segment, without a trailing slash. */
  readonly apiUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly serverHash: Redacted.Redacted<string>
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
  readonly request: HttpClientRequest.HttpClientRequest
  readonly codes: ReadonlyArray<K>
  readonly sessionId?: string | undefined
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

const invalidResponse = (answer: Answer, message: string) =>
  new BankConnectError.InvalidResponse({
    message,
    status: answer.status,
    url: answer.url,
    ...(answer.sessionId === undefined ? {} : { sessionId: answer.sessionId })
  })

/**
 * Parses a success body as JSON and decodes it with `schema`; `what` names the body in
 * the error when either step fails.
 *
 * @internal
 */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I>, what: string): OnSuccess<A> => {
  // synchronous steps in one suspend: on the hot path of every poll, fewer Effect steps count
  const decode = Schema.decodeUnknownEither(schema)
  return (answer) =>
    Effect.suspend(() => {
      let json: unknown
      try {
        json = JSON.parse(answer.text)
      } catch {
        return Effect.fail(invalidResponse(answer, `The ${what} is not JSON: ${JSON.stringify(answer.text.slice(0, 80))}`))
      }
      if (JsonDepth.tooDeep(json)) {
        return Effect.fail(invalidResponse(answer, `The ${what} nests more than ${JsonDepth.maxDepth} levels deep`))
      }
      const decoded = decode(json)
      return Either.isRight(decoded)
        ? Effect.succeed(decoded.right)
        : Effect.fail(
          invalidResponse(answer, `The ${what} does not match the documented shape: ${ParseIssues.format(decoded.left)}`)
        )
    })
}

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

const withSecretHeadersRedacted = (names: ReadonlyArray<string | RegExp>) => [...names, ...Secrets.secretHeaderNames]

/**
 * Makes the function that performs every call of a client: send with the credentials,
 * hand a 2xx to `onSuccess`, map anything else to its typed error, time each attempt out,
 * and retry what is transient (honouring `Retry-After`). Credentials are redacted from
 * the platform's spans and scrubbed from any text that reaches an error.
 *
 * @internal
 */
export const make = (httpClient: HttpClient.HttpClient, settings: Settings) => {
  const secrets = [settings.apiKey, settings.serverHash]
  const scrub = (text: string) => Secrets.scrub(text, secrets)
  const retrySchedule = RetryPolicy.schedule(settings.retry)
  const client = httpClient.pipe(
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.prependUrl(settings.apiUrl),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeaders({
          "x-api-key": Redacted.value(settings.apiKey),
          "server-hash": Redacted.value(settings.serverHash)
        })
      )
    )
  )

  return <A, K extends BankConnectError.KnownCode>(
    endpoint: Endpoint<K>,
    onSuccess: OnSuccess<A>
  ): Effect.Effect<A, CallError<K>> => {
    const { request, sessionId } = endpoint
    const errorContext: ErrorResponse.CallContext<K> = { codes: endpoint.codes, sessionId, scrub }
    const target = { method: request.method, url: `${settings.apiUrl}${request.url}` }
    const withSession = sessionId === undefined ? {} : { sessionId }
    type Failure = RetryPolicy.AttemptFailure<CallError<K>>
    const failure = <E extends CallError<K>>(error: E, retryable: boolean, retryAfter = Option.none<Duration.Duration>()) =>
      new RetryPolicy.AttemptFailure<CallError<K>>({ error, retryable, retryAfter })
    const transportError = (reason: "Network" | "Timeout", message: string) =>
      new BankConnectError.TransportError({ reason, message: scrub(message), ...target, ...withSession })
    const network = (error: HttpClientError.HttpClientError) =>
      failure(
        transportError("Network", `${target.method} ${target.url} failed: ${describe(error)}`),
        error._tag === "ResponseError" || error.reason === "Transport"
      )

    const handle = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.flatMap(Effect.mapError(response.text, network), (text): Effect.Effect<A, Failure> => {
        if (response.status >= 200 && response.status < 300) {
          const answer = { text, status: response.status, url: target.url, sessionId }
          return Effect.mapError(
            onSuccess(answer),
            // the message quotes the body: scrub it as every other text from the server
            (error) => failure(new BankConnectError.InvalidResponse({ ...error, message: scrub(error.message) }), false)
          )
        }
        const error = ErrorResponse.fromResponse(errorContext, response.status, text)
        if (!RetryPolicy.transientStatuses.has(response.status)) return Effect.fail(failure(error, false))
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.fail(failure(error, true, RetryPolicy.parseRetryAfter(response.headers["retry-after"], now))))
      })

    const attempt = client.execute(request).pipe(
      Effect.locallyWith(Headers.currentRedactedNames, withSecretHeadersRedacted),
      Effect.mapError(network),
      Effect.flatMap(handle),
      Effect.timeoutFail({
        duration: settings.timeout,
        onTimeout: () =>
          failure(
            transportError("Timeout", `${target.method} ${target.url} timed out after ${Duration.format(settings.timeout)}`),
            true
          )
      })
    )
    return (settings.inFlight === undefined ? attempt : settings.inFlight(attempt)).pipe(
      Effect.retry(retrySchedule),
      Effect.mapError((failure) => failure.error)
    )
  }
}
