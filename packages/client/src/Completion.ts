/**
 * Waiting for a session to complete, webhook first and polling as the fallback, as the
 * BankConnect docs advise: listen for the session's `ENRICHMENT_NOTIFICATION`; when none
 * arrives in time, or no receiver is running, poll the progress API every 2 seconds.
 *
 * A webhook is unauthenticated input (anyone who can reach the receiver can post one):
 * completion is taken only from the progress API, and a webhook's account outcomes are
 * returned only when they agree with the confirmed progress. What is verified and what is
 * not: the session is complete (the progress API says so); a statement the progress API
 * shows failed is never reported as a fully completed session (a webhook saying every
 * account completed without failure is then dropped). Which account failed, and why, is
 * the webhook's word until the session-status call confirms it; set the receiver's
 * `secret` so that only BankConnect can post.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as BankConnectClient from "./BankConnectClient.js"
import type * as Insights from "./Insights.js"
import * as Progress from "./Progress.js"
import type * as SessionStatus from "./SessionStatus.js"
import type * as WebhookPayload from "./WebhookPayload.js"
import * as WebhookServer from "./WebhookServer.js"

/**
 * How long to wait, and how often to poll.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long to wait for the webhook before polling. Default `"30 seconds"`. */
  readonly webhookWait?: Duration.DurationInput | undefined
  /** The polling interval. Default `"2 seconds"`. */
  readonly interval?: Duration.DurationInput | undefined
  /** A limit on the whole wait; past it, {@link CompletionTimeout}. Default none. */
  readonly deadline?: Duration.DurationInput | undefined
  /** `true`: fetch the insights too, in the same wait (within the deadline). Default `false`. */
  readonly insights?: boolean | undefined
}

/**
 * The completed session.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  /** The progress snapshot that shows the session completed. */
  readonly progress: Progress.SessionProgress
  /**
   * The session's first `ENRICHMENT_NOTIFICATION`, with each account's outcome, if one
   * arrived and agrees with `progress` (see the module's notes on what that verifies).
   */
  readonly webhook: Option.Option<WebhookPayload.EnrichmentNotification>
  /**
   * `webhook` when the webhook arrived in time, one progress call confirmed completion and
   * the webhook agrees with it; `polling` when completion was seen by polling.
   */
  readonly via: "webhook" | "polling"
  /**
   * The session status, fetched once the progress API showed completion: each account's
   * outcome and typed failure, confirmed by the API. The source of every outcome (a
   * webhook's content never is).
   */
  readonly status: SessionStatus.SessionStatus
  /** The insights, when {@link Options.insights} asked for them. */
  readonly insights: Option.Option<Insights.Insights>
}

/**
 * Every error {@link awaitCompletion} can fail with.
 *
 * @since 0.3.0
 * @category errors
 */
export type Error =
  | BankConnectClient.ProgressError
  | BankConnectClient.SessionStatusError
  | BankConnectClient.InsightsError
  | CompletionTimeout

/**
 * The deadline passed before the session completed.
 *
 * @since 0.1.0
 * @category errors
 */
export class CompletionTimeout extends Schema.TaggedError<CompletionTimeout>()("CompletionTimeout", {
  sessionId: Schema.String,
  message: Schema.String
}) {}

/**
 * Whether a webhook agrees with the confirmed progress. It must be about the same session;
 * every account must be exactly `completed` with no failure code, or exactly `failed` with
 * one (any other spelling is a disagreement); it may not name more accounts than the
 * progress has statements (each account has one at least); and when a statement failed,
 * at least one account must have failed. Which account failed, and why, still rests on the
 * webhook's word: the progress API does not name accounts.
 *
 * @since 0.2.0
 * @category waiting
 */
export const agrees = (progress: Progress.SessionProgress, webhook: WebhookPayload.EnrichmentNotification): boolean => {
  if (webhook.session_id !== progress.session_id) return false
  if (progress.progress.length > 0 && webhook.accounts.length > progress.progress.length) return false
  let failed = 0
  for (const account of webhook.accounts) {
    if (account.account_status === "completed") {
      if (account.failure !== null) return false
    } else if (account.account_status === "failed") {
      if (account.failure === null) return false
      failed++
    } else {
      return false
    }
  }
  return Progress.failedStatements(progress).length === 0 || failed > 0
}

/**
 * The session status of a session the progress API showed completed: BankConnect may need a
 * moment to have it ready, so `PROCESSING_NOT_COMPLETED` is waited out, one `interval` at a
 * time (default 2 seconds), up to 5 times. What {@link awaitCompletion} confirms each
 * account's outcome with.
 *
 * @since 0.3.0
 * @category waiting
 */
export const confirmedStatus = (
  client: BankConnectClient.Service,
  sessionId: string,
  interval: Duration.DurationInput = "2 seconds"
): Effect.Effect<SessionStatus.SessionStatus, BankConnectClient.SessionStatusError> =>
  client.getSessionStatus(sessionId).pipe(
    Effect.retry({
      while: (error) => error._tag === "ProcessingNotCompleted",
      times: 5,
      schedule: Schedule.spaced(interval)
    })
  )

/**
 * Waits for the session to complete. With a {@link WebhookServer.WebhookEvents} service in
 * context (`Webhook.layer`), it waits up to `webhookWait` for the session's
 * `ENRICHMENT_NOTIFICATION`, then confirms it with one progress call; if the call does not
 * show the session completed (an early or forged webhook), or no webhook arrived in time,
 * or there is no receiver, it polls until the progress API shows completion. Interrupting
 * it stops the wait, the polling and any call in flight.
 *
 * @example
 * ```ts
 * import { BankConnectClient, Completion, Webhook } from "@effect-bankconnect/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Option, Redacted } from "effect"
 *
 * export const program = Effect.gen(function*() {
 *   const result = yield* Completion.awaitCompletion("0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", {
 *     webhookWait: "1 minute",
 *     deadline: "30 minutes"
 *   })
 *   // the webhook's account outcomes, when one arrived and agrees with the progress API
 *   const failures = Option.match(result.webhook, {
 *     onNone: () => [],
 *     onSome: (webhook) => webhook.accounts.flatMap((account) => account.failure === null ? [] : [account.failure])
 *   })
 *   return { via: result.via, failures }
 * }).pipe(
 *   Effect.provide(Webhook.layer({ host: "0.0.0.0", port: 8080, secret: Redacted.make("a-shared-secret") })),
 *   Effect.provide(
 *     BankConnectClient.layer({ apiKey: Redacted.make("your-api-key"), serverHash: Redacted.make("your-server-hash") })
 *       .pipe(Layer.provide(FetchHttpClient.layer))
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitCompletion: (
  sessionId: string,
  options?: Options
) => Effect.Effect<Result, Error, BankConnectClient.BankConnectClient> = Effect.fn("Completion.awaitCompletion")(
  function*(sessionId: string, options?: Options) {
    const client = yield* BankConnectClient.BankConnectClient
    const receiver = yield* Effect.serviceOption(WebhookServer.WebhookEvents)
    const poll = client.awaitCompletion(sessionId, { interval: options?.interval })

    const interval = Duration.decode(options?.interval ?? "2 seconds")
    /** The outcome, confirmed: the session status once the progress API showed completion. */
    const confirm = (seen: Seen) =>
      Effect.gen(function*() {
        const status = yield* confirmedStatus(client, sessionId, interval)
        const insights = options?.insights === true ? Option.some(yield* client.getInsights(sessionId)) : Option.none()
        return { ...seen, status, insights } satisfies Result
      })

    const wait = Effect.gen(function*() {
      if (Option.isNone(receiver)) {
        return { progress: yield* poll, webhook: Option.none(), via: "polling" } satisfies Seen
      }
      const listening = yield* Effect.forkScoped(receiver.value.awaitEnrichment(sessionId))
      const arrived = yield* Fiber.join(listening).pipe(Effect.timeoutOption(options?.webhookWait ?? "30 seconds"))
      /** The webhook if it agrees with the confirmed progress; a disagreeing one is logged and dropped. */
      const checked = (progress: Progress.SessionProgress, webhook: WebhookPayload.EnrichmentNotification) =>
        agrees(progress, webhook) ? Effect.succeed(Option.some(webhook)) : Effect.as(
          Effect.logWarning(
            "Completion: an ENRICHMENT_NOTIFICATION disagrees with the confirmed progress (a failed statement, no failed account); ignored"
          ).pipe(Effect.annotateLogs("bankconnect.session_id", sessionId)),
          Option.none<WebhookPayload.EnrichmentNotification>()
        )
      if (Option.isSome(arrived)) {
        const confirmed = yield* client.getProgress(sessionId)
        if (Progress.isComplete(confirmed)) {
          const webhook = yield* checked(confirmed, arrived.value)
          return { progress: confirmed, webhook, via: Option.isSome(webhook) ? "webhook" : "polling" } satisfies Seen
        }
      }
      const progress = yield* poll
      const late = yield* Fiber.poll(listening)
      const first = Option.isSome(arrived)
        ? arrived
        : Option.flatMap(late, (exit) => Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none())
      const webhook = Option.isSome(first) ? yield* checked(progress, first.value) : first
      return { progress, webhook, via: "polling" } satisfies Seen
    }).pipe(Effect.scoped, Effect.flatMap(confirm))

    if (options?.deadline === undefined) return yield* wait
    const deadline = Duration.decode(options.deadline)
    return yield* Effect.timeoutFail(wait, {
      duration: deadline,
      onTimeout: () =>
        new CompletionTimeout({
          sessionId,
          message: `Session ${sessionId} did not complete within ${Duration.format(deadline)}`
        })
    })
  }
)

/** What the wait saw before confirming. */
interface Seen {
  readonly progress: Progress.SessionProgress
  readonly webhook: Option.Option<WebhookPayload.EnrichmentNotification>
  readonly via: "webhook" | "polling"
}
