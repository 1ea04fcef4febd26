/**
 * The webhook receiver for async/await code: a Node listener and a Fetch handler over one
 * receiver (the same checks, limits and deduplication as `WebhookReceiver`), plus
 * `awaitEnrichment`, which gives a session's `ENRICHMENT_NOTIFICATION` whether it arrived
 * before the call or after. `AsyncClient.awaitOutcome` takes it as its `receiver`, for
 * completion with the webhook first.
 *
 * @since 0.3.0
 */
import * as Effect from "effect/Effect"
import type * as Http from "node:http"
import { BoundedMap } from "./internal/boundedMap.js"
import type * as WebhookPayload from "./WebhookPayload.js"
import * as WebhookReceiver from "./WebhookReceiver.js"

/**
 * A dedupe store with Promises (a database, Redis, ...): a rejection answers the delivery
 * 500, so the sender retries.
 *
 * @since 0.3.0
 * @category models
 */
export interface PromiseDedupeStore {
  /** Whether an event with this key was handled. */
  readonly has: (key: string) => Promise<boolean>
  /** Marks an event as handled (only after `onEvent` succeeded). */
  readonly add: (key: string) => Promise<void>
}

/**
 * The receiver's settings: as `WebhookReceiver.HandlerOptions`, with `onEvent` optional
 * and a dedupe store that may speak Promises.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options extends Omit<WebhookReceiver.HandlerOptions, "onEvent" | "dedupe"> {
  /** Runs once per event; a throw or a rejection answers 500, so the sender retries. */
  readonly onEvent?: ((event: WebhookPayload.Event) => void | Promise<void>) | undefined
  /**
   * Where handled events are remembered, so a repeated delivery is acknowledged without
   * running `onEvent` again: a store of your own with Promises (to share it between
   * processes). Default: in memory, the newest 10,000 events; `false` turns deduplication off.
   */
  readonly dedupe?: PromiseDedupeStore | false | undefined
}

/**
 * A running receiver, to mount on a server of your own.
 *
 * @since 0.3.0
 * @category models
 */
export interface AsyncReceiver {
  /** For `http.createServer` and Express-style servers (mount it before any body parser). */
  readonly nodeListener: (req: Http.IncomingMessage, res: Http.ServerResponse) => void
  /** For Fetch-shaped servers: Hono, Next.js route handlers, Bun, Deno. */
  readonly fetchHandler: (request: Request) => Promise<Response>
  /**
   * The session's first `ENRICHMENT_NOTIFICATION`: at once if one arrived recently (the
   * newest {@link recentCapacity} sessions are kept, within {@link recentBytes}), else when
   * one arrives. An aborted `signal` rejects with its reason. Without a `secret`, anyone
   * who can reach the receiver can post one: `AsyncClient.awaitOutcome` confirms it with
   * the progress API and takes the outcome from the session status, never from it.
   */
  readonly awaitEnrichment: (
    sessionId: string,
    options?: { readonly signal?: AbortSignal | undefined }
  ) => Promise<WebhookPayload.EnrichmentNotification>
  /** The session's first `ENRICHMENT_NOTIFICATION`, if one arrived recently. */
  readonly latestEnrichment: (sessionId: string) => WebhookPayload.EnrichmentNotification | undefined
}

/**
 * How many sessions' enrichments are kept.
 *
 * @since 0.3.0
 * @category constants
 */
export const recentCapacity = 10_000

/**
 * The most bytes the kept enrichments take (as JSON); one over 64 KiB is not kept.
 *
 * @since 0.3.0
 * @category constants
 */
export const recentBytes = 16 * 1024 * 1024

const maxEntryBytes = 64 * 1024

const effectStore = (store: PromiseDedupeStore): WebhookReceiver.DedupeStore => ({
  has: (key) => Effect.promise(() => store.has(key)),
  add: (key) => Effect.promise(() => store.add(key))
})

/**
 * Makes a receiver to mount on your server.
 *
 * @example
 * ```ts
 * import { AsyncReceiver } from "@effect-bankconnect/client"
 *
 * const receiver = AsyncReceiver.make({ onEvent: (event) => console.log(event._tag) })
 *
 * const delivery = new Request("http://localhost/webhooks/bankconnect", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", session_id: "s-1", accounts: [] })
 * })
 * assert.strictEqual((await receiver.fetchHandler(delivery)).status, 200)
 * // it arrived before the call, and is still given
 * const enrichment = await receiver.awaitEnrichment("s-1")
 * assert.strictEqual(enrichment.session_id, "s-1")
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (options: Options = {}): AsyncReceiver => {
  const recent = new BoundedMap<string, WebhookPayload.EnrichmentNotification>(recentCapacity, recentBytes)
  const waiting = new Map<string, Set<(event: WebhookPayload.EnrichmentNotification) => void>>()

  const keep = (event: WebhookPayload.EnrichmentNotification) => {
    const bytes = JSON.stringify(event).length
    // the first delivery is kept: a later (forged, say) copy never replaces it
    if (bytes <= maxEntryBytes && !recent.has(event.session_id)) recent.set(event.session_id, event, bytes)
    const waiters = waiting.get(event.session_id)
    if (waiters === undefined) return
    waiting.delete(event.session_id)
    const first = recent.get(event.session_id) ?? event
    for (const wake of waiters) wake(first)
  }

  const given = options.dedupe
  const dedupe = given === undefined
    ? WebhookReceiver.memoryDedupeStore()
    : given === false
    ? false
    : effectStore(given)
  const handler: WebhookReceiver.HandlerOptions = {
    ...options,
    dedupe,
    onEvent: (event) => {
      const user = options.onEvent?.(event)
      const record = () => {
        if (event._tag === "EnrichmentNotification") keep(event)
      }
      // kept once handled: a delivery whose onEvent failed is retried by the sender
      return user instanceof Promise ? user.then(record) : record()
    }
  }
  const nodeListener = WebhookReceiver.toNodeListener(handler)
  const fetchHandler = WebhookReceiver.toWebHandler(handler)

  const awaitEnrichment = (sessionId: string, call?: { readonly signal?: AbortSignal | undefined }) =>
    new Promise<WebhookPayload.EnrichmentNotification>((resolve, reject) => {
      const known = recent.get(sessionId)
      if (known !== undefined) return resolve(known)
      const signal = call?.signal
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => {
        waiters?.delete(wake)
        if (waiters?.size === 0) waiting.delete(sessionId)
        reject(signal?.reason)
      }
      const wake = (event: WebhookPayload.EnrichmentNotification) => {
        signal?.removeEventListener("abort", onAbort)
        resolve(event)
      }
      let waiters = waiting.get(sessionId)
      if (waiters === undefined) {
        waiters = new Set()
        waiting.set(sessionId, waiters)
      }
      waiters.add(wake)
      signal?.addEventListener("abort", onAbort, { once: true })
    })

  return { nodeListener, fetchHandler, awaitEnrichment, latestEnrichment: (sessionId) => recent.get(sessionId) }
}
