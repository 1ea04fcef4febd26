import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type * as Webhook from "../Webhook.js"
import { BoundedMap } from "./boundedMap.js"
import * as Receiver from "./receiver.js"
import * as ReceiverMounts from "./receiverMounts.js"

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
    // handlers run in this scope's runtime, and are interrupted when it closes
    const run = yield* FiberSet.makeRuntime<R, Receiver.Answer>()
    const listener = ReceiverMounts.nodeListener(receiver, run)
    const notFound: Receiver.Answer = {
      status: 404,
      body: { error: { code: "NOT_FOUND", message: `Deliveries go to ${path}` } },
      headers: {}
    }
    const server = createServer((req, res) =>
      (req.url ?? "/").split("?")[0] === path ? listener(req, res) : ReceiverMounts.writeAnswer(res, notFound)
    )
    yield* Effect.acquireRelease(
      Effect.async<void, Err>((resume) => {
        server.once("error", (error) => resume(Effect.fail(onError(`The webhook server could not start: ${error.message}`))))
        server.listen(options.port ?? 0, host, () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const port = (server.address() as AddressInfo).port

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
