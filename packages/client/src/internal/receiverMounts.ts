import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Http from "node:http"
import type * as WebhookReceiver from "../WebhookReceiver.js"
import * as Body from "./body.js"
import * as Receiver from "./receiver.js"

// The receiver mounted three ways. Each adapter only translates a request into the
// receiver's steps and an `Answer` into a response: the Node and Fetch ones talk to their
// server directly, without the platform's HTTP layer, which costs more than the receiver
// itself. Whatever part of a delivery's handling is an Effect runs in a fiber of its own,
// which the handler deadline interrupts.

/** A Node request whose body has not all arrived yet: answering it, close the connection. */
const unfinished = (source: unknown) =>
  typeof source === "object" && source !== null && (source as { complete?: unknown }).complete === false

/** One turn of the event loop, for Node to parse the rest of the packet being read. */
const nextTurn = Effect.async<void>((resume) => void setImmediate(() => resume(Effect.void)))

/** The receiver as an `@effect/platform` `HttpApp`. @internal */
export const httpApp = <E, R>(
  options: WebhookReceiver.HttpAppOptions<E, R>,
  decoder: Receiver.Decoder
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> => {
  const handle = Receiver.handler(Receiver.make(options, decoder))
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.flatMap(
      // a fiber of its own for the deadline to interrupt, interruptible although the
      // platform runs apps uninterruptibly
      Effect.flatMap(
        Effect.fork(Effect.interruptible(handle({
          method: request.method,
          header: (name) => request.headers[name],
          body: (max) => Body.read(request, max)
        }))),
        Fiber.await
      ),
      (exit) => {
        const answer = Receiver.answerOf(exit)
        const respond = () => {
          // on a Node server, a refusal answered before the body arrived closes the
          // connection rather than have the server read the rest (see `writeAnswer`)
          const headers = unfinished(request.source) ? { ...answer.headers, connection: "close" } : answer.headers
          return HttpServerResponse.text(answer.json, {
            status: answer.status,
            headers,
            contentType: "application/json"
          })
        }
        return unfinished(request.source) ? Effect.map(nextTurn, respond) : Effect.succeed(respond())
      }
    ))
}

const fromPromise = (options: WebhookReceiver.HandlerOptions): WebhookReceiver.HttpAppOptions<unknown, never> => ({
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

const toResponse = (answer: Receiver.Answer) =>
  new Response(answer.json, {
    status: answer.status,
    headers: { "content-type": "application/json", ...answer.headers }
  })

/** The receiver as a Fetch handler. @internal */
export const toWebHandler = (
  options: WebhookReceiver.HandlerOptions,
  decoder: Receiver.Decoder
): (request: Request) => Promise<Response> => {
  const handle = Receiver.handler(Receiver.make(fromPromise(options), decoder))
  return (request) =>
    new Promise((resolve) => {
      const fiber = Effect.runFork(handle({
        method: request.method,
        header: (name) => request.headers.get(name) ?? undefined,
        body: (max) => Body.fromFetch(request, max)
      }))
      // the client went away: stop handling (a Promise onEvent cannot be stopped, only left)
      const signal: AbortSignal | undefined = request.signal
      const abort = () => fiber.unsafeInterruptAsFork(FiberId.none)
      if (signal?.aborted === true) abort()
      else signal?.addEventListener("abort", abort, { once: true })
      fiber.addObserver((exit) => {
        signal?.removeEventListener("abort", abort)
        // a refusal answered before the body was read: cancel the rest rather than receive it
        if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {})
        resolve(toResponse(Receiver.answerOf(exit)))
      })
    })
}

const write = (req: Http.IncomingMessage, res: Http.ServerResponse, answer: Receiver.Answer) => {
  if (res.destroyed || res.headersSent) return
  const length = String(Buffer.byteLength(answer.json))
  if (req.complete) {
    res.writeHead(answer.status, { "content-type": "application/json", "content-length": length, ...answer.headers })
  } else {
    res.writeHead(answer.status, {
      "content-type": "application/json",
      "content-length": length,
      connection: "close",
      ...answer.headers
    })
    res.once("finish", () => req.socket.destroy())
  }
  res.end(answer.json)
}

/**
 * Writes an answer to a Node response, unless the client has gone. A request whose body
 * has not all arrived (a refusal answered from its headers, or a body past the limit) is
 * answered with `Connection: close` and its socket destroyed once the answer is written,
 * rather than the server reading (and discarding) the rest for as long as the client sends.
 * An answer given before the body has all arrived waits one turn of the event loop (a
 * refusal is given while Node is still parsing the packet that brought the headers), so
 * that a small body sent with the headers does not cost the connection.
 *
 * @internal
 */
export const writeAnswer = (req: Http.IncomingMessage, res: Http.ServerResponse, answer: Receiver.Answer) => {
  if (req.complete) write(req, res, answer)
  else setImmediate(write, req, res, answer)
}

/** A Node request's header by its lower-case name (repeated ones joined, as Node joins them). */
const nodeHeader = (req: Http.IncomingMessage, name: string) => {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(", ") : value
}

/**
 * A Node listener over the receiver's steps: its checks from the headers, the body read
 * with plain listeners (one past `maxBodyBytes` is drained, not kept), and an answer at
 * once when the receiver has one. Only what needs an Effect (`onEvent`, ...) runs in a
 * fiber, which `run` starts; a request whose client goes away before the answer
 * interrupts it, or stops reading the body.
 *
 * @internal
 */
export const nodeListener = <R>(
  receiver: Receiver.Receiver<R>,
  run: (effect: Effect.Effect<Receiver.Answer, never, R>) => Fiber.RuntimeFiber<Receiver.Answer>
) =>
(req: Http.IncomingMessage, res: Http.ServerResponse): void => {
  let admitted: Receiver.Answer | Receiver.Hold
  try {
    admitted = receiver.admit(req.method ?? "GET", (name) => nodeHeader(req, name))
  } catch {
    return writeAnswer(req, res, Receiver.failed)
  }
  if (!(admitted instanceof Receiver.Hold)) return writeAnswer(req, res, admitted)
  const hold = admitted
  // read already (a body parser mounted first): it would never end
  if (req.readableEnded) {
    hold.release()
    return writeAnswer(req, res, receiver.unreadable)
  }
  const max = receiver.maxBodyBytes
  let chunks: Array<Buffer> = []
  let size = 0
  let fiber: Fiber.RuntimeFiber<Receiver.Answer> | undefined
  const finish = (answer: Receiver.Answer) => {
    hold.release()
    writeAnswer(req, res, answer)
  }
  const stop = () => {
    req.off("data", onData)
    req.off("end", onEnd)
    req.off("error", onError)
  }
  const onData = (chunk: Buffer) => {
    size += chunk.byteLength
    if (size <= max) return void chunks.push(chunk)
    stop()
    chunks = []
    req.resume()
    finish(receiver.tooLarge)
  }
  const onEnd = () => {
    stop()
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
    chunks = []
    let received: Receiver.Answer | Effect.Effect<Receiver.Answer, never, R>
    try {
      received = receiver.receive(hold, body)
    } catch {
      received = Receiver.failed
    }
    if (!Effect.isEffect(received)) return finish(received)
    fiber = run(received)
    fiber.addObserver((exit) => finish(Receiver.answerOf(exit)))
  }
  const onError = () => {
    stop()
    chunks = []
    finish(receiver.unreadable)
  }
  req.on("data", onData)
  req.on("end", onEnd)
  req.on("error", onError)
  res.once("close", () => {
    if (res.writableEnded) return
    // the client went away before the answer: stop reading, or interrupt the handling
    stop()
    chunks = []
    if (fiber === undefined) hold.release()
    else fiber.unsafeInterruptAsFork(FiberId.none)
  })
}

/** The receiver as a Node listener. @internal */
export const toNodeListener = (
  options: WebhookReceiver.HandlerOptions,
  decoder: Receiver.Decoder
): (req: Http.IncomingMessage, res: Http.ServerResponse) => void =>
  nodeListener(Receiver.make(fromPromise(options), decoder), Effect.runFork)
