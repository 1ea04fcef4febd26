/**
 * A ready webhook server: the receiver on a Node server for the life of a scope, its
 * events as a `Stream`, and the {@link WebhookEvents} service that `Completion` listens to.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as WebhookFast from "./internal/webhookFast.js"
import * as Internal from "./internal/webhookServer.js"
import * as WebhookPayload from "./WebhookPayload.js"
import type * as WebhookReceiver from "./WebhookReceiver.js"

type Event = WebhookPayload.Event
type EnrichmentNotification = WebhookPayload.EnrichmentNotification
type ReceiverOptions = WebhookReceiver.ReceiverOptions
type InvalidDelivery = WebhookReceiver.InvalidDelivery

const decoder = WebhookFast.decoder(WebhookPayload)

/**
 * A running webhook server: where it listens, and its events.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  /** The full URL to register with `updateWebhook`, such as `http://127.0.0.1:8080/webhooks/bankconnect`. */
  readonly url: string
  readonly port: number
  /**
   * Every event handled from now on (each subscriber gets its own copy). Up to 64 events
   * wait for a subscriber that does not keep up; past that, handling a delivery waits for
   * it, and one that waits past `handlerTimeout` is answered 503 so the sender retries:
   * nothing is lost, and memory stays bounded.
   */
  readonly events: Stream.Stream<Event>
  /**
   * The session's `ENRICHMENT_NOTIFICATION`, the first one handled: at once if it was
   * handled recently, else when one arrives. The newest 10,000 sessions are kept, within
   * 16 MiB of bodies (the oldest go first); a body over 64 KiB (real ones are a few KB) is
   * published to `events` but not kept, so at least 256 sessions fit.
   *
   * Without a `secret`, anyone who can reach the server can post enrichments: a forged one
   * for a session not yet kept is what this gives, and enough deliveries for made-up
   * sessions push the kept ones out (then a forged copy for a real session is kept in its
   * place). `Completion` checks an enrichment against the progress API before trusting it;
   * set `secret` whenever the server is reachable from the network.
   */
  readonly awaitEnrichment: (sessionId: string) => Effect.Effect<EnrichmentNotification>
  /**
   * The first `ENRICHMENT_NOTIFICATION` handled for the session, if it was handled
   * recently; a later delivery for the session (a forged one, say) does not replace it
   * while it is kept. Kept as for {@link awaitEnrichment}, with the same caveat: without a
   * `secret`, anyone who can reach the server can post enrichments and push the kept ones
   * out, so what this gives is only as trustworthy as the senders who can reach it.
   */
  readonly latestEnrichment: (sessionId: string) => Effect.Effect<Option.Option<EnrichmentNotification>>
}

/**
 * The webhook server service: `Completion` uses it, when present, to hear about a session
 * before polling for it.
 *
 * @since 0.1.0
 * @category tags
 */
export class WebhookEvents extends Context.Tag("@effect-bankconnect/client/WebhookEvents")<WebhookEvents, Server>() {}

/**
 * The ready server's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions<E, R> extends ReceiverOptions {
  /**
   * A shared secret: when set, a request whose `secretHeader` does not match it (compared
   * in constant time) is answered 401 and never read further. It must not be empty, nor
   * start or end with whitespace (a header value cannot).
   *
   * Without it, anyone who can reach the server can post deliveries: forged enrichments
   * that `awaitEnrichment` and `latestEnrichment` give for sessions not yet kept, and
   * enough of them to push the kept ones out. `Completion` checks an enrichment against
   * the progress API, but set a secret whenever `host` is reachable from the network;
   * `serve` logs a warning at start when `host` is not a loopback address and no secret is
   * set.
   */
  readonly secret?: Redacted.Redacted<string> | string | undefined
  /** Default 0: a free port chosen by the system. */
  readonly port?: number | undefined
  /**
   * Default `"127.0.0.1"`; `"0.0.0.0"` to accept deliveries from the network (then set
   * `secret`: without one, `serve` logs a warning at start).
   */
  readonly host?: string | undefined
  /** The path deliveries are posted to. Default `"/webhooks/bankconnect"`. */
  readonly path?: string | undefined
  /** Runs once per event before it is published to `events`. Default: nothing. */
  readonly onEvent?: ((event: Event) => Effect.Effect<void, E, R>) | undefined
  /** Runs for every body answered 400. */
  readonly onInvalid?: ((invalid: InvalidDelivery) => Effect.Effect<void, never, R>) | undefined
  /**
   * How long a client may take to send a request's headers, from connecting (or from the
   * end of its previous request): past it Node answers 408 and closes the connection. The
   * server checks its connections every second (every quarter of a shorter
   * `headersTimeout`), so a slow one is dropped at most that much later. At most
   * `requestTimeout`; default `"10 seconds"`.
   *
   * @since 0.2.0
   */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /**
   * How long a client may take to send a whole request, body included (its handling is
   * `handlerTimeout`'s). Default `"30 seconds"`.
   *
   * @since 0.2.0
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /**
   * How long an idle kept-alive connection stays open. Default `"5 seconds"`.
   *
   * @since 0.2.0
   */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /**
   * The most connections open at once; past it a new one is closed at once. A positive
   * whole number; default 1024.
   *
   * @since 0.2.0
   */
  readonly maxConnections?: number | undefined
}

/**
 * The webhook server could not start (the port is taken, say), or a setting is invalid
 * (the message names it).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServeError extends Schema.TaggedError<ServeError>()("ServeError", { message: Schema.String }) {}

/**
 * Starts a Node server with the receiver on `path` for the life of the scope. Slow
 * clients are bounded by `headersTimeout`, `requestTimeout`, `keepAliveTimeout` and
 * `maxConnections`, the memory deliveries hold by `maxInFlightBytes`; a refused request's
 * connection is closed rather than read to its end. Listening on a host other than a
 * loopback address without a `secret` logs a warning (see `ServeOptions.secret`).
 *
 * @example
 * ```ts
 * import { WebhookServer } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const url = await Effect.runPromise(Effect.scoped(Effect.map(WebhookServer.serve(), (server) => server.url)))
 *
 * assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/webhooks\/bankconnect$/)
 * ```
 *
 * @since 0.1.0
 * @category receivers
 */
export const serve = <E = never, R = never>(
  options?: ServeOptions<E, R>
): Effect.Effect<Server, ServeError, Scope.Scope | R> =>
  Internal.make(options ?? {}, (message) => new ServeError({ message }), decoder)

/**
 * {@link serve} as a layer providing {@link WebhookEvents}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E = never, R = never>(
  options?: ServeOptions<E, R>
): Layer.Layer<WebhookEvents, ServeError, R> => Layer.scoped(WebhookEvents, serve(options))
