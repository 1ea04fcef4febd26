/**
 * BankConnect processing status for Effect.
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
 * Webhook payloads, their decoding, and the receiver.
 *
 * @since 0.1.0
 */
export * as Webhook from "./Webhook.js"

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
