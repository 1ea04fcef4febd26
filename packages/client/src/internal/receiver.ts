import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as HashSet from "effect/HashSet"
import { createHash, hash, timingSafeEqual } from "node:crypto"
import type * as WebhookPayload from "../WebhookPayload.js"
import type * as WebhookReceiver from "../WebhookReceiver.js"
import type * as Body from "./body.js"
import { BoundedMap } from "./boundedMap.js"
import * as Settings from "./receiverSettings.js"

/**
 * The in-memory store, whose keys the receiver also reads and writes directly: a delivery
 * it can answer at once then needs no Effect at all.
 */
class MemoryDedupeStore implements WebhookReceiver.DedupeStore {
  readonly handled: BoundedMap<string, true>
  constructor(capacity: number) {
    this.handled = new BoundedMap(capacity)
  }
  readonly has = (key: string) => Effect.sync(() => this.handled.has(key))
  readonly add = (key: string) => Effect.sync(() => void this.handled.set(key, true))
}

/** @internal */
export const memoryDedupeStore = (capacity = 10_000): WebhookReceiver.DedupeStore => {
  if (!Number.isSafeInteger(capacity) || capacity <= 0) {
    Settings.invalid("capacity", `expected a positive whole number, got ${capacity}`)
  }
  return new MemoryDedupeStore(capacity)
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
 * The receiver's answer: a status, headers and a JSON body, as text (made once per answer).
 *
 * @internal
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly json: string
}

/**
 * The receiver over a `Delivery`, as one Effect. It never fails; it must run in a fiber
 * of its own, which it interrupts (as {@link deadlineId}) when the handling outlasts
 * `handlerTimeout`: read its exit with {@link answerOf}.
 *
 * @internal
 */
export type Handler<R> = (delivery: Delivery) => Effect.Effect<Answer, never, R>

/**
 * The receiver's settings: the public ones, with `onEvent` also told the body's size in
 * bytes (`Webhook.serve` weighs what it keeps by it), and `handleNow`.
 *
 * @internal
 */
export interface Options<E, R> extends Omit<WebhookReceiver.HttpAppOptions<E, R>, "onEvent"> {
  readonly onEvent: (event: WebhookPayload.Event, bodyBytes: number) => Effect.Effect<void, E, R>
  /**
   * Handles an event at once, without an Effect, if it can: what `onEvent` would do, done
   * synchronously, `true` when done; `false` leaves the event to `onEvent`. A receiver
   * without one runs `onEvent` for every event.
   */
  readonly handleNow?: ((event: WebhookPayload.Event, bodyBytes: number) => boolean) | undefined
}

/**
 * How a receiver decodes a body, handed in by the public modules (an internal module
 * imports the public ones for their types only): `WebhookPayload.decode`, and a fast path
 * giving what it gives for the usual bodies, without an Effect (`undefined` for any other).
 *
 * @internal
 */
export interface Decoder {
  readonly decode: (body: unknown) => Effect.Effect<WebhookPayload.Event, WebhookPayload.WebhookPayloadError>
  readonly fast: (json: unknown) => WebhookPayload.Event | undefined
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers,
  json: JSON.stringify(body)
})

/**
 * The answer refusing a request: `{ error: { code, message } }`.
 *
 * @internal
 */
export const refuse = (status: number, code: string, message: string, headers?: Record<string, string>): Answer =>
  reply(status, { error: { code, message } }, headers)

const ok = reply(200, { status: "ok" })
const duplicate = reply(200, { status: "duplicate" })
const handlerFailed = refuse(500, "HANDLER_FAILED", "The event could not be handled; deliver it again")
const unreadable = refuse(400, "UNREADABLE_BODY", "The body could not be read")

/**
 * The answer when the deliveries being handled already hold `maxInFlightBytes`: 503 before
 * the body is read, so the sender retries (the connection is closed rather than the body
 * read to its end).
 */
const busy = refuse(503, "RECEIVER_BUSY", "The receiver is handling too much at once; deliver it again", {
  "retry-after": "1",
  connection: "close"
})

/** The answer when another process is handling a copy of the same event now (a shared store's `claim`). */
const handledElsewhere = refuse(
  503,
  "DELIVERY_IN_PROGRESS",
  "A copy of this event is being handled now; deliver it again",
  { "retry-after": "1" }
)

/** The body bytes the deliveries being handled hold, and the most they may. */
interface Budget {
  used: number
  readonly max: number
}

/**
 * A delivery's hold on `maxInFlightBytes`, from before its body is read until its
 * handling ends: whoever reads the body must {@link Hold.release} it however the delivery
 * ends (it may be released more than once).
 *
 * @internal
 */
export class Hold {
  /** Held now: `reserved`, then the body's size once read, then 0 once released. */
  private bytes: number
  constructor(
    private readonly budget: Budget,
    /** Reserved before reading the body: its declared length, else `maxBodyBytes`. */
    readonly reserved: number
  ) {
    this.bytes = reserved
    budget.used += reserved
  }

  /**
   * Holds what was read rather than what was declared: less for a chunked body, more for
   * one longer than its content-length (a Fetch request can say anything); `false` when a
   * body larger than reserved does not fit.
   */
  resize(size: number): boolean {
    this.budget.used += size - this.bytes
    this.bytes = size
    return this.budget.used <= this.budget.max || size <= this.reserved
  }

  release(): void {
    this.budget.used -= this.bytes
    this.bytes = 0
  }
}

/**
 * The receiver in two synchronous steps, for a server to call around reading the body.
 * Neither step throws but on a defect; {@link handler} is the same as one Effect.
 *
 * @internal
 */
export interface Receiver<R> {
  readonly maxBodyBytes: number
  /**
   * From the request's method and headers: the answer refusing it (405, 401, 415, 413, 503),
   * or its hold on `maxInFlightBytes` before the body is read.
   */
  readonly admit: (method: string, header: (name: string) => string | undefined) => Answer | Hold
  /**
   * The body, read within `maxBodyBytes`: its answer at once (refused, a duplicate, or
   * handled by `handleNow`), or the Effect that handles it (`onEvent`, the dedupe store, a
   * copy in flight), which must run in a fiber of its own, as {@link Handler}'s does.
   */
  readonly receive: (hold: Hold, body: Uint8Array) => Answer | Effect.Effect<Answer, never, R>
  /** The answer to a body that grew past `maxBodyBytes`. */
  readonly tooLarge: Answer
  /** The answer to a body that could not be read. */
  readonly unreadable: Answer
}

const digest = (value: string) => createHash("sha256").update(value).digest()

/** Compares in time that does not depend on where the values differ (digests have one length). */
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected)

const isJson = (contentType: string | undefined) => {
  if (contentType === undefined) return false
  // the usual value as such, else its media type without parameters, in any case
  if (contentType === "application/json") return true
  const semicolon = contentType.indexOf(";")
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === "application/json"
}

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/**
 * Identifies an event for deduplication: a hash of its name, session and whole content,
 * 43 characters whatever their length (a key never holds an id).
 */
const eventKey = (event: WebhookPayload.Event, json: unknown) =>
  hash("sha256", `${event.event_name}\u0000${event.session_id ?? ""}\u0000${JSON.stringify(json)}`, "base64url")

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
 * The receiver's one implementation, in two synchronous steps around reading the body (see
 * `receiverMounts.ts` for the servers that run it). Only what needs an Effect runs as one:
 * `onEvent`, a dedupe store other than the in-memory one, a copy of an event in flight,
 * `onInvalid`, and a body the fast decoder declines. Throws a `TypeError` naming the
 * option when a setting is invalid.
 *
 * @internal
 */
export const make = <E, R>(options: Options<E, R>, decoder: Decoder): Receiver<R> => {
  const { handlerTimeoutMillis, maxBodyBytes, maxInFlightBytes, secretHeader, ...settings } = Settings.receiver(
    options
  )
  const { decode, fast } = decoder
  const secret = settings.secret === undefined ? undefined : digest(settings.secret)
  const store = options.dedupe === false ? undefined : options.dedupe ?? memoryDedupeStore()
  /** The in-memory store's keys, read and written directly. */
  const memory = store instanceof MemoryDedupeStore ? store.handled : undefined
  const handleNow = options.handleNow
  /** Deliveries being handled now, so a concurrent copy waits for the first one's outcome. */
  const inFlight = new Map<string, Deferred.Deferred<boolean>>()
  /**
   * The body bytes of the deliveries being handled now, from before their body is read
   * until their handling ends: at most `maxInFlightBytes`.
   */
  const budget: Budget = { used: 0, max: maxInFlightBytes }
  const deadline = Number.isFinite(handlerTimeoutMillis)
    ? withDeadline(handlerTimeoutMillis)
    : <A, E2, R2>(effect: Effect.Effect<A, E2, R2>) => effect
  const tooLarge = refuse(413, "PAYLOAD_TOO_LARGE", `The body is over ${maxBodyBytes} bytes`)

  const invalid = (body: string, error: WebhookPayload.WebhookPayloadError) =>
    Effect.as(
      options.onInvalid === undefined
        ? Effect.void
        : Effect.catchAllCause(options.onInvalid({ body, error }), () => Effect.void),
      refuse(400, error.reason === "InvalidJson" ? "INVALID_JSON" : "INVALID_PAYLOAD", error.message)
    )

  const claim = store?.claim
  const release = store?.release

  /**
   * Runs `onEvent` and marks the event handled; the copies waiting are released however it
   * ends, and a shared store's claim is given back if it was not handled.
   */
  const handleFirst = (key: string, event: WebhookPayload.Event, bodyBytes: number): Effect.Effect<Answer, never, R> =>
    Effect.uninterruptibleMask((restore) => {
      const done = Deferred.unsafeMake<boolean>(FiberId.none)
      inFlight.set(key, done)
      let handled = false
      const handle = Effect.flatMap(
        Effect.exit(Effect.suspend(() => options.onEvent(event, bodyBytes))),
        (exit): Effect.Effect<Answer> => {
          if (Exit.isFailure(exit)) return Effect.succeed(handlerFailed)
          if (store === undefined || memory !== undefined) {
            memory?.set(key, true)
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
        Effect.zipRight(
          claim !== undefined && release !== undefined && !handled
            ? Effect.catchAllCause(release(key), () => Effect.void)
            : Effect.void,
          Effect.sync(() => {
            if (inFlight.get(key) === done) inFlight.delete(key)
            Deferred.unsafeDone(done, Exit.succeed(handled))
          })
        ))
    })

  /** With a shared store: the copy in this process first, then the store's atomic claim. */
  const handleClaimed = (
    take: (key: string) => Effect.Effect<"new" | "handled" | "busy">,
    key: string,
    event: WebhookPayload.Event,
    bodyBytes: number
  ): Effect.Effect<Answer, never, R> => {
    const running = inFlight.get(key)
    if (running !== undefined) {
      return Effect.flatMap(
        Deferred.await(running),
        (handled) => handled ? Effect.succeed(duplicate) : handleClaimed(take, key, event, bodyBytes)
      )
    }
    return Effect.flatMap(take(key), (claimed) =>
      claimed === "handled"
        ? Effect.succeed(duplicate)
        : claimed === "busy"
        ? Effect.succeed(handledElsewhere)
        // a copy that arrived here meanwhile waits for this one
        : inFlight.has(key)
        ? handleClaimed(take, key, event, bodyBytes)
        : handleFirst(key, event, bodyBytes))
  }

  /**
   * Runs `onEvent` once per key: a copy that arrives while the first runs waits for it, and
   * handles the event itself if the first did not (it failed, timed out or was interrupted).
   */
  const handleOnce = (key: string, event: WebhookPayload.Event, bodyBytes: number): Effect.Effect<Answer, never, R> =>
    claim !== undefined && memory === undefined ? handleClaimed(claim, key, event, bodyBytes) : Effect.flatMap(
      store === undefined || memory !== undefined ? Effect.sync(() => memory?.has(key) === true) : store.has(key),
      (seen) => {
        if (seen) return Effect.succeed(duplicate)
        const running = inFlight.get(key)
        if (running === undefined) return handleFirst(key, event, bodyBytes)
        return Effect.flatMap(
          Deferred.await(running),
          (handled) => handled ? Effect.succeed(duplicate) : handleOnce(key, event, bodyBytes)
        )
      }
    )

  /**
   * Handles a decoded event: at once when it can (a duplicate in the in-memory store, or
   * `handleNow` with no copy in flight), else as an Effect within `handlerTimeout`. As
   * `handleOnce` would, in one synchronous step.
   */
  const handle = (
    key: string,
    event: WebhookPayload.Event,
    bodyBytes: number
  ): Answer | Effect.Effect<Answer, never, R> => {
    if (memory !== undefined && memory.has(key)) return duplicate
    if ((memory !== undefined || store === undefined) && handleNow !== undefined && !inFlight.has(key)) {
      if (handleNow(event, bodyBytes)) {
        memory?.set(key, true)
        return ok
      }
    }
    return deadline(handleOnce(key, event, bodyBytes))
  }

  /**
   * Decodes a body and handles its event, or gives the answer refusing it. Neither the
   * bytes nor the text outlive this (nor does the parsed JSON, but as the event holds it):
   * a delivery waiting for `onEvent` holds its event only.
   */
  const receive = (hold: Hold, bytes: Uint8Array): Answer | Effect.Effect<Answer, never, R> => {
    const size = bytes.byteLength
    if (!hold.resize(size)) return busy
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
    // parse once, for decoding and the dedupe key; decode reads a string as JSON text, so
    // it gets the raw text when parsing failed (it then reports why) or gave a string
    let json: unknown = undefined
    let parsed = true
    try {
      json = JSON.parse(text)
    } catch {
      parsed = false
    }
    const quick = parsed ? fast(json) : undefined
    if (quick !== undefined) return handle(eventKey(quick, json), quick, size)
    return Effect.flatMap(
      Effect.either(decode(parsed && typeof json !== "string" ? json : text)),
      (decoded): Effect.Effect<Answer, never, R> => {
        if (decoded._tag === "Left") return invalid(text, decoded.left)
        const answer = handle(eventKey(decoded.right, json), decoded.right, size)
        return Effect.isEffect(answer) ? answer : Effect.succeed(answer)
      }
    )
  }

  const admit = (method: string, header: (name: string) => string | undefined): Answer | Hold => {
    if (method !== "POST") {
      return refuse(405, "METHOD_NOT_ALLOWED", `${method} is not allowed; deliveries are POSTed`, { allow: "POST" })
    }
    if (secret !== undefined) {
      const given = header(secretHeader)
      if (given === undefined || !sameSecret(given, secret)) {
        return refuse(401, "UNAUTHORIZED", `The ${secretHeader} header is missing or does not match`)
      }
    }
    if (!isJson(header("content-type"))) {
      return refuse(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json")
    }
    const length = header("content-length")
    const declared = length === undefined || length === "" ? Number.NaN : Number(length)
    if (declared > maxBodyBytes) return tooLarge
    // the declared length, or the most a body without one (chunked) may grow to
    const reserved = Number.isSafeInteger(declared) && declared >= 0 ? declared : maxBodyBytes
    if (budget.used + reserved > budget.max) return busy
    return new Hold(budget, reserved)
  }

  return { maxBodyBytes, admit, receive, tooLarge, unreadable }
}

/**
 * A receiver as one Effect over a `Delivery` (for servers that hand the body over as an
 * Effect). It never fails: a defect is answered 500.
 *
 * @internal
 */
export const handler = <R>(receiver: Receiver<R>): Handler<R> => (delivery) =>
  Effect.catchAllCause(
    // the hold is taken and released in one uninterruptible region, so that no
    // interruption in between leaves the bytes held for good
    Effect.uninterruptibleMask((restore) => {
      const admitted = receiver.admit(delivery.method, delivery.header)
      if (!(admitted instanceof Hold)) return Effect.succeed(admitted)
      const handle = Effect.flatMap(Effect.either(delivery.body(receiver.maxBodyBytes)), (read) => {
        if (read._tag === "Left") {
          return Effect.succeed(read.left._tag === "TooLarge" ? receiver.tooLarge : receiver.unreadable)
        }
        const answer = receiver.receive(admitted, read.right)
        return Effect.isEffect(answer) ? answer : Effect.succeed(answer)
      })
      return Effect.ensuring(restore(handle), Effect.sync(() => admitted.release()))
    }),
    () => Effect.succeed(failed)
  )
