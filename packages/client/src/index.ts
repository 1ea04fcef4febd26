/**
 * BankConnect processing status for Effect.
 *
 * @example
 * ```ts
 * import { AsyncClient, BankConnectClient, Progress } from "@effect-bankconnect/client"
 *
 * // the Effect service, and the same client for async/await code
 * assert.strictEqual(typeof BankConnectClient.layer, "function")
 * assert.strictEqual(typeof AsyncClient.make, "function")
 * assert.deepStrictEqual(Progress.stages, ["identity_status", "transaction_status", "processing_status", "fraud_status"])
 * ```
 *
 * @since 0.1.0
 */

/**
 * The client service: progress as an Effect and a Stream, webhook registration.
 *
 * @since 0.1.0
 */
export * as BankConnectClient from "./BankConnectClient.js"

/**
 * One tagged error per API error code, and the transport and request errors.
 *
 * @since 0.1.0
 */
export * as BankConnectError from "./BankConnectError.js"

/**
 * The progress response's schemas and helpers.
 *
 * @since 0.1.0
 */
export * as Progress from "./Progress.js"

/**
 * Webhooks in one namespace: the payloads, the receiver and the ready server (each also a
 * module of its own, below).
 *
 * @since 0.1.0
 */
export * as Webhook from "./Webhook.js"

/**
 * Webhook payloads: the event schemas, the typed account failures, and `decode`.
 *
 * @since 0.2.0
 */
export * as WebhookPayload from "./WebhookPayload.js"

/**
 * The webhook receiver: an `HttpApp`, a Fetch handler and a Node listener.
 *
 * @since 0.2.0
 */
export * as WebhookReceiver from "./WebhookReceiver.js"

/**
 * A ready webhook server and the `WebhookEvents` service.
 *
 * @since 0.2.0
 */
export * as WebhookServer from "./WebhookServer.js"

/**
 * Waiting for completion: the webhook first, polling as the fallback.
 *
 * @since 0.1.0
 */
export * as Completion from "./Completion.js"

/**
 * The client for async/await code: Promises, an async iterable, AbortSignals.
 *
 * @since 0.1.0
 */
export * as AsyncClient from "./AsyncClient.js"
