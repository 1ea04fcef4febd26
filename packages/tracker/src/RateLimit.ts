/**
 * BankConnect's rate limit is per API key, so one 429 speaks for the whole fleet. The
 * client honours `Retry-After` for the request that got it, but does not pass it on in
 * its errors; this module's `HttpClient` wrapper tells the tracker of every 429 and its
 * `Retry-After` as it arrives, and the tracker pauses every poll until then.
 *
 * Give the tracker's `BankConnectClient` the wrapped `HttpClient` ({@link layer} between the
 * client and the transport). Without it, the tracker still pauses the fleet when a poll
 * ends in a 429, for its `rateLimitPause`.
 *
 * @example
 * ```ts
 * import { BankConnectClient } from "@effect-bankconnect/client"
 * import { RateLimit } from "@effect-bankconnect/tracker"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * // the client the tracker uses, over a transport that reports each 429 to it
 * export const Client = BankConnectClient.layer({
 *   apiKey: Redacted.make("your-api-key"),
 *   serverHash: Redacted.make("your-server-hash")
 * }).pipe(Layer.provide(RateLimit.layer), Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.3.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Internal from "./internal/rateLimit.js"

/**
 * Wraps an `HttpClient` so that each 429 answer, and the wait its `Retry-After` asks for
 * (seconds or an HTTP date), reaches the tracker that sent the request. Requests sent
 * from anywhere else pass through unchanged.
 *
 * @since 0.3.0
 * @category combinators
 */
export const observe: (client: HttpClient.HttpClient) => HttpClient.HttpClient = Internal.observe

/**
 * Replaces the `HttpClient` in context with {@link observe} of it.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, Internal.observe)
)
