/**
 * BankConnect's webhooks in one namespace: the payloads and {@link decode}
 * (`WebhookPayload`), the receiver (`WebhookReceiver`: {@link httpApp}, {@link toWebHandler},
 * {@link toNodeListener}) and a ready Node server whose events are also a `Stream`
 * (`WebhookServer`: {@link serve}, {@link layer}, {@link WebhookEvents}). Each is also a
 * module of its own.
 *
 * A webhook is a hint that can be missing, late, repeated or forged: `Completion` confirms
 * it with the progress API before trusting it.
 *
 * @example
 * ```ts
 * import { Webhook } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * // the same receiver, whichever way it is mounted
 * export const handler = Webhook.toWebHandler({ onEvent: (event) => console.log(event._tag) })
 * export const app = Webhook.httpApp({ onEvent: (event) => Effect.log(event._tag) })
 *
 * const event = Effect.runSync(Webhook.decode({ event_name: "SESSION_EXPIRY_NOTIFICATION", session_id: "s-1" }))
 * assert.strictEqual(event._tag, "SessionExpiryNotification")
 * ```
 *
 * @since 0.1.0
 */
/**
 * The payloads: event schemas, typed account failures, `decode`.
 *
 * @since 0.1.0
 */
export * from "./WebhookPayload.js"

/**
 * The receiver: `httpApp`, `toWebHandler`, `toNodeListener`.
 *
 * @since 0.1.0
 */
export * from "./WebhookReceiver.js"

/**
 * The ready server: `serve`, `layer`, `WebhookEvents`.
 *
 * @since 0.1.0
 */
export * from "./WebhookServer.js"
