import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type * as WebhookPayload from "../WebhookPayload.js"
import type * as WebhookServer from "../WebhookServer.js"
import { BoundedMap } from "./boundedMap.js"
import * as Receiver from "./receiver.js"
import * as ReceiverMounts from "./receiverMounts.js"
import * as Settings from "./receiverSettings.js"

/** @internal */
export const recentCapacity = 10_000

/** @internal */
export const recentBytes = 16 * 1024 * 1024

/**
 * The largest enrichment body kept in the recent map, in bytes (real ones are a few KB): a
 * larger one is published but not kept, so that {@link recentBytes} holds at least 256
 * sessions and a few large deliveries cannot push the others out.
 *
 * @internal
 */
export const recentEntryBytes = 64 * 1024

/** @internal */
export const eventsCapacity = 64

/**
 * Whether `host` only accepts connections from this machine: `localhost`, `127.x.x.x`,
 * `::1` (also in brackets, or as `::ffff:127.x.x.x`).
 *
 * @internal
 */
export const isLoopback = (host: string): boolean => {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1")
  return name === "localhost" || name === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(name)
}

/** @internal */
export const unauthenticatedWarning = (host: string) =>
  `The webhook server listens on ${host} without a secret: anyone who can reach it can post ` +
  `deliveries, forged enrichments included, and push the kept ones out. Set the secret option ` +
  `(and register it with BankConnect), or listen on a loopback address behind a proxy that checks it.`

/**
 * How often Node checks the headers and request timeouts (its default, 30 seconds, lets a
 * slow client hold its connection that much longer): every second, or a quarter of a
 * shorter headers timeout.
 */
const checkingIntervalMillis = (headersTimeoutMillis: number) => Math.min(1_000, Math.ceil(headersTimeoutMillis / 4))

/** A request target's path, without its query. */
const pathOf = (url: string | undefined) => {
  if (url === undefined) return "/"
  const query = url.indexOf("?")
  return query < 0 ? url : url.slice(0, query)
}

/**
 * Starts the receiver on a Node server for the life of the scope; the first enrichment
 * handled per session is kept (the newest {@link recentCapacity} sessions, within
 * {@link recentBytes} of bodies, each at most {@link recentEntryBytes}) and every handled
 * event is published to every subscriber, up to {@link eventsCapacity} waiting for the
 * slowest one before `onEvent` waits too. Without a secret on a host other than loopback,
 * it logs a warning once at start.
 *
 * @internal
 */
export const make = <E, R, Err>(
  options: WebhookServer.ServeOptions<E, R>,
  onError: (message: string) => Err,
  decoder: Receiver.Decoder
) =>
  Effect.gen(function*() {
    const check = <A>(settings: () => A) =>
      Effect.try({ try: settings, catch: (error) => onError(error instanceof Error ? error.message : String(error)) })
    const settings = yield* check(() => Settings.server(options))
    const { host, path } = settings
    const pubsub = yield* Effect.acquireRelease(PubSub.bounded<WebhookPayload.Event>(eventsCapacity), PubSub.shutdown)
    const recent = new BoundedMap<string, WebhookPayload.EnrichmentNotification>(recentCapacity, recentBytes)

    const keep = (event: WebhookPayload.Event, bodyBytes: number) => {
      // the first one handled stays: a later delivery (a forged copy, say) does not replace
      // it; an oversized one is not kept, so that a few cannot push the others out
      if (event._tag === "EnrichmentNotification" && bodyBytes <= recentEntryBytes && !recent.has(event.session_id)) {
        recent.set(event.session_id, event, bodyBytes)
      }
    }
    const publish = (event: WebhookPayload.Event, bodyBytes: number) =>
      Effect.suspend(() => {
        keep(event, bodyBytes)
        return PubSub.publish(pubsub, event)
      })
    const onEvent = options.onEvent

    const receiver = yield* check(() =>
      Receiver.make<E, R>({
        ...options,
        onEvent: onEvent === undefined
          ? publish
          : (event, bodyBytes) => Effect.zipRight(onEvent(event), publish(event, bodyBytes)),
        // without an onEvent, publishing is all there is to do: at once when the events
        // have room (as PubSub.publish does then), else by onEvent, which waits for room
        handleNow: onEvent === undefined
          ? (event, bodyBytes) => {
            keep(event, bodyBytes)
            return pubsub.unsafeOffer(event)
          }
          : undefined
      }, decoder)
    )
    // handlers run in this scope's runtime, and are interrupted when it closes
    const run = yield* FiberSet.makeRuntime<R, Receiver.Answer>()
    const listener = ReceiverMounts.nodeListener(receiver, run)
    const notFound = Receiver.refuse(404, "NOT_FOUND", `Deliveries go to ${path}`)
    const server = createServer(
      {
        headersTimeout: settings.headersTimeoutMillis,
        requestTimeout: settings.requestTimeoutMillis,
        keepAliveTimeout: settings.keepAliveTimeoutMillis,
        connectionsCheckingInterval: checkingIntervalMillis(settings.headersTimeoutMillis)
      },
      (req, res) => (pathOf(req.url) === path ? listener(req, res) : ReceiverMounts.writeAnswer(req, res, notFound))
    )
    server.maxConnections = settings.maxConnections
    yield* Effect.acquireRelease(
      Effect.async<void, Err>((resume) => {
        server.once(
          "error",
          (error) => resume(Effect.fail(onError(`The webhook server could not start: ${error.message}`)))
        )
        server.listen(settings.port, host, () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const port = (server.address() as AddressInfo).port
    if (options.secret === undefined && !isLoopback(host)) yield* Effect.logWarning(unauthenticatedWarning(host))

    const awaitEnrichment = (sessionId: string) =>
      Effect.scoped(Effect.gen(function*() {
        const subscription = yield* PubSub.subscribe(pubsub)
        const known = recent.get(sessionId)
        if (known !== undefined) return known
        while (true) {
          const event = yield* Queue.take(subscription)
          if (event._tag === "EnrichmentNotification" && event.session_id === sessionId) return event
        }
      }))

    const service: WebhookServer.Server = {
      url: `http://${host}:${port}${path}`,
      port,
      events: Stream.fromPubSub(pubsub),
      awaitEnrichment,
      latestEnrichment: (sessionId) => Effect.sync(() => Option.fromNullable(recent.get(sessionId)))
    }
    return service
  })
