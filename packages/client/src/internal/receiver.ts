import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as HashSet from "effect/HashSet"
import { createHash, timingSafeEqual } from "node:crypto"
import type * as WebhookPayload from "../WebhookPayload.js"
import type * as WebhookReceiver from "../WebhookReceiver.js"
import type * as Body from "./body.js"
import { BoundedMap } from "./boundedMap.js"
import * as Settings from "./receiverSettings.js"

/** @internal */
export const memoryDedupeStore = (capacity = 10_000): WebhookReceiver.DedupeStore => {
  if (!Number.isSafeInteger(capacity) || capacity <= 0) {
    Settings.invalid("capacity", `expected a positive whole number, got ${capacity}`)
  }
  const handled = new BoundedMap<string, true>(capacity)
  return {
    has: (key) => Effect.sync(() => handled.has(key)),
    add: (key) => Effect.sync(() => void handled.set(key, true))
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

/**
 * The receiver over a `Delivery`. It never fails; it must run in a fiber of its own, which
 * it interrupts (as {@link deadlineId}) when the handling outlasts `handlerTimeout`: read
 * its exit with {@link answerOf}.
 *
 * @internal
 */
export type Handler<R> = (delivery: Delivery) => Effect.Effect<Answer, never, R>

/**
 * The receiver's settings: the public ones, with `onEvent` also told the body's size in
 * bytes (`Webhook.serve` weighs what it keeps by it).
 *
 * @internal
 */
export interface Options<E, R> extends Omit<WebhookReceiver.HttpAppOptions<E, R>, "onEvent"> {
  readonly onEvent: (event: WebhookPayload.Event, bodyBytes: number) => Effect.Effect<void, E, R>
}

/**
 * `WebhookPayload.decode`, handed in by the public modules (an internal module imports the
 * public ones for their types only).
 *
 * @internal
 */
export type Decode = (body: unknown) => Effect.Effect<WebhookPayload.Event, WebhookPayload.WebhookPayloadError>

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers
})

const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  reply(status, { error: { code, message } }, headers)

const ok = reply(200, { status: "ok" })
const duplicate = reply(200, { status: "duplicate" })
const handlerFailed = refuse(500, "HANDLER_FAILED", "The event could not be handled; deliver it again")

/**
 * The answer when the deliveries being handled already hold `maxInFlightBytes`: 503 before
 * the body is read, so the sender retries (the connection is closed rather than the body
 * read to its end).
 */
const busy = refuse(503, "RECEIVER_BUSY", "The receiver is handling too much at once; deliver it again", {
  "retry-after": "1",
  connection: "close"
})

/** A delivery's reservation against `maxInFlightBytes`. */
interface Held {
  /** Reserved before reading the body: its declared length, else `maxBodyBytes`. */
  readonly reserved: number
  /** Held now: `reserved`, then the body's size once read, then 0 once released. */
  bytes: number
}

/** A decoded delivery. */
class Parsed {
  constructor(readonly event: WebhookPayload.Event, readonly key: string) {}
}

const digest = (value: string) => createHash("sha256").update(value).digest()

/** Compares in time that does not depend on where the values differ (digests have one length). */
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected)

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && contentType.split(";")[0]!.trim().toLowerCase() === "application/json"

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/**
 * Identifies an event for deduplication: a hash of its name, session and whole content,
 * 43 characters whatever their length (a key never holds an id).
 */
const eventKey = (event: WebhookPayload.Event, json: unknown) =>
  createHash("sha256")
    .update(event.event_name)
    .update("\u0000")
    .update(event.session_id ?? "")
    .update("\u0000")
    .update(JSON.stringify(json))
    .digest("base64url")

/**
 * The answer when the receiver itself failed (a defect, or its fiber interrupted).
 *
 * @internal
 */
export const failed: Answer = refuse(500, "RECEIVER_ERROR", "The receiver failed")

/**
 * The answer when the handling outlasted `handlerTimeout`: 503, so the sender retries.
 *
 * @internal
 */
export const timedOut: Answer = refuse(503, "HANDLER_TIMEOUT", "The event was not handled in time; deliver it again")

/**
 * Who interrupts a delivery's fiber when its handling outlasts `handlerTimeout`.
 *
 * @internal
 */
export const deadlineId: FiberId.FiberId = FiberId.make(-1, 0)

/**
 * The answer from a handler fiber's exit: its own, {@link timedOut} when the deadline
 * interrupted it, else {@link failed}.
 *
 * @internal
 */
export const answerOf = (exit: Exit.Exit<Answer>): Answer =>
  Exit.isSuccess(exit)
    ? exit.value
    : HashSet.has(Cause.interruptors(exit.cause), deadlineId)
    ? timedOut
    : failed

/**
 * Interrupts the current fiber as {@link deadlineId} if `effect` runs past `millis`. A
 * plain timer rather than `Effect.timeout`: no fiber per delivery (`Effect.timeout` forks
 * two, which more than doubled the receiver's own time per delivery).
 */
const withDeadline = (millis: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) => {
    const timer = setTimeout(() => fiber.unsafeInterruptAsFork(deadlineId), millis)
    return Effect.ensuring(effect, Effect.sync(() => clearTimeout(timer)))
  })

/**
 * The receiver's one implementation, over a `Delivery` so that every server can run it
 * (see `receiverMounts.ts`). It never fails: a defect is answered 500. Throws a
 * `TypeError` naming the option when a setting is invalid.
 *
 * @internal
 */
export const make = <E, R>(options: Options<E, R>, decode: Decode): Handler<R> => {
  const { handlerTimeoutMillis, maxBodyBytes, maxInFlightBytes, secretHeader, ...settings } = Settings.receiver(
    options
  )
  const secret = settings.secret === undefined ? undefined : digest(settings.secret)
  const store = options.dedupe === false ? undefined : options.dedupe ?? memoryDedupeStore()
  /** Deliveries being handled now, so a concurrent copy waits for the first one's outcome. */
  const inFlight = new Map<string, Deferred.Deferred<boolean>>()
  /**
   * The body bytes of the deliveries being handled now, from before their body is read
   * until their handling ends: at most `maxInFlightBytes`.
   */
  let inFlightBytes = 0
  const deadline = Number.isFinite(handlerTimeoutMillis)
    ? withDeadline(handlerTimeoutMillis)
    : <A, E2, R2>(effect: Effect.Effect<A, E2, R2>) => effect

  const invalid = (body: string, error: WebhookPayload.WebhookPayloadError) =>
    Effect.as(
      options.onInvalid === undefined
        ? Effect.void
        : Effect.catchAllCause(options.onInvalid({ body, error }), () => Effect.void),
      refuse(400, error.reason === "InvalidJson" ? "INVALID_JSON" : "INVALID_PAYLOAD", error.message)
    )

  /** Runs `onEvent` and marks the event handled; the copies waiting are released however it ends. */
  const handleFirst = (key: string, event: WebhookPayload.Event, bodyBytes: number): Effect.Effect<Answer, never, R> =>
    Effect.uninterruptibleMask((restore) => {
      const done = Deferred.unsafeMake<boolean>(FiberId.none)
      inFlight.set(key, done)
      let handled = false
      const handle = Effect.flatMap(
        Effect.exit(Effect.suspend(() => options.onEvent(event, bodyBytes))),
        (exit): Effect.Effect<Answer> => {
          if (Exit.isFailure(exit)) return Effect.succeed(handlerFailed)
          if (store === undefined) {
            handled = true
            return Effect.succeed(ok)
          }
          return Effect.map(store.add(key), () => {
            handled = true
            return ok
          })
        }
      )
      return Effect.onExit(restore(handle), () =>
        Effect.sync(() => {
          if (inFlight.get(key) === done) inFlight.delete(key)
          Deferred.unsafeDone(done, Exit.succeed(handled))
        }))
    })

  /**
   * Runs `onEvent` once per key: a copy that arrives while the first runs waits for it, and
   * handles the event itself if the first did not (it failed, timed out or was interrupted).
   */
  const handleOnce = (key: string, event: WebhookPayload.Event, bodyBytes: number): Effect.Effect<Answer, never, R> =>
    Effect.flatMap(store === undefined ? Effect.succeed(false) : store.has(key), (seen) => {
      if (seen) return Effect.succeed(duplicate)
      const running = inFlight.get(key)
      if (running === undefined) return handleFirst(key, event, bodyBytes)
      return Effect.flatMap(
        Deferred.await(running),
        (handled) => handled ? Effect.succeed(duplicate) : handleOnce(key, event, bodyBytes)
      )
    })

  /**
   * Decodes a body into its event and dedupe key, or the answer refusing it. Neither the
   * bytes nor the text outlive this (nor does the parsed JSON, but as the event holds it):
   * a delivery waiting for `onEvent` holds its event only.
   */
  const parse = (bytes: Uint8Array): Effect.Effect<Answer | Parsed, never, R> => {
    let text: string
    try {
      text = utf8.decode(bytes)
    } catch {
      // decode says why, as for any other body it refuses
      return Effect.flatMap(
        Effect.either(decode(bytes)),
        (refused) => refused._tag === "Left" ? invalid(lenient.decode(bytes), refused.left) : Effect.succeed(failed)
      )
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
    return Effect.flatMap(
      Effect.either(decode(parsed && typeof json !== "string" ? json : text)),
      (decoded): Effect.Effect<Answer | Parsed, never, R> =>
        decoded._tag === "Left"
          ? invalid(text, decoded.left)
          : Effect.succeed(new Parsed(decoded.right, eventKey(decoded.right, json)))
    )
  }

  /** Reads, decodes and handles a body whose bytes are reserved in `held`. */
  const handleBody = (request: Delivery, held: Held): Effect.Effect<Answer, never, R> =>
    Effect.flatMap(Effect.either(request.body(maxBodyBytes)), (read) => {
      if (read._tag === "Left") {
        return Effect.succeed(
          read.left._tag === "TooLarge"
            ? refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`)
            : refuse(400, "UNREADABLE_BODY", "The body could not be read")
        )
      }
      // hold what was read rather than what was declared: less for a chunked body, more
      // for one longer than its content-length (a Fetch request can say anything)
      const size = read.right.byteLength
      inFlightBytes += size - held.bytes
      held.bytes = size
      if (inFlightBytes > maxInFlightBytes && size > held.reserved) return Effect.succeed(busy)
      return Effect.flatMap(
        parse(read.right),
        (parsed) =>
          parsed instanceof Parsed ? deadline(handleOnce(parsed.key, parsed.event, size)) : Effect.succeed(parsed)
      )
    })

  const receive = (request: Delivery): Effect.Effect<Answer, never, R> => {
    if (request.method !== "POST") {
      return Effect.succeed(
        refuse(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed; deliveries are POSTed`, {
          allow: "POST"
        })
      )
    }
    if (secret !== undefined) {
      const given = request.header(secretHeader)
      if (given === undefined || !sameSecret(given, secret)) {
        return Effect.succeed(refuse(401, "UNAUTHORIZED", `The ${secretHeader} header is missing or does not match`))
      }
    }
    if (!isJson(request.header("content-type"))) {
      return Effect.succeed(refuse(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json"))
    }
    const length = request.header("content-length")
    const declared = length === undefined || length === "" ? Number.NaN : Number(length)
    if (declared > maxBodyBytes) {
      return Effect.succeed(refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`))
    }
    // the declared length, or the most a body without one (chunked) may grow to
    const reserved = Number.isSafeInteger(declared) && declared >= 0 ? declared : maxBodyBytes
    // reserved and released in one uninterruptible region, so that no interruption in
    // between leaves the bytes held for good
    return Effect.uninterruptibleMask((restore) => {
      if (inFlightBytes + reserved > maxInFlightBytes) return Effect.succeed(busy)
      inFlightBytes += reserved
      const held: Held = { reserved, bytes: reserved }
      return Effect.onExit(restore(handleBody(request, held)), () =>
        Effect.sync(() => {
          inFlightBytes -= held.bytes
          held.bytes = 0
        }))
    })
  }

  return (delivery) => Effect.catchAllCause(Effect.suspend(() => receive(delivery)), () => Effect.succeed(failed))
}
