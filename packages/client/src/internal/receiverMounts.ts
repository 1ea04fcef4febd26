import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Http from "node:http"
import type * as Webhook from "../Webhook.js"
import * as Body from "./body.js"
import * as Receiver from "./receiver.js"

// The receiver mounted three ways. Each adapter only translates a request into a
// `Delivery` and an `Answer` into a response: the Node and Fetch ones talk to their server
// directly, without the platform's HTTP layer, which costs more than the receiver itself.

/** The receiver as an `@effect/platform` `HttpApp`. @internal */
export const httpApp = <E, R>(
  options: Webhook.HttpAppOptions<E, R>
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> => {
  const handle = Receiver.make(options)
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.map(
      handle({
        method: request.method,
        header: (name) => request.headers[name],
        body: (max) => Body.read(request, max)
      }),
      (answer) => HttpServerResponse.unsafeJson(answer.body, { status: answer.status, headers: answer.headers })
    ))
}

const fromPromise = (options: Webhook.HandlerOptions): Webhook.HttpAppOptions<unknown, never> => ({
  ...options,
  onEvent: (event) => Effect.tryPromise({ try: async () => options.onEvent(event), catch: (error) => error }),
  onInvalid: options.onInvalid === undefined ? undefined : (delivery) =>
    Effect.promise(async () => {
      try {
        await options.onInvalid?.(delivery)
      } catch {
        // a failing onInvalid does not change the answer
      }
    })
})

/** The receiver as a Fetch handler. @internal */
export const toWebHandler = (options: Webhook.HandlerOptions): (request: Request) => Promise<Response> => {
  const handle = Receiver.make(fromPromise(options))
  return (request) =>
    Effect.runPromise(handle({
      method: request.method,
      header: (name) => request.headers.get(name) ?? undefined,
      body: (max) => Body.fromFetch(request, max)
    })).then((answer) =>
      new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "content-type": "application/json", ...answer.headers }
      })
    )
}

/** Writes an answer to a Node response, unless the client has gone. @internal */
export const writeAnswer = (res: Http.ServerResponse, answer: Receiver.Answer) => {
  if (res.destroyed || res.headersSent) return
  const json = JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    ...answer.headers
  })
  res.end(json)
}

/**
 * A Node listener running `handle` in fibers that `run` starts; a request whose client
 * goes away before the answer interrupts its fiber.
 *
 * @internal
 */
export const nodeListener = <R>(
  handle: Receiver.Handler<R>,
  run: (effect: Effect.Effect<Receiver.Answer, never, R>) => Fiber.RuntimeFiber<Receiver.Answer>
) =>
(req: Http.IncomingMessage, res: Http.ServerResponse): void => {
  const fiber = run(handle({
    method: req.method ?? "GET",
    header: (name) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value.join(", ") : value
    },
    body: (max) => Body.fromNode(req, max)
  }))
  fiber.addObserver((exit) => writeAnswer(res, Exit.isSuccess(exit) ? exit.value : Receiver.failed))
  res.once("close", () => {
    if (!res.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
  })
}

/** The receiver as a Node listener. @internal */
export const toNodeListener = (
  options: Webhook.HandlerOptions
): (req: Http.IncomingMessage, res: Http.ServerResponse) => void =>
  nodeListener(Receiver.make(fromPromise(options)), Effect.runFork)
