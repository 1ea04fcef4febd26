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
 * @since 0.1.0
 */
export * from "./WebhookPayload.js"
export * from "./WebhookReceiver.js"
export * from "./WebhookServer.js"
