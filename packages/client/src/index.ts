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
 * The client service: every call of a session's life, progress and upload status as
 * Streams, report downloads, webhook registration.
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

/**
 * Session creation and statement upload: the options, their wire form, and the answers.
 *
 * @since 0.3.0
 */
export * as SessionSetup from "./SessionSetup.js"

/**
 * The upload phase: `session_upload_status`, statements and their error codes.
 *
 * @since 0.3.0
 */
export * as UploadStatus from "./UploadStatus.js"

/**
 * Each account's confirmed outcome once processing completed: `session_status`.
 *
 * @since 0.3.0
 */
export * as SessionStatus from "./SessionStatus.js"

/**
 * The underwriting data: transactions, predictors, monthly analysis, balances, report links.
 *
 * @since 0.3.0
 */
export * as Insights from "./Insights.js"

/**
 * The uploaded statements' PDFs.
 *
 * @since 0.3.0
 */
export * as Pdfs from "./Pdfs.js"

/**
 * The banks BankConnect supports, and how.
 *
 * @since 0.3.0
 */
export * as BankCatalogue from "./BankCatalogue.js"

/**
 * The webhook receiver for async/await code: a Node listener and a Fetch handler, and
 * `awaitEnrichment` for events that arrived before or after the call.
 *
 * @since 0.3.0
 */
export * as AsyncReceiver from "./AsyncReceiver.js"
