/**
 * The client for plain async/await code: Promises and an async iterable, with
 * `AbortSignal`s. A thin layer over {@link BankConnectClient} through a `ManagedRuntime`:
 * the same requests, retries and errors. Rejections are the same tagged error classes
 * (`err._tag === "SessionNotFound"` and `instanceof` both work); an aborted call rejects
 * with the signal's reason.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as BankConnectClient from "./BankConnectClient.js"
import * as Completion from "./Completion.js"
import * as Validate from "./internal/validate.js"
import type * as Progress from "./Progress.js"

/**
 * The client's settings: as {@link BankConnectClient.Options}, with plain strings for the
 * credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** At least 8 characters. */
  readonly apiKey: string
  /** At least 8 characters. */
  readonly serverHash: string
  /** Default `"https://apis.bankconnect.finbox.in/bank-connect"`. */
  readonly baseUrl?: string | undefined
  /** Default `"v1"`. */
  readonly version?: string | undefined
  /** Per attempt: milliseconds or a duration string. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: BankConnectClient.RetryOptions | undefined
  /** At most this many requests in flight at once, the others queued. Default: no bound. */
  readonly maxRequestsInFlight?: number | undefined
  /** The largest body read from each endpoint. */
  readonly maxResponseBytes?: BankConnectClient.ResponseLimits | undefined
  /**
   * The least severe log line printed: `"debug"` shows every retry, backoff and skipped
   * poll. Default: the `BANKCONNECT_LOG` environment variable, else `"info"`.
   */
  readonly logLevel?: LogLevelName | undefined
}

/**
 * The log levels by name, for {@link Options.logLevel} and `BANKCONNECT_LOG`.
 *
 * @since 0.2.0
 * @category models
 */
export type LogLevelName = "debug" | "info" | "warning" | "error" | "none"

const logLevels: Record<LogLevelName, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

const logLevelOf = (name: unknown, from: string): LogLevel.LogLevel => {
  if (typeof name === "string" && Object.hasOwn(logLevels, name.toLowerCase())) {
    return logLevels[name.toLowerCase() as LogLevelName]
  }
  throw new TypeError(
    `AsyncClient.make: ${from} must be one of ${Object.keys(logLevels).join(", ")}, got ${JSON.stringify(name)}`
  )
}

/**
 * Lets a call be cancelled.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WatchOptions extends CallOptions {
  /** Milliseconds or a duration string such as `"2 seconds"` (the default). */
  readonly interval?: Duration.DurationInput | undefined
  /** Polls in a row that may fail with a transient error before the watch fails. Default 5. */
  readonly maxFailedPolls?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AwaitOptions extends WatchOptions {
  /** Milliseconds or a duration string; past it, the Promise rejects with `CompletionTimeout`. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The async/await client.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsyncClient extends AsyncDisposable {
  /** One progress snapshot. */
  readonly getProgress: (sessionId: string, options?: CallOptions) => Promise<Progress.SessionProgress>
  /** Registers the webhook URL (`webhookMode` 1 unless 0 is given). */
  readonly updateWebhook: (
    webhook: BankConnectClient.UpdateWebhookOptions,
    options?: CallOptions
  ) => Promise<void>
  /**
   * Every snapshot until the session completes, for `for await`. A `break`, a `return()`
   * or an aborted signal stops polling at once, the request in flight included.
   */
  readonly watchProgress: (sessionId: string, options?: WatchOptions) => AsyncIterable<Progress.SessionProgress>
  /** The completed snapshot. */
  readonly awaitCompletion: (sessionId: string, options?: AwaitOptions) => Promise<Progress.SessionProgress>
  /** Releases the client's resources; calls after it reject. */
  readonly close: () => Promise<void>
}

const aborted = (signal: AbortSignal) =>
  Effect.async<never, unknown>((resume) => {
    const onAbort = () => resume(Effect.fail(signal.reason))
    if (signal.aborted) return onAbort()
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/**
 * Makes an async/await client over `fetch`.
 *
 * @example
 * ```ts
 * import { AsyncClient } from "@effect-bankconnect/client"
 *
 * const client = AsyncClient.make({ apiKey: "your-api-key", serverHash: "your-server-hash" })
 *
 * export async function watch(sessionId: string, signal: AbortSignal) {
 *   for await (const progress of client.watchProgress(sessionId, { signal })) {
 *     console.log(progress.session_progress)
 *   }
 * }
 *
 * await client.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): AsyncClient => {
  const problem = Validate.clientProblem(options, BankConnectClient.defaultResponseLimits)
  if (problem !== undefined) throw new TypeError(`AsyncClient.make: ${problem}`)
  const fromEnv = typeof process === "undefined" ? undefined : process.env["BANKCONNECT_LOG"]
  const logLevel = options.logLevel !== undefined
    ? logLevelOf(options.logLevel, "logLevel")
    : fromEnv !== undefined && fromEnv !== ""
    ? logLevelOf(fromEnv, "BANKCONNECT_LOG")
    : LogLevel.Info
  const runtime = ManagedRuntime.make(
    BankConnectClient.layer({
      ...options,
      apiKey: Redacted.make(options.apiKey),
      serverHash: Redacted.make(options.serverHash)
    }).pipe(Layer.provide(FetchHttpClient.layer), Layer.merge(Logger.minimumLogLevel(logLevel)))
  )

  let closed = false
  const closedError = () => new Error("AsyncClient: the client is closed")

  /** Runs a call, settling with its value, its own error, or the signal's reason. */
  const run = <A, E>(
    effect: Effect.Effect<A, E, BankConnectClient.BankConnectClient>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (closed) return Promise.reject(closedError())
    if (signal?.aborted) return Promise.reject(signal.reason)
    return runtime.runPromiseExit(effect, { signal }).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      if (signal?.aborted && Cause.isInterruptedOnly(exit.cause)) throw signal.reason
      throw Cause.squash(exit.cause)
    })
  }

  const withClient = <A, E>(f: (client: BankConnectClient.Service) => Effect.Effect<A, E>) =>
    Effect.flatMap(BankConnectClient.BankConnectClient, f)

  const watchProgress = (sessionId: string, watch?: WatchOptions): AsyncIterable<Progress.SessionProgress> => ({
    [Symbol.asyncIterator]() {
      let started: Promise<AsyncIterator<Progress.SessionProgress>> | undefined
      const start = () =>
        started ??= (async () => {
          if (closed) throw closedError()
          const stream = Stream.unwrap(withClient((client) => Effect.succeed(client.watchProgress(sessionId, watch))))
          return Stream.toAsyncIterableRuntime(
            watch?.signal === undefined ? stream : Stream.interruptWhen(stream, aborted(watch.signal)),
            await runtime.runtime()
          )[Symbol.asyncIterator]()
        })()
      return {
        next: async () => (await start()).next(),
        return: async () => {
          if (started !== undefined) await (await started).return?.()
          return { done: true, value: undefined }
        }
      }
    }
  })

  const close = () => {
    closed = true
    return runtime.dispose()
  }

  return {
    getProgress: (sessionId, call) => run(withClient((client) => client.getProgress(sessionId)), call?.signal),
    updateWebhook: (webhook, call) => run(withClient((client) => client.updateWebhook(webhook)), call?.signal),
    watchProgress,
    awaitCompletion: (sessionId, wait) => {
      const completion = withClient((client) =>
        client.awaitCompletion(sessionId, { interval: wait?.interval, maxFailedPolls: wait?.maxFailedPolls })
      )
      if (wait?.timeout === undefined) return run(completion, wait?.signal)
      const timeout = Duration.decode(wait.timeout)
      return run(
        Effect.timeoutFail(completion, {
          duration: timeout,
          onTimeout: () =>
            new Completion.CompletionTimeout({
              sessionId,
              message: `Session ${sessionId} did not complete within ${Duration.format(timeout)}`
            })
        }),
        wait.signal
      )
    },
    close,
    [Symbol.asyncDispose]: close
  }
}
