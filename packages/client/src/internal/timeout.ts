import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

// `Effect.timeoutFail` races the call against a sleep: two forked fibers per attempt, about
// 100 µs of CPU, as much as all the rest of a poll. With the live clock the same limit is
// kept without a fiber: the request goes out under a scope of its own (`HttpClient.withScope`:
// closing that scope aborts the request's `AbortController`), and a plain timer closes the
// scope. The attempt then fails in its own fiber, and the failure is read as the timeout.
// The scope is closed only when the attempt does not succeed (timed out, failed, interrupted):
// after a success the body has been read to its end, and an abort would only build a
// `DOMException` for nothing (it captures a stack trace: about a quarter of what a call cost
// over the platform's own client, measured in memory); the unclosed scope holds nothing but
// that abort and is collected with the attempt. Under any other clock (`TestClock`, a custom one) `Effect.timeoutFail`
// is kept, so time in tests follows the clock under test. The platform's transports (fetch,
// undici, node:http) all honour the abort; a hand-made `HttpClient.make` transport must
// honour its `signal` argument for the limit to hold.

/** The clock every runtime starts with: the same instance unless a program provides another. */
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

/** The longest delay `setTimeout` keeps; a longer one would fire at once. */
const maxTimerMillis = 2_147_483_647

/**
 * Sends a request and reads its answer (`use`) within a time limit: past `duration` the
 * request is aborted and the attempt fails with `onTimeout()`. An attempt that fails or is
 * interrupted aborts its request too; `use` must read the body to its end when it succeeds.
 *
 * @internal
 */
export type Execute = <A, E, E1>(
  request: HttpClientRequest.HttpClientRequest,
  duration: Duration.Duration,
  use: (
    response: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
  ) => Effect.Effect<A, E>,
  onTimeout: () => E1
) => Effect.Effect<A, E | E1>

/**
 * The time-limited `execute` of an `HttpClient`.
 *
 * @internal
 */
export const make = (httpClient: HttpClient.HttpClient): Execute => {
  const scopedClient = HttpClient.withScope(httpClient)
  return (request, duration, use, onTimeout) =>
    Effect.clockWith((clock) => {
      const millis = Duration.toMillis(duration)
      if (clock !== liveClock || !(millis <= maxTimerMillis)) {
        return Effect.timeoutFail(use(httpClient.execute(request)), { duration, onTimeout })
      }
      return Effect.flatMap(Scope.make(), (scope) => {
        let timedOut = false
        let timer: ReturnType<typeof setTimeout> | undefined
        // the timer is armed inside `onExit`, so that whatever ends the attempt also disarms it
        return Effect.onExit(
          Effect.suspend(() => {
            timer = setTimeout(() => {
              timedOut = true
              // aborts the request, or the reading of its body; the attempt fails where it waits
              Effect.runFork(Scope.close(scope, Exit.void))
            }, millis)
            return Effect.mapError(
              use(Effect.provideService(scopedClient.execute(request), Scope.Scope, scope)),
              (error) => timedOut ? onTimeout() : error
            )
          }),
          (exit) => {
            clearTimeout(timer)
            // a success read its answer to the end: nothing to abort
            return Exit.isSuccess(exit) ? Effect.void : Scope.close(scope, exit)
          }
        )
      })
    })
}
