import type * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Completion from "@effect-bankconnect/client/Completion"
import type * as Insights from "@effect-bankconnect/client/Insights"
import type * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import type * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as TrackerEvent from "../TrackerEvent.js"

/**
 * How a completed session's outcome was confirmed.
 *
 * @internal
 */
export interface Confirmed {
  readonly via: "webhook" | "polling"
  readonly accounts: ReadonlyArray<TrackerEvent.AccountOutcome>
  readonly accountsFrom: "session_status" | "webhook" | "none"
  readonly insightsAvailable: boolean | null
}

/**
 * The caller's `onInsights` failed: the confirmation is tried again later.
 *
 * @internal
 */
export class HookFailed extends Data.TaggedError("HookFailed")<{ readonly cause: unknown }> {}

/**
 * Runs with a completed session's insights, before its `Completed` event is written.
 *
 * @internal
 */
export type OnInsights<E, R> = (
  insights: Insights.Insights,
  session: { readonly sessionId: string; readonly reference: string | null }
) => Effect.Effect<void, E, R>

const fromStatus = (account: SessionStatus.Account) =>
  new TrackerEvent.AccountOutcome({
    accountId: account.account_id,
    bankName: account.bank_name,
    status: account.account_status,
    errorCode: account.error_code,
    errorMessage: account.error_message
  }, { disableValidation: true })

/**
 * Whether the session's webhook counts: it arrived and agrees with the confirmed progress
 * (`Completion.agrees`); one that disagrees is logged and dropped.
 */
const agreeing = (progress: Progress.SessionProgress, webhook: WebhookPayload.EnrichmentNotification | undefined) => {
  if (webhook === undefined) return Effect.succeed(false)
  if (Completion.agrees(progress, webhook)) return Effect.succeed(true)
  return Effect.as(
    Effect.logWarning(
      "Tracker: an ENRICHMENT_NOTIFICATION disagrees with the confirmed progress (a failed statement, no failed account); ignored"
    ).pipe(Effect.annotateLogs("bankconnect.session_id", progress.session_id)),
    false
  )
}

/**
 * The one step between "the progress API shows the session completed" and the
 * `Completed` event: the session-status call gives each account's outcome (the webhook's
 * word is not needed for them), `onInsights`, when given, gets the insights first (unless
 * the status says there are none), and the webhook, when one arrived and agrees, says
 * the tracker learned of completion through it.
 *
 * @internal
 */
export const confirm = <E, R>(
  client: BankConnectClient.Service,
  progress: Progress.SessionProgress,
  webhook: WebhookPayload.EnrichmentNotification | undefined,
  session: { readonly sessionId: string; readonly reference: string | null },
  onInsights: OnInsights<E, R> | undefined
): Effect.Effect<Confirmed, BankConnectClient.SessionStatusError | HookFailed, R> =>
  Effect.gen(function*() {
    const status = yield* client.getSessionStatus(session.sessionId)
    const viaWebhook = yield* agreeing(progress, webhook)
    if (onInsights !== undefined && status.insights_available !== false) {
      const insights = yield* client.getInsights(session.sessionId)
      yield* Effect.catchAllCause(onInsights(insights, session), (cause) => Effect.fail(new HookFailed({ cause })))
    }
    return {
      via: viaWebhook ? "webhook" : "polling",
      accounts: status.accounts.map(fromStatus),
      accountsFrom: "session_status",
      insightsAvailable: status.insights_available ?? webhook?.insights_available ?? null
    } satisfies Confirmed
  })
