import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type * as BankConnectError from "../BankConnectError.js"
import * as Transience from "./transience.js"

/**
 * How a poll stream runs: what one poll is, when a value is the last, the pause between
 * polls and how many transient failures in a row are skipped.
 *
 * @internal
 */
export interface PollOptions<A, E> {
  readonly poll: Effect.Effect<A, E>
  readonly isFinal: (value: A) => boolean
  readonly interval: Duration.Duration
  readonly maxFailedPolls: number
  /** The span around the whole stream. */
  readonly span: string
  /** The session id as it may appear in a span or a log line: cut and scrubbed. */
  readonly shown: string
}

/**
 * Every value of a polled resource: the first poll at once, then one after each `interval`
 * (`Schedule.spaced`), ending right after the first final value. A poll whose transient
 * failure outlasts the call's own retries is skipped, and `maxFailedPolls` such polls in a
 * row fail the stream; any other failure fails it at once. One pull-based stream rather
 * than a chain of operators: each Stream stage costs heap and CPU per watch, which counts
 * when thousands of sessions are watched at once.
 *
 * @internal
 */
export const make = <A, E extends BankConnectError.BankConnectError>(
  options: PollOptions<A, E>
): Stream.Stream<A, E> => {
  const { interval, maxFailedPolls, shown } = options
  // a zero interval polls back to back, without arming a timer for each poll
  const schedule = Duration.isZero(interval) ? Schedule.forever : Schedule.spaced(interval)
  // The watch's span, made by hand: `Stream.withSpan` holds a scope and a context per stream
  // (7 KB per watch, measured with 10,000 watches). Each poll runs under it, and it ends with
  // the stream. The span and the schedule's driver are made by the first pull, so that the
  // stream is one stage, not an `unwrap` of an effect.
  return Stream.suspend(() => {
    let driver: Schedule.ScheduleDriver<unknown, unknown, never> | undefined
    let span: Tracer.Span | undefined
    let failure: Cause.Cause<unknown> | undefined
    let done = false
    let failedInARow = 0
    // the clock's own reading, as Effect's spans take it (`TestClock`'s `currentTimeNanos`
    // throws once a jittered sleep has made its time fractional)
    const end = Effect.clockWith((clock) =>
      Effect.sync(() =>
        span?.end(clock.unsafeCurrentTimeNanos(), failure === undefined ? Exit.void : Exit.failCause(failure))
      )
    )
    /** One poll: a value, or none when a transient failure is to be skipped. */
    const poll = Effect.suspend(() => Effect.withParentSpan(options.poll, span!)).pipe(
      Effect.map((value) => {
        failedInARow = 0
        return Option.some(value)
      }),
      Effect.catchIf(
        (error) => Transience.isTransient(error) && ++failedInARow < maxFailedPolls,
        (error) =>
          Effect.as(
            Effect.logDebug(
              `BankConnect: poll skipped after ${error._tag} (${failedInARow} of ${maxFailedPolls} in a row); next poll in ${
                Duration.format(interval)
              }`
            ).pipe(Effect.annotateLogs({
              "bankconnect.session_id": shown,
              "bankconnect.failed_polls": failedInARow,
              "bankconnect.delay_ms": Duration.toMillis(interval)
            })),
            Option.none<A>()
          )
      ),
      Effect.tapErrorCause((cause) => Effect.sync(() => failure = cause))
    )
    /** The first pull: the span and the driver, then the first poll at once. */
    const start = Effect.zipWith(
      Schedule.driver(schedule),
      Effect.makeSpan(options.span, { attributes: { "bankconnect.session_id": shown } }),
      (made, madeSpan) => {
        driver = made
        span = madeSpan
      }
    )
    /** The next value, waiting on the schedule before every poll but the first; ends after the final one. */
    const next = (): Effect.Effect<A, Option.Option<E>> =>
      Effect.suspend(() => {
        if (done) return Effect.fail(Option.none())
        const wait = driver === undefined ? start : driver.next(undefined)
        return Effect.zipRight(wait, Effect.mapError(poll, Option.some)).pipe(
          Effect.flatMap(Option.match({
            onNone: next,
            onSome: (value) => {
              done = options.isFinal(value)
              return Effect.succeed(value)
            }
          }))
        )
      })
    return Stream.ensuring(Stream.repeatEffectOption(next()), end)
  })
}
