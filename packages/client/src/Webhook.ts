/**
 * BankConnect's webhooks: the payload schemas (wire names kept, parsed extras beside
 * them), {@link decode}, and a receiver three ways: an `HttpApp` for Effect servers
 * ({@link httpApp}), a Fetch handler and a Node listener for any other server
 * ({@link toWebHandler}, {@link toNodeListener}), and a ready Node server whose events are
 * also a `Stream` ({@link serve}, {@link layer}, {@link WebhookEvents}).
 *
 * A webhook is a hint that can be missing, late, repeated or forged: `Completion` confirms
 * it with the progress API before trusting it.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Http from "node:http"
import * as AccountFailures from "./internal/accountFailure.js"
import * as JsonDepth from "./internal/jsonDepth.js"
import * as ParseIssues from "./internal/parseIssues.js"
import * as Receiver from "./internal/receiver.js"
import * as ReceiverMounts from "./internal/receiverMounts.js"
import * as WebhookServer from "./internal/webhookServer.js"
import type { Open } from "./Progress.js"

const open = <const Known extends ReadonlyArray<string>>(...known: Known): Schema.Schema<Open<Known[number]>> =>
  Schema.Union(Schema.Literal(...known), Schema.String)

const nullable = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** A string where `""` and `null` (and a missing field) all mean "none". */
const noneIfEmpty = Schema.optionalWith(
  Schema.transform(Schema.NullOr(Schema.String), Schema.NullOr(Schema.String), {
    strict: true,
    decode: (value) => value === "" ? null : value,
    encode: (value) => value
  }),
  { default: () => null }
)

/**
 * A calendar month parsed from a failure message.
 *
 * @since 0.1.0
 * @category models
 */
export type YearMonth = AccountFailures.YearMonth

/**
 * The days missing in one month, from `INCOMPLETE_DATES_UPLOAD`.
 *
 * @since 0.1.0
 * @category models
 */
export type MissingDays = AccountFailures.MissingDays

/**
 * Why an account failed, typed per error code, with the data its message carries parsed
 * (`months` and `missing` are empty when the message carries none) and the message kept.
 *
 * @since 0.1.0
 * @category models
 */
export type AccountFailure = Data.TaggedEnum<{
  MissingTransactions: { readonly code: "MISSING_TRANSACTIONS"; readonly message: string }
  IncompleteMonths: {
    readonly code: "INCOMPLETE_MONTHS"
    readonly message: string
    readonly months: ReadonlyArray<YearMonth>
  }
  NullAccountNumber: { readonly code: "NULL_ACCOUNT_NUMBER"; readonly message: string }
  BalanceMismatch: { readonly code: "BALANCE_MISMATCH"; readonly message: string }
  IncompleteMonthsUpload: {
    readonly code: "INCOMPLETE_MONTHS_UPLOAD"
    readonly message: string
    readonly months: ReadonlyArray<YearMonth>
  }
  IncompleteDatesUpload: {
    readonly code: "INCOMPLETE_DATES_UPLOAD"
    readonly message: string
    readonly missing: ReadonlyArray<MissingDays>
  }
  Unparsable: { readonly code: "UNPARSABLE"; readonly message: string }
  /** A code this library does not know yet. */
  OtherFailure: { readonly code: string; readonly message: string }
}>

/**
 * Constructors and `$match` / `$is` for {@link AccountFailure}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const AccountFailure = Data.taggedEnum<AccountFailure>()

/**
 * Reads an account's failure from its error code and message; `null` when the code is
 * `null` or `""` (no failure).
 *
 * @since 0.1.0
 * @category decoding
 */
export const accountFailure = (code: string | null, message: string | null): AccountFailure | null => {
  if (code === null || code === "") return null
  const text = message ?? ""
  switch (code) {
    case "MISSING_TRANSACTIONS":
      return AccountFailure.MissingTransactions({ code, message: text })
    case "INCOMPLETE_MONTHS":
      return AccountFailure.IncompleteMonths({ code, message: text, months: AccountFailures.parseMonths(text) })
    case "NULL_ACCOUNT_NUMBER":
      return AccountFailure.NullAccountNumber({ code, message: text })
    case "BALANCE_MISMATCH":
      return AccountFailure.BalanceMismatch({ code, message: text })
    case "INCOMPLETE_MONTHS_UPLOAD":
      return AccountFailure.IncompleteMonthsUpload({ code, message: text, months: AccountFailures.parseMonths(text) })
    case "INCOMPLETE_DATES_UPLOAD":
      return AccountFailure.IncompleteDatesUpload({
        code,
        message: text,
        missing: AccountFailures.parseMissingDates(text)
      })
    case "UNPARSABLE":
      return AccountFailure.Unparsable({ code, message: text })
    default:
      return AccountFailure.OtherFailure({ code, message: text })
  }
}

/**
 * One account of an `ENRICHMENT_NOTIFICATION`, in the older or the newer form.
 *
 * @since 0.1.0
 * @category schemas
 */
export class EnrichmentAccount extends Schema.Class<EnrichmentAccount>("EnrichmentAccount")({
  /** The bank, such as `sbi`. */
  bank_name: nullable(Schema.String),
  /** BankConnect's id of the account. */
  account_id: nullable(Schema.String),
  /** `completed` or `failed` (an open set). */
  account_status: open("completed", "failed"),
  /** The failure code; `null` when the account did not fail (the newer form's `""` reads as `null`). */
  error_code: noneIfEmpty,
  /** The failure message, with its data; `null` when the account did not fail. */
  error_message: noneIfEmpty,
  /** Newer form: the account holder's name. */
  name: nullable(Schema.String),
  /** Newer form: such as `individual`. */
  account_category: nullable(Schema.String),
  /** Newer form: how the data came in, such as `["PDF"]`. */
  attempt_types: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] })
}) {
  /** The failure typed per code with its data parsed, or `null`. */
  get failure(): AccountFailure | null {
    return accountFailure(this.error_code, this.error_message)
  }
}

/**
 * `ENRICHMENT_NOTIFICATION`: processing of the session finished, with each account's outcome.
 *
 * @since 0.1.0
 * @category schemas
 */
export class EnrichmentNotification extends Schema.Class<EnrichmentNotification>("EnrichmentNotification")({
  session_id: Schema.String,
  event_name: Schema.Literal("ENRICHMENT_NOTIFICATION"),
  /** Newer form only: whether insights can be fetched; `null` in the older form. */
  insights_available: nullable(Schema.Boolean),
  accounts: Schema.optionalWith(Schema.Array(EnrichmentAccount), { nullable: true, default: () => [] })
}) {
  /** The event's kind. */
  get _tag(): "EnrichmentNotification" {
    return "EnrichmentNotification"
  }
}

/**
 * A date range as the API writes it (`DD/MM/YYYY` in these payloads).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateRange = Schema.Struct({ from_date: nullable(Schema.String), to_date: nullable(Schema.String) })

/**
 * One statement in an upload notification.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadStatement extends Schema.Class<UploadStatement>("UploadStatement")({
  statement_id: nullable(Schema.String),
  /** Such as `completed` (an open set). */
  statement_status: nullable(Schema.String),
  error_code: noneIfEmpty,
  error_message: noneIfEmpty,
  source: nullable(Schema.String),
  statement_date_range: nullable(DateRange),
  created_at: nullable(Schema.String)
}) {}

/**
 * One account in an upload notification.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadAccount extends Schema.Class<UploadAccount>("UploadAccount")({
  account_id: nullable(Schema.String),
  /** Masked, such as `XXXXXXXXXXXX3135`; `null` when unknown. */
  account_number: nullable(Schema.String),
  bank_name: nullable(Schema.String),
  created_at: nullable(Schema.String),
  last_updated_at: nullable(Schema.String),
  statements: Schema.optionalWith(Schema.Array(UploadStatement), { nullable: true, default: () => [] }),
  /** Upper case here: `PARTIAL` or `COMPLETED` (an open set). */
  account_status: nullable(open("PARTIAL", "COMPLETED")),
  /** The months covered, as `YYYY-MM`. */
  months: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] }),
  missing_data: Schema.optionalWith(Schema.Array(Schema.Unknown), { nullable: true, default: () => [] })
}) {}

const uploadFields = {
  session_id: Schema.String,
  /** `Upload Completed` or `Session expired`. */
  message: nullable(Schema.String),
  accounts: Schema.optionalWith(Schema.Array(UploadAccount), { nullable: true, default: () => [] }),
  session_date_range: nullable(DateRange)
}

/**
 * `SESSION_REQUIREMENT_COMPLETION_NOTIFICATION` (older name `SESSION_COMPLETION_NOTIFICATION`):
 * the user finished uploading.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionRequirementCompletionNotification extends Schema.Class<SessionRequirementCompletionNotification>(
  "SessionRequirementCompletionNotification"
)({
  ...uploadFields,
  event_name: Schema.Literal("SESSION_REQUIREMENT_COMPLETION_NOTIFICATION", "SESSION_COMPLETION_NOTIFICATION")
}) {
  /** The event's kind. */
  get _tag(): "SessionRequirementCompletionNotification" {
    return "SessionRequirementCompletionNotification"
  }
}

/**
 * `SESSION_EXPIRY_NOTIFICATION`: the session expired before completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionExpiryNotification extends Schema.Class<SessionExpiryNotification>("SessionExpiryNotification")({
  ...uploadFields,
  event_name: Schema.Literal("SESSION_EXPIRY_NOTIFICATION")
}) {
  /** The event's kind. */
  get _tag(): "SessionExpiryNotification" {
    return "SessionExpiryNotification"
  }
}

/**
 * An event this library does not know, kept whole so nothing is lost.
 *
 * @since 0.1.0
 * @category models
 */
export class UnknownEvent extends Data.Class<{
  readonly event_name: string
  readonly session_id: string | null
  /** The parsed JSON body. */
  readonly body: unknown
}> {
  /** The event's kind. */
  get _tag(): "UnknownEvent" {
    return "UnknownEvent"
  }
}

/**
 * Any webhook event; switch on `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | EnrichmentNotification
  | SessionRequirementCompletionNotification
  | SessionExpiryNotification
  | UnknownEvent

/**
 * A webhook body that is not JSON, or not an event.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookPayloadError extends Schema.TaggedError<WebhookPayloadError>()("WebhookPayloadError", {
  /** `InvalidJson`: the body does not parse; `InvalidPayload`: it parses but is not an event. */
  reason: Schema.Literal("InvalidJson", "InvalidPayload"),
  /** What is wrong, and where. */
  message: Schema.String
}) {}

const decoders = {
  ENRICHMENT_NOTIFICATION: Schema.decodeUnknown(EnrichmentNotification),
  SESSION_REQUIREMENT_COMPLETION_NOTIFICATION: Schema.decodeUnknown(SessionRequirementCompletionNotification),
  SESSION_COMPLETION_NOTIFICATION: Schema.decodeUnknown(SessionRequirementCompletionNotification),
  SESSION_EXPIRY_NOTIFICATION: Schema.decodeUnknown(SessionExpiryNotification)
} satisfies Record<string, (u: unknown) => Effect.Effect<Event, ParseResult.ParseError>>

const invalid = (message: string) => new WebhookPayloadError({ reason: "InvalidPayload", message })

/**
 * The longest `session_id` {@link decode} accepts, in characters; a longer one is refused
 * (`InvalidPayload`, answered 400 by a receiver). BankConnect's session ids are UUIDs of 36
 * characters: the limit keeps a forged multi-megabyte id out of what a receiver remembers.
 *
 * @since 0.2.0
 * @category decoding
 */
export const maxSessionIdLength = 256

/**
 * The longest `event_name` {@link decode} accepts, in characters; a longer one is refused
 * (`InvalidPayload`, answered 400 by a receiver), known or not.
 *
 * @since 0.2.0
 * @category decoding
 */
export const maxEventNameLength = 128

/**
 * Decodes a webhook body: a JSON string, or a value already parsed. A known event that
 * does not match its schema, anything that is not an object with a string `event_name`,
 * and an `event_name` or a `session_id` longer than {@link maxEventNameLength} or
 * {@link maxSessionIdLength}, fail with {@link WebhookPayloadError}; an unknown
 * `event_name` gives an {@link UnknownEvent} with the body kept.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (body: string | unknown): Effect.Effect<Event, WebhookPayloadError> =>
  Effect.suspend((): Effect.Effect<Event, WebhookPayloadError> => {
    let json: unknown = body
    if (typeof body === "string") {
      try {
        json = JSON.parse(body)
      } catch (error) {
        return Effect.fail(
          new WebhookPayloadError({
            reason: "InvalidJson",
            message: `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`
          })
        )
      }
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return Effect.fail(invalid(`Expected a JSON object, got ${Array.isArray(json) ? "an array" : String(json)}`))
    }
    if (JsonDepth.tooDeep(json)) {
      return Effect.fail(invalid(`The body nests more than ${JsonDepth.maxDepth} levels deep`))
    }
    const eventName: unknown = (json as { event_name?: unknown }).event_name
    if (typeof eventName !== "string") return Effect.fail(invalid("event_name: Expected a string"))
    if (eventName.length > maxEventNameLength) {
      return Effect.fail(
        invalid(`event_name: Expected at most ${maxEventNameLength} characters, got ${eventName.length}`)
      )
    }
    const sessionId: unknown = (json as { session_id?: unknown }).session_id
    if (typeof sessionId === "string" && sessionId.length > maxSessionIdLength) {
      return Effect.fail(
        invalid(`session_id: Expected at most ${maxSessionIdLength} characters, got ${sessionId.length}`)
      )
    }
    if (Object.hasOwn(decoders, eventName)) {
      const decodeEvent: (u: unknown) => Effect.Effect<Event, ParseResult.ParseError> =
        decoders[eventName as keyof typeof decoders]
      return Effect.mapError(
        decodeEvent(json),
        (error) => invalid(`Invalid ${eventName}: ${ParseIssues.format(error)}`)
      )
    }
    return Effect.succeed(
      new UnknownEvent({
        event_name: eventName,
        session_id: typeof sessionId === "string" ? sessionId : null,
        body: json
      })
    )
  })

/**
 * Where a receiver remembers the events it has handled, so a repeated delivery is
 * acknowledged without running `onEvent` again. The default keeps the newest 10,000 in
 * memory; give your own (a database, Redis, ...) to share it between processes. Keys are
 * 43-character hashes (base64url SHA-256 of the event's name, session and content), never
 * the ids themselves.
 *
 * @since 0.1.0
 * @category models
 */
export interface DedupeStore {
  /** Whether an event with this key was handled. */
  readonly has: (key: string) => Effect.Effect<boolean>
  /** Marks an event as handled (only after `onEvent` succeeded). */
  readonly add: (key: string) => Effect.Effect<void>
}

/**
 * A {@link DedupeStore} in memory that keeps the newest `capacity` keys (default 10,000;
 * a `TypeError` when it is not a positive whole number).
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryDedupeStore = (capacity?: number): DedupeStore => Receiver.memoryDedupeStore(capacity)

/**
 * What a receiver does with its input, whichever way it is mounted. The settings are
 * checked when the receiver is made: an invalid one is a `TypeError` naming it
 * ({@link httpApp}, {@link toWebHandler}, {@link toNodeListener}) or a {@link ServeError}
 * ({@link serve}, {@link layer}).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceiverOptions {
  /**
   * A shared secret: when set, a request whose `secretHeader` does not match it (compared
   * in constant time) is answered 401 and never read further. It must not be empty, nor
   * start or end with whitespace (a header value cannot).
   */
  readonly secret?: Redacted.Redacted<string> | string | undefined
  /** A header name. Default `"x-secret-key"`. */
  readonly secretHeader?: string | undefined
  /** Larger bodies are answered 413. A positive whole number; default 1 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Default {@link memoryDedupeStore}; `false` turns deduplication off. */
  readonly dedupe?: DedupeStore | false | undefined
  /**
   * How long handling one delivery may take, from its decoded body to its answer:
   * `onEvent`, the dedupe store, and waiting for a copy of the same event being handled
   * at the same time. Past it the delivery is answered 503 (`HANDLER_TIMEOUT`) so the
   * sender retries, `onEvent` is interrupted, and a copy that was waiting handles the
   * event itself. Under {@link toWebHandler} and {@link toNodeListener} `onEvent` returns a
   * Promise, which cannot be cancelled: it is left to settle on its own, and a retry may
   * run `onEvent` again meanwhile. Default `"10 seconds"`; `Duration.infinity` turns it off.
   *
   * @since 0.2.0
   */
  readonly handlerTimeout?: Duration.DurationInput | undefined
}

/**
 * A body that was refused as invalid, handed to `onInvalid` so nothing is silently lost.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidDelivery {
  /** The raw body, as received (decoded as UTF-8 where it could be). */
  readonly body: string
  readonly error: WebhookPayloadError
}

/**
 * The Effect receiver's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpAppOptions<E, R> extends ReceiverOptions {
  /** Runs once per event; the delivery is answered 200 only after it succeeds, 500 when it fails. */
  readonly onEvent: (event: Event) => Effect.Effect<void, E, R>
  /** Runs for every body answered 400. */
  readonly onInvalid?: ((invalid: InvalidDelivery) => Effect.Effect<void, never, R>) | undefined
}

/**
 * The receiver as an `@effect/platform` `HttpApp`, to mount in an `HttpServer` or an
 * `HttpRouter` route. POST with `application/json` only (405 with `Allow`, 415), the body
 * limit (413), the secret (401), invalid bodies (400, and `onInvalid`), repeated deliveries
 * (200 without `onEvent`), and `onEvent` (200 after it succeeds, 500 when it fails).
 *
 * @since 0.1.0
 * @category receivers
 */
export const httpApp = <E, R>(
  options: HttpAppOptions<E, R>
): HttpApp.Default<never, R | HttpServerRequest.HttpServerRequest> => ReceiverMounts.httpApp(options)

/**
 * The Promise-based receiver's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions extends ReceiverOptions {
  /** Runs once per event; a throw or a rejection answers 500, so the sender retries. */
  readonly onEvent: (event: Event) => void | Promise<void>
  /** Runs for every body answered 400. */
  readonly onInvalid?: ((invalid: InvalidDelivery) => void | Promise<void>) | undefined
}

/**
 * The receiver as a standard `(request: Request) => Promise<Response>`, for Hono, Next.js
 * route handlers, Bun, Deno and any Fetch-shaped server. It behaves as {@link httpApp}.
 * When `request.signal` aborts (the client went away) it stops handling the request; a
 * request it refuses before reading the body (401, 405, 413, 415) has its body cancelled.
 *
 * @since 0.1.0
 * @category receivers
 */
export const toWebHandler = (options: HandlerOptions): (request: Request) => Promise<Response> =>
  ReceiverMounts.toWebHandler(options)

/**
 * The receiver as a Node `(req, res)` listener, for `http.createServer` and Express-style
 * servers (mount it before any body parser: it reads the body itself). It behaves as
 * {@link httpApp}; a request it answers before its body has all arrived (a refusal: 401,
 * 405, 413, 415) gets `Connection: close` and its socket is destroyed once the answer is
 * written. Slow clients are the Node server's to bound: give it what {@link serve} sets,
 *
 * ```ts
 * const server = http.createServer({
 *   headersTimeout: 10_000,
 *   requestTimeout: 30_000,
 *   keepAliveTimeout: 5_000,
 *   connectionsCheckingInterval: 1_000 // Node's default, 30 s, enforces the timeouts late
 * }, Webhook.toNodeListener({ onEvent }))
 * server.maxConnections = 1024
 * ```
 *
 * @since 0.1.0
 * @category receivers
 */
export const toNodeListener = (
  options: HandlerOptions
): (req: Http.IncomingMessage, res: Http.ServerResponse) => void => ReceiverMounts.toNodeListener(options)

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
   * 16 MiB of bodies (the oldest go first).
   */
  readonly awaitEnrichment: (sessionId: string) => Effect.Effect<EnrichmentNotification>
  /**
   * The first `ENRICHMENT_NOTIFICATION` handled for the session, if it was handled
   * recently; a later delivery for the session (a forged one, say) does not replace it.
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
  /** Default 0: a free port chosen by the system. */
  readonly port?: number | undefined
  /** Default `"127.0.0.1"`; `"0.0.0.0"` to accept deliveries from the network. */
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
 * `maxConnections`; a refused request's connection is closed rather than read to its end.
 *
 * @since 0.1.0
 * @category receivers
 */
export const serve = <E = never, R = never>(
  options?: ServeOptions<E, R>
): Effect.Effect<Server, ServeError, Scope.Scope | R> =>
  WebhookServer.make(options ?? {}, (message) => new ServeError({ message }))

/**
 * {@link serve} as a layer providing {@link WebhookEvents}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E = never, R = never>(
  options?: ServeOptions<E, R>
): Layer.Layer<WebhookEvents, ServeError, R> => Layer.scoped(WebhookEvents, serve(options))
