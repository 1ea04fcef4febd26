import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"

/**
 * How one attempt failed: the error to surface if no retry follows, whether a retry may
 * cure it, and the wait the server asked for, if it did.
 *
 * @internal
 */
export class AttemptFailure<E> extends Data.TaggedError("AttemptFailure")<{
  readonly error: E
  readonly retryable: boolean
  readonly retryAfter: Option.Option<Duration.Duration>
}> {}

const isRetryable = (u: unknown): u is AttemptFailure<unknown> => u instanceof AttemptFailure && u.retryable

/**
 * Reads a `Retry-After` header: a number of seconds, or an HTTP date (relative to `now`,
 * in epoch milliseconds). A date in the past gives zero; anything else gives none.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return Option.none()
  return date > now ? Option.some(Duration.millis(date - now)) : Option.some(Duration.zero)
}

/**
 * The resolved retry policy of a client.
 *
 * @internal
 */
export interface RetryPolicy {
  readonly times: number
  readonly base: Duration.Duration
  readonly max: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
}

/** What failed, for the debug log: the status of an answer, or the transport's reason. */
const what = (error: unknown): { readonly text: string; readonly annotations: Record<string, unknown> } => {
  const { _tag, reason, sessionId, status } = error as {
    readonly _tag?: unknown
    readonly reason?: unknown
    readonly status?: unknown
    readonly sessionId?: unknown
  }
  const annotations: Record<string, unknown> = typeof sessionId === "string"
    ? { "bankconnect.session_id": sessionId }
    : {}
  if (typeof status === "number") {
    return { text: `HTTP ${status}`, annotations: { ...annotations, "bankconnect.status": status } }
  }
  if (_tag === "TransportError" && reason === "Timeout") return { text: "a timeout", annotations }
  return { text: "a network failure", annotations }
}

/**
 * Jittered exponential backoff from `base`, each wait capped at `max`, at most `times`
 * retries, and only while the failure is retryable. A server's `Retry-After` is
 * honoured (capped at `maxRetryAfter`) when it asks for a longer wait than the backoff.
 * Each retry is logged at debug level with its attempt, what failed and the wait.
 *
 * @internal
 */
export const schedule = (policy: RetryPolicy): Schedule.Schedule<unknown, unknown> =>
  Schedule.exponential(policy.base, 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, policy.max)),
    Schedule.intersect(Schedule.recurs(policy.times)),
    Schedule.intersect(Schedule.identity<unknown>()),
    Schedule.whileInput(isRetryable),
    Schedule.modifyDelayEffect(([[, retries], failure], delay) => {
      const wait = isRetryable(failure)
        ? Option.match(failure.retryAfter, {
          onNone: () => delay,
          onSome: (asked) => Duration.max(delay, Duration.min(asked, policy.maxRetryAfter))
        })
        : delay
      const failed = what(isRetryable(failure) ? failure.error : failure)
      const millis = Math.round(Duration.toMillis(wait))
      return Effect.as(
        Effect.logDebug(
          `BankConnect: retry ${retries + 1} of ${policy.times} in ${
            Duration.format(Duration.millis(millis))
          } after ${failed.text}`
        ).pipe(
          Effect.annotateLogs({
            ...failed.annotations,
            "bankconnect.attempt": retries + 2,
            "bankconnect.delay_ms": millis
          })
        ),
        wait
      )
    })
  )
