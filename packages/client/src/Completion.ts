/**
 * Waiting for a session to complete, webhook first and polling as the fallback, as the
 * BankConnect docs advise: listen for the session's `ENRICHMENT_NOTIFICATION`; when none
 * arrives in time, or no receiver is running, poll the progress API every 2 seconds. A
 * webhook is trusted only once a progress call confirms it.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as BankConnectClient from "./BankConnectClient.js"
import * as Progress from "./Progress.js"
import * as Webhook from "./Webhook.js"

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
  /** The session's `ENRICHMENT_NOTIFICATION`, with each account's outcome, if one arrived. */
  readonly webhook: Option.Option<Webhook.EnrichmentNotification>
  /**
   * `webhook` when the webhook arrived in time and one progress call confirmed it;
   * `polling` when completion was seen by polling.
   */
  readonly via: "webhook" | "polling"
}

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
 * Waits for the session to complete. With a {@link Webhook.WebhookEvents} service in
 * context (`Webhook.layer`), it waits up to `webhookWait` for the session's
 * `ENRICHMENT_NOTIFICATION`, then confirms it with one progress call; if the call does not
 * show the session completed (an early or forged webhook), or no webhook arrived in time,
 * or there is no receiver, it polls until the progress API shows completion. Interrupting
 * it stops the wait, the polling and any call in flight.
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitCompletion: (
  sessionId: string,
  options?: Options
) => Effect.Effect<
  Result,
  BankConnectClient.ProgressError | CompletionTimeout,
  BankConnectClient.BankConnectClient
> = Effect.fn("Completion.awaitCompletion")(function*(sessionId: string, options?: Options) {
  const client = yield* BankConnectClient.BankConnectClient
  const receiver = yield* Effect.serviceOption(Webhook.WebhookEvents)
  const poll = client.awaitCompletion(sessionId, { interval: options?.interval })

  const wait = Effect.gen(function*() {
    if (Option.isNone(receiver)) {
      return { progress: yield* poll, webhook: Option.none(), via: "polling" } satisfies Result
    }
    const listening = yield* Effect.forkScoped(receiver.value.awaitEnrichment(sessionId))
    const arrived = yield* Fiber.join(listening).pipe(Effect.timeoutOption(options?.webhookWait ?? "30 seconds"))
    if (Option.isSome(arrived)) {
      const confirmed = yield* client.getProgress(sessionId)
      if (Progress.isComplete(confirmed)) return { progress: confirmed, webhook: arrived, via: "webhook" } satisfies Result
    }
    const progress = yield* poll
    const late = yield* Fiber.poll(listening)
    const webhook = Option.isSome(arrived)
      ? arrived
      : Option.flatMap(late, (exit) => Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none())
    return { progress, webhook, via: "polling" } satisfies Result
  }).pipe(Effect.scoped)

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
})
