import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { createHash, timingSafeEqual } from "node:crypto"
import type * as Webhook from "../Webhook.js"
import type * as Body from "./body.js"
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

/**
 * What the receiver needs of a request, whatever server it came through.
 *
 * @internal
 */
export interface Delivery {
  readonly method: string
  /** A header by its lower-case name. */
  readonly header: (name: string) => string | undefined
  /** The body, failing as soon as it grows past `max` bytes. */
  readonly body: (max: number) => Effect.Effect<Uint8Array, Body.TooLarge | Body.Unreadable>
}

/**
 * The receiver's answer: a status and a JSON body.
 *
 * @internal
 */
export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** @internal */
export type Handler<R> = (delivery: Delivery) => Effect.Effect<Answer, never, R>

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, body, headers })

const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  reply(status, { error: { code, message } }, headers)

const digest = (value: string) => createHash("sha256").update(value).digest()

/** Compares in time that does not depend on where the values differ (digests have one length). */
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected)

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && contentType.split(";")[0]!.trim().toLowerCase() === "application/json"

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/** Identifies an event for deduplication: its name, session and whole content. */
const eventKey = (event: Webhook.Event, json: unknown) => {
  const sessionId = "session_id" in event ? event.session_id : null
  return `${event.event_name}:${sessionId}:${createHash("sha256").update(JSON.stringify(json)).digest("base64url")}`
}

/**
 * The answer when the receiver itself failed (a defect, or its fiber interrupted).
 *
 * @internal
 */
export const failed: Answer = refuse(500, "RECEIVER_ERROR", "The receiver failed")

/**
 * The receiver's one implementation, over a `Delivery` so that every server can run it
 * (see `receiverMounts.ts`). It never fails: a defect is answered 500.
 *
 * @internal
 */
export const make = <E, R>(options: Webhook.HttpAppOptions<E, R>): Handler<R> => {
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
  const handleOnce = (key: string, event: Webhook.Event): Effect.Effect<Answer, never, R> =>
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

  const receive = (request: Delivery) => Effect.gen(function*() {
    if (request.method !== "POST") {
      return refuse(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed; deliveries are POSTed`, {
        allow: "POST"
      })
    }
    if (secret !== undefined) {
      const given = request.header(secretHeader)
      if (given === undefined || !sameSecret(given, secret)) {
        return refuse(401, "UNAUTHORIZED", `The ${secretHeader} header is missing or does not match`)
      }
    }
    if (!isJson(request.header("content-type"))) {
      return refuse(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json")
    }
    const declared = Number(request.header("content-length"))
    if (declared > maxBodyBytes) return refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`)
    const bytes = yield* Effect.either(request.body(maxBodyBytes))
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

  return (delivery) => Effect.catchAllCause(receive(delivery), () => Effect.succeed(failed))
}
