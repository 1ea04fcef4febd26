import * as Cause from "effect/Cause"
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
 * Where every watch's span is made, as `Cause.pretty` shows it beside the span's name: taken
 * once for all watches. Left to `Effect.makeSpan`, each watch would keep an `Error` of its
 * own for it (0.55 KB per watch, measured with 10,000 idle watches). The span is ended by
 * hand, so Effect reads this only to print a failure's spans.
 */
const spanTrace = (() => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 1
  const here = new Error()
  Error.stackTraceLimit = limit
  let location: string | undefined
  return () => location ??= here.stack?.split("\n")[1]?.trim()
})()

/**
 * Makes a span's ids flat strings. Effect's native tracer builds a root span's ids a character
 * at a time, which V8 keeps as a chain of some twenty pieces per id until a character of it is
 * read (0.7 KB per watch, measured with 10,000 idle watches); reading one flattens the id in
 * place, and the pieces are collected. The sum is returned so that the reads are not dropped.
 */
const flattenIds = (span: Tracer.Span): number => span.traceId.charCodeAt(0) + span.spanId.charCodeAt(0)

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
  //
  // What a watch keeps between its polls counts thousands of times over, so a watch keeps
  // little: the steps of a poll are made as it starts and dropped after it, the first pull's
  // step likewise, and the closures a watch keeps are unnamed arguments (a named one, such as
  // `const onSuccess = ...`, gets a `name` property of its own under tools that keep names, as
  // tsx and esbuild do: 256 bytes each). With 10,000 idle watches this comes to 32.5 KB a
  // watch, against 32.2 KB for a bare `Stream.repeatEffectWithSchedule` of a constant.
  return Stream.suspend(() => {
    let driver: Schedule.ScheduleDriver<unknown, unknown, never> | undefined
    let span: Tracer.Span | undefined
    let failure: Cause.Cause<unknown> | undefined
    let done = false
    let failedInARow = 0
    /**
     * One poll: a value, or none when a transient failure is to be skipped (while under
     * `maxFailedPolls` in a row); any other failure is the stream's.
     */
    const poll = Effect.suspend(() =>
      Effect.flatMap(
        Effect.exit(Effect.withParentSpan(options.poll, span!)),
        (exit): Effect.Effect<Option.Option<A>, Option.Option<E>> => {
          if (Exit.isSuccess(exit)) {
            failedInARow = 0
            return Effect.succeed(Option.some(exit.value))
          }
          const error = Cause.failureOption(exit.cause)
          if (Option.isSome(error) && Transience.isTransient(error.value) && ++failedInARow < maxFailedPolls) {
            return Effect.as(
              Effect.logDebug(
                `BankConnect: poll skipped after ${error.value._tag} (${failedInARow} of ${maxFailedPolls} in a row); next poll in ${
                  Duration.format(interval)
                }`
              ).pipe(Effect.annotateLogs({
                "bankconnect.session_id": shown,
                "bankconnect.failed_polls": failedInARow,
                "bankconnect.delay_ms": Duration.toMillis(interval)
              })),
              Option.none<A>()
            )
          }
          failure = exit.cause
          return Effect.mapError(Effect.failCause(exit.cause), Option.some)
        }
      )
    )
    /**
     * The next value, waiting on the schedule before every poll but the first (whose pull
     * makes the span and the schedule's driver); ends after the final one.
     */
    const pull: Effect.Effect<A, Option.Option<E>> = Effect.suspend(() => {
      if (done) return Effect.fail(Option.none())
      const wait = driver !== undefined ? driver.next(undefined) : Effect.zipWith(
        Schedule.driver(schedule),
        Effect.makeSpan(options.span, {
          attributes: { "bankconnect.session_id": shown },
          captureStackTrace: spanTrace
        }),
        (made, madeSpan) => {
          driver = made
          span = madeSpan
          return flattenIds(madeSpan)
        }
      )
      return Effect.flatMap(Effect.zipRight(wait, poll), (value) => {
        if (Option.isNone(value)) return pull
        done = options.isFinal(value.value)
        return Effect.succeed(value.value)
      })
    })
    // the clock's own reading, as Effect's spans take it (`TestClock`'s `currentTimeNanos`
    // throws once a jittered sleep has made its time fractional)
    const end = Effect.clockWith((clock) =>
      Effect.sync(() =>
        span?.end(clock.unsafeCurrentTimeNanos(), failure === undefined ? Exit.void : Exit.failCause(failure))
      )
    )
    return Stream.ensuring(Stream.repeatEffectOption(pull), end)
  })
}
