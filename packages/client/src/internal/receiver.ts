import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { createHash, timingSafeEqual } from "node:crypto"
import type * as Http from "node:http"
import type * as Webhook from "../Webhook.js"
import { BoundedMap } from "./boundedMap.js"
import * as WebhookModule from "../Webhook.js"

/** @internal */
export const memoryDedupeStore = (capacity = 10_000): Webhook.DedupeStore => {
  const handled = new BoundedMap<string, true>(capacity)
  return {
    has: (key) => Effect.sync(() => handled.has(key)),
    add: (key) => Effect.sync(() => handled.set(key, true))
  }
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  reply(status, { error: { code, message } }, headers)

const digest = (value: string) => createHash("sha256").update(value).digest()

/** Compares in time that does not depend on where the values differ (digests have one length). */
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected)

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && contentType.split(";")[0]!.trim().toLowerCase() === "application/json"

class TooLarge {
  readonly _tag = "TooLarge"
}

/** Reads the body, failing as soon as it grows past `max` bytes. */
const readBody = (request: HttpServerRequest.HttpServerRequest, max: number) =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let size = 0
    yield* Stream.runForEach(request.stream, (chunk) => {
      size += chunk.byteLength
      if (size > max) return Effect.fail(new TooLarge())
      chunks.push(chunk)
      return Effect.void
    })
    return Buffer.concat(chunks, size)
  })

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/** Identifies an event for deduplication: its name, session and whole content. */
const eventKey = (event: Webhook.Event, json: unknown) => {
  const sessionId = "session_id" in event ? event.session_id : null
  return `${event.event_name}:${sessionId}:${createHash("sha256").update(JSON.stringify(json)).digest("base64url")}`
}

/**
 * The receiver's one implementation, as an `HttpApp`; the Fetch handler and the Node
 * listener run this same app.
 *
 * @internal
 */
export const make = <E, R>(
  options: Webhook.HttpAppOptions<E, R>
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> => {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const secretHeader = (options.secretHeader ?? "x-secret-key").toLowerCase()
  const secret = options.secret === undefined
    ? undefined
    : digest(typeof options.secret === "string" ? options.secret : Redacted.value(options.secret))
  const store = options.dedupe === false ? undefined : options.dedupe ?? memoryDedupeStore()
  /** Deliveries being handled now, so a concurrent copy waits for the first one's outcome. */
  const inFlight = new Map<string, Deferred.Deferred<boolean>>()

  const invalid = (body: string, error: Webhook.WebhookPayloadError) =>
    Effect.as(
      options.onInvalid === undefined ? Effect.void : Effect.catchAllCause(options.onInvalid({ body, error }), () => Effect.void),
      refuse(400, error.reason === "InvalidJson" ? "INVALID_JSON" : "INVALID_PAYLOAD", error.message)
    )

  /** Runs `onEvent` once per key: a copy that arrives while the first runs waits for it. */
  const handleOnce = (key: string, event: Webhook.Event): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
    Effect.gen(function*() {
      if (store !== undefined && (yield* store.has(key))) return reply(200, { status: "duplicate" })
      const running = inFlight.get(key)
      if (running !== undefined) {
        if (yield* Deferred.await(running)) return reply(200, { status: "duplicate" })
        return yield* handleOnce(key, event)
      }
      const done = yield* Deferred.make<boolean>()
      inFlight.set(key, done)
      const exit = yield* Effect.exit(options.onEvent(event))
      if (Exit.isSuccess(exit) && store !== undefined) yield* store.add(key)
      inFlight.delete(key)
      yield* Deferred.succeed(done, Exit.isSuccess(exit))
      return Exit.isSuccess(exit)
        ? reply(200, { status: "ok" })
        : refuse(500, "HANDLER_FAILED", "The event could not be handled; deliver it again")
    }).pipe(Effect.onInterrupt(() => Effect.sync(() => inFlight.delete(key))))

  const app = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "POST") {
      return refuse(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed; deliveries are POSTed`, {
        allow: "POST"
      })
    }
    if (secret !== undefined) {
      const given = request.headers[secretHeader]
      if (given === undefined || !sameSecret(given, secret)) {
        return refuse(401, "UNAUTHORIZED", `The ${secretHeader} header is missing or does not match`)
      }
    }
    if (!isJson(request.headers["content-type"])) {
      return refuse(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json")
    }
    const declared = Number(request.headers["content-length"])
    if (declared > maxBodyBytes) return refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`)
    const bytes = yield* Effect.either(readBody(request, maxBodyBytes))
    if (bytes._tag === "Left") {
      return bytes.left._tag === "TooLarge"
        ? refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`)
        : refuse(400, "UNREADABLE_BODY", "The body could not be read")
    }
    let text: string
    try {
      text = utf8.decode(bytes.right)
    } catch {
      const error = new WebhookModule.WebhookPayloadError({ reason: "InvalidJson", message: "The body is not valid UTF-8" })
      return yield* invalid(lenient.decode(bytes.right), error)
    }
    // parse once, for both decoding and the dedupe key; decode reads a string as JSON text,
    // so it gets the raw text when parsing failed (it then reports why) or gave a string
    let json: unknown = undefined
    let parsed = true
    try {
      json = JSON.parse(text)
    } catch {
      parsed = false
    }
    const decoded = yield* Effect.either(WebhookModule.decode(parsed && typeof json !== "string" ? json : text))
    if (decoded._tag === "Left") return yield* invalid(text, decoded.left)
    return yield* handleOnce(eventKey(decoded.right, json), decoded.right)
  })

  return Effect.catchAllCause(app, () => Effect.succeed(refuse(500, "RECEIVER_ERROR", "The receiver failed")))
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

/** @internal */
export const toWebHandler = (options: Webhook.HandlerOptions): (request: Request) => Promise<Response> => {
  const handler = HttpApp.toWebHandler(make(fromPromise(options)))
  return (request) => handler(request)
}

/** @internal */
export const toNodeListener = (
  options: Webhook.HandlerOptions
): (req: Http.IncomingMessage, res: Http.ServerResponse) => void =>
  Effect.runSync(NodeHttpServer.makeHandler(make(fromPromise(options))))
