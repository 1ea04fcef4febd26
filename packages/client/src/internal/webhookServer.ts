import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { createServer } from "node:http"
import type * as Webhook from "../Webhook.js"
import { BoundedMap } from "./boundedMap.js"
import * as Receiver from "./receiver.js"

const recentCapacity = 10_000

/**
 * Starts the receiver on a Node server for the life of the scope; handled events are kept
 * per session (the newest {@link recentCapacity}) and published to every subscriber.
 *
 * @internal
 */
export const make = <E, R, Err>(options: Webhook.ServeOptions<E, R>, onError: (message: string) => Err) =>
  Effect.gen(function*() {
    const path = options.path ?? "/webhooks/bankconnect"
    const host = options.host ?? "127.0.0.1"
    const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<Webhook.Event>(), PubSub.shutdown)
    const recent = new BoundedMap<string, Webhook.EnrichmentNotification>(recentCapacity)

    const publish = (event: Webhook.Event) =>
      Effect.suspend(() => {
        if (event._tag === "EnrichmentNotification") recent.set(event.session_id, event)
        return PubSub.publish(pubsub, event)
      })

    const receiver = Receiver.make<E, R>({
      ...options,
      onEvent: (event) => Effect.zipRight(options.onEvent?.(event) ?? Effect.void, publish(event))
    })
    const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      request.url.split("?")[0] === path
        ? receiver
        : Effect.succeed(
          HttpServerResponse.unsafeJson({ error: { code: "NOT_FOUND", message: `Deliveries go to ${path}` } }, {
            status: 404
          })
        ))

    const context = yield* Layer.build(NodeHttpServer.layer(createServer, { host, port: options.port ?? 0 })).pipe(
      Effect.mapError((error) => onError(`The webhook server could not start: ${error.message}`))
    )
    const server = Context.get(context, HttpServer.HttpServer)
    yield* server.serve(app)
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0

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

    const service: Webhook.Server = {
      url: `http://${host}:${port}${path}`,
      port,
      events: Stream.fromPubSub(pubsub),
      awaitEnrichment,
      latestEnrichment: (sessionId) => Effect.sync(() => Option.fromNullable(recent.get(sessionId)))
    }
    return service
  })
