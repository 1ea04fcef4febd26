/**
 * The webhook receiver, three ways over one implementation: an `HttpApp` for Effect
 * servers ({@link httpApp}), a Fetch handler and a Node listener for any other server
 * ({@link toWebHandler}, {@link toNodeListener}); with deduplication, a body limit, a shared
 * secret and a handler timeout.
 *
 * @since 0.2.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Http from "node:http"
import * as Receiver from "./internal/receiver.js"
import * as ReceiverMounts from "./internal/receiverMounts.js"
import * as WebhookFast from "./internal/webhookFast.js"
import * as WebhookPayload from "./WebhookPayload.js"

type Event = WebhookPayload.Event
type WebhookPayloadError = WebhookPayload.WebhookPayloadError

const decoder = WebhookFast.decoder(WebhookPayload)

/**
 * Where a receiver remembers the events it has handled, so a repeated delivery is
 * acknowledged without running `onEvent` again. The default keeps the newest 10,000 in
 * memory; give your own (a database, Redis, ...) to share it between processes. Keys are
 * 43-character hashes (base64url SHA-256 of the event's name, session and content), never
 * the ids themselves.
 *
 * @since 0.1.0
 * @category models
 */
export interface DedupeStore {
  /** Whether an event with this key was handled. */
  readonly has: (key: string) => Effect.Effect<boolean>
  /** Marks an event as handled (only after `onEvent` succeeded). */
  readonly add: (key: string) => Effect.Effect<void>
  /**
   * For a store shared between processes: takes the event for this receiver, atomically
   * (a unique key in a database, say), where `has` then `add` would let two receivers
   * both handle a copy each. `"new"`: this receiver handles it (then `add`, or `release`
   * if `onEvent` fails); `"handled"`: it was, the delivery is acknowledged; `"busy"`:
   * another receiver is handling it now, the delivery is answered 503 with `Retry-After`
   * so the sender tries again. A claim should lapse after a while (longer than
   * `handlerTimeout`), in case its receiver died. When present, `has` is not called.
   *
   * @since 0.3.0
   */
  readonly claim?: ((key: string) => Effect.Effect<"new" | "handled" | "busy">) | undefined
  /**
   * Gives a claim back, when `onEvent` failed or timed out, so the next copy is handled.
   *
   * @since 0.3.0
   */
  readonly release?: ((key: string) => Effect.Effect<void>) | undefined
}

/**
 * A {@link DedupeStore} in memory that keeps the newest `capacity` keys (default 10,000;
 * a `TypeError` when it is not a positive whole number).
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryDedupeStore = (capacity?: number): DedupeStore => Receiver.memoryDedupeStore(capacity)

/**
 * What a receiver does with its input, whichever way it is mounted. The settings are
 * checked when the receiver is made: an invalid one is a `TypeError` naming it
 * ({@link httpApp}, {@link toWebHandler}, {@link toNodeListener}) or a {@link ServeError}
 * ({@link serve}, {@link layer}).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceiverOptions {
  /**
   * A shared secret: when set, a request whose `secretHeader` does not match it (compared
   * in constant time) is answered 401 and never read further. It must not be empty, nor
   * start or end with whitespace (a header value cannot).
   */
  readonly secret?: Redacted.Redacted<string> | string | undefined
  /** A header name. Default `"x-secret-key"`. */
  readonly secretHeader?: string | undefined
  /** Larger bodies are answered 413. A positive whole number; default 1 MiB. */
  readonly maxBodyBytes?: number | undefined
  /**
   * The most body bytes the receiver's deliveries may hold at once, all of them together,
   * from before a body is read until its delivery is answered (`onEvent` included). Each
   * delivery reserves its declared `content-length` (`maxBodyBytes` when it has none, as a
   * chunked body), then the body's actual size once read, and gives it back however its
   * handling ends. A delivery that does not fit is answered 503 (`RECEIVER_BUSY`, with
   * `Retry-After: 1` and `Connection: close`) without its body being read, so the sender
   * retries. So the memory deliveries take stays within a small multiple of it whatever
   * anyone sends (a body is briefly bytes, text and parsed JSON at once; then its event
   * alone while it waits), where `maxBodyBytes` times the connections would not. Fewer
   * chunked deliveries fit at once, as each holds `maxBodyBytes` until read. Bytes still
   * held by a Promise `onEvent` that outlived its delivery (see `handlerTimeout`) are no
   * longer counted. A positive whole number, at least
   * `maxBodyBytes`; default 64 MiB (or `maxBodyBytes`, when that is larger). One receiver
   * (one {@link httpApp}, {@link toWebHandler}, {@link toNodeListener} or `serve` call) has
   * one budget.
   *
   * @since 0.2.0
   */
  readonly maxInFlightBytes?: number | undefined
  /** Default {@link memoryDedupeStore}; `false` turns deduplication off. */
  readonly dedupe?: DedupeStore | false | undefined
  /**
   * How long handling one delivery may take, from its decoded body to its answer:
   * `onEvent`, the dedupe store, and waiting for a copy of the same event being handled
   * at the same time. Past it the delivery is answered 503 (`HANDLER_TIMEOUT`) so the
   * sender retries, `onEvent` is interrupted, and a copy that was waiting handles the
   * event itself. Under {@link toWebHandler} and {@link toNodeListener} `onEvent` returns a
   * Promise, which cannot be cancelled: it is left to settle on its own, and a retry may
   * run `onEvent` again meanwhile. Default `"10 seconds"`; `Duration.infinity` turns it off.
   *
   * @since 0.2.0
   */
  readonly handlerTimeout?: Duration.DurationInput | undefined
}

/**
 * A body that was refused as invalid, handed to `onInvalid` so nothing is silently lost.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidDelivery {
  /** The raw body, as received (decoded as UTF-8 where it could be). */
  readonly body: string
  readonly error: WebhookPayloadError
}

/**
 * The Effect receiver's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpAppOptions<E, R> extends ReceiverOptions {
  /** Runs once per event; the delivery is answered 200 only after it succeeds, 500 when it fails. */
  readonly onEvent: (event: Event) => Effect.Effect<void, E, R>
  /** Runs for every body answered 400. */
  readonly onInvalid?: ((invalid: InvalidDelivery) => Effect.Effect<void, never, R>) | undefined
}

/**
 * The receiver as an `@effect/platform` `HttpApp`, to mount in an `HttpServer` or an
 * `HttpRouter` route. POST with `application/json` only (405 with `Allow`, 415), the body
 * limit (413), the secret (401), the in-flight budget (503 `RECEIVER_BUSY`), invalid bodies
 * (400, and `onInvalid`), repeated deliveries (200 without `onEvent`), and `onEvent` (200
 * after it succeeds, 500 when it fails).
 *
 * @since 0.1.0
 * @category receivers
 */
export const httpApp = <E, R>(
  options: HttpAppOptions<E, R>
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> => ReceiverMounts.httpApp(options, decoder)

/**
 * The Promise-based receiver's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions extends ReceiverOptions {
  /** Runs once per event; a throw or a rejection answers 500, so the sender retries. */
  readonly onEvent: (event: Event) => void | Promise<void>
  /** Runs for every body answered 400. */
  readonly onInvalid?: ((invalid: InvalidDelivery) => void | Promise<void>) | undefined
}

/**
 * The receiver as a standard `(request: Request) => Promise<Response>`, for Hono, Next.js
 * route handlers, Bun, Deno and any Fetch-shaped server. It behaves as {@link httpApp}.
 * When `request.signal` aborts (the client went away) it stops handling the request; a
 * request it refuses before reading the body (401, 405, 413, 415, 503 `RECEIVER_BUSY`) has
 * its body cancelled.
 *
 * @example
 * ```ts
 * import { WebhookReceiver } from "@effect-bankconnect/client"
 *
 * const handled: Array<string> = []
 * const handler = WebhookReceiver.toWebHandler({
 *   onEvent: (event) => {
 *     handled.push(event._tag)
 *   }
 * })
 *
 * const delivery = () =>
 *   new Request("http://localhost/webhooks/bankconnect", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "s-1", accounts: [] })
 *   })
 *
 * assert.strictEqual((await handler(delivery())).status, 200)
 * // a repeated delivery is acknowledged without running onEvent again
 * assert.deepStrictEqual(await (await handler(delivery())).json(), { status: "duplicate" })
 * assert.deepStrictEqual(handled, ["EnrichmentNotification"])
 * ```
 *
 * @since 0.1.0
 * @category receivers
 */
export const toWebHandler = (options: HandlerOptions): (request: Request) => Promise<Response> =>
  ReceiverMounts.toWebHandler(options, decoder)

/**
 * The receiver as a Node `(req, res)` listener, for `http.createServer` and Express-style
 * servers (mount it before any body parser: it reads the body itself). It behaves as
 * {@link httpApp}; a request it answers before its body has all arrived (a refusal: 401,
 * 405, 413, 415, 503 `RECEIVER_BUSY`) gets `Connection: close` and its socket is destroyed
 * once the answer is written. Slow clients are the Node server's to bound: give it what {@link serve} sets,
 *
 * ```ts
 * const server = http.createServer({
 *   headersTimeout: 10_000,
 *   requestTimeout: 30_000,
 *   keepAliveTimeout: 5_000,
 *   connectionsCheckingInterval: 1_000 // Node's default, 30 s, enforces the timeouts late
 * }, Webhook.toNodeListener({ onEvent }))
 * server.maxConnections = 1024
 * ```
 *
 * @since 0.1.0
 * @category receivers
 */
export const toNodeListener = (
  options: HandlerOptions
): (req: Http.IncomingMessage, res: Http.ServerResponse) => void => ReceiverMounts.toNodeListener(options, decoder)
