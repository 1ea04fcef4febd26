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
import { createWriteStream } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import type * as AsyncReceiver from "./AsyncReceiver.js"
import type * as BankCatalogue from "./BankCatalogue.js"
import * as BankConnectClient from "./BankConnectClient.js"
import * as Completion from "./Completion.js"
import type * as Insights from "./Insights.js"
import * as Validate from "./internal/validate.js"
import type * as Pdfs from "./Pdfs.js"
import type * as Progress from "./Progress.js"
import type * as SessionSetup from "./SessionSetup.js"
import type * as SessionStatus from "./SessionStatus.js"
import type * as UploadStatus from "./UploadStatus.js"
import * as WebhookServer from "./WebhookServer.js"

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
  /** Per attempt of insights, uploads and report downloads. Default 2 minutes. */
  readonly transferTimeout?: Duration.DurationInput | undefined
  /** The largest report or PDF downloaded. Default 256 MiB. */
  readonly maxReportBytes?: number | undefined
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
 * How {@link AsyncClient.awaitOutcome} waits.
 *
 * @since 0.3.0
 * @category models
 */
export interface OutcomeOptions extends CallOptions {
  /**
   * A receiver (`AsyncReceiver.make`'s, mounted on your server), for the webhook first: its
   * `awaitEnrichment` gives the session's `ENRICHMENT_NOTIFICATION`, even one that arrived
   * before the call.
   */
  readonly receiver?: Pick<AsyncReceiver.AsyncReceiver, "awaitEnrichment"> | undefined
  /** How long to wait for the webhook before polling. Default 30 seconds. */
  readonly webhookWait?: Duration.DurationInput | undefined
  /** The polling interval. Default 2 seconds. */
  readonly interval?: Duration.DurationInput | undefined
  /** A limit on the whole wait; past it, the Promise rejects with `CompletionTimeout`. */
  readonly timeout?: Duration.DurationInput | undefined
  /** `true`: fetch the insights too. */
  readonly insights?: boolean | undefined
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
  /**
   * Waits for the session to complete as `Completion.awaitCompletion` does: webhook first
   * when a `receiver` is given (its `ENRICHMENT_NOTIFICATION` then one confirming progress
   * call), polling otherwise or when none arrives within `webhookWait`; then the confirmed
   * account outcomes from the session status (and the insights, with `insights: true`).
   */
  readonly awaitOutcome: (sessionId: string, options?: OutcomeOptions) => Promise<Completion.Result>
  /** Creates a session (v2 when v2's fields are used); not retried. */
  readonly createSession: (
    options: SessionSetup.CreateSessionOptions,
    call?: CallOptions
  ) => Promise<SessionSetup.CreatedSession>
  /** Uploads a PDF statement, streamed from a path, bytes or a stream; never retried. */
  readonly uploadStatement: (
    options: SessionSetup.UploadOptions,
    call?: CallOptions
  ) => Promise<SessionSetup.UploadedStatement>
  /** The banks BankConnect supports, and how. */
  readonly getBankCatalogue: (call?: CallOptions) => Promise<BankCatalogue.BankCatalogue>
  /** Asks BankConnect to process the session's uploads (202). */
  readonly initiateProcessing: (
    sessionId: string,
    options?: BankConnectClient.InitiateOptions & CallOptions
  ) => Promise<BankConnectClient.Initiated>
  /** Each account's confirmed outcome and typed failure, once processing completed. */
  readonly getSessionStatus: (sessionId: string, options?: CallOptions) => Promise<SessionStatus.SessionStatus>
  /** The upload phase. */
  readonly getUploadStatus: (sessionId: string, options?: CallOptions) => Promise<UploadStatus.UploadStatus>
  /** Every upload status until it is final (`COMPLETED` or `EXPIRED`), for `for await`. */
  readonly watchUploadStatus: (sessionId: string, options?: WatchOptions) => AsyncIterable<UploadStatus.UploadStatus>
  /** The underwriting data (several MiB decoded in slices). */
  readonly getInsights: (sessionId: string, options?: CallOptions) => Promise<Insights.Insights>
  /** The uploaded PDFs, with links valid for an hour. */
  readonly getPdfs: (sessionId: string, options?: CallOptions) => Promise<Pdfs.Pdfs>
  /** Deletes the session's data. */
  readonly deleteSession: (
    sessionId: string,
    options?: BankConnectClient.DeleteOptions & CallOptions
  ) => Promise<BankConnectClient.Deleted>
  /** A report or PDF link's bytes as they arrive, for `for await` (see `BankConnectClient`). */
  readonly downloadReport: (url: string | Redacted.Redacted<string>, options?: CallOptions) => AsyncIterable<Uint8Array>
  /**
   * Saves a report or PDF link to a file, written to `<path>.part` and renamed once
   * complete (a failed download leaves no file at `path`). Resolves with the bytes written.
   */
  readonly saveReport: (
    url: string | Redacted.Redacted<string>,
    path: string,
    options?: CallOptions
  ) => Promise<number>
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

  /** A stream of the client's as an async iterable: a `break` or an aborted signal stops it at once. */
  const iterate = <A, E>(
    make: (client: BankConnectClient.Service) => Stream.Stream<A, E>,
    signal: AbortSignal | undefined
  ): AsyncIterable<A> => ({
    [Symbol.asyncIterator]() {
      let started: Promise<AsyncIterator<A>> | undefined
      const start = () =>
        started ??= (async () => {
          if (closed) throw closedError()
          if (signal?.aborted) throw signal.reason
          const stream = Stream.unwrap(withClient((client) => Effect.succeed(make(client))))
          return Stream.toAsyncIterableRuntime(
            signal === undefined ? stream : Stream.interruptWhen(stream, aborted(signal)),
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

  const watchProgress = (sessionId: string, watch?: WatchOptions): AsyncIterable<Progress.SessionProgress> =>
    iterate((client) => client.watchProgress(sessionId, watch), watch?.signal)

  const saveReport = async (
    url: string | Redacted.Redacted<string>,
    path: string,
    call?: CallOptions
  ): Promise<number> => {
    const part = `${path}.part`
    let written = 0
    try {
      await pipeline(
        Readable.from(iterate((client) => client.downloadReport(url), call?.signal)),
        new Transform({
          transform(chunk: Uint8Array, _, done) {
            written += chunk.byteLength
            done(null, chunk)
          }
        }),
        createWriteStream(part)
      )
      await rename(part, path)
      return written
    } catch (error) {
      await rm(part, { force: true })
      throw error
    }
  }

  const timed = <A, E, R>(effect: Effect.Effect<A, E, R>, sessionId: string, timeout: Duration.DurationInput) => {
    const duration = Duration.decode(timeout)
    return Effect.timeoutFail(effect, {
      duration,
      onTimeout: () =>
        new Completion.CompletionTimeout({
          sessionId,
          message: `Session ${sessionId} did not complete within ${Duration.format(duration)}`
        })
    })
  }

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
      return run(wait?.timeout === undefined ? completion : timed(completion, sessionId, wait.timeout), wait?.signal)
    },
    awaitOutcome: (sessionId, wait) => {
      const outcome = Completion.awaitCompletion(sessionId, {
        webhookWait: wait?.webhookWait,
        interval: wait?.interval,
        deadline: wait?.timeout,
        insights: wait?.insights
      })
      const receiver = wait?.receiver
      if (receiver === undefined) return run(outcome, wait?.signal)
      // Completion waits on the service's awaitEnrichment; the rest is not used here
      const events = WebhookServer.WebhookEvents.of({
        url: "",
        port: 0,
        events: Stream.empty,
        awaitEnrichment: (sessionId) => Effect.promise((signal) => receiver.awaitEnrichment(sessionId, { signal })),
        latestEnrichment: () => Effect.succeedNone
      })
      return run(Effect.provideService(outcome, WebhookServer.WebhookEvents, events), wait?.signal)
    },
    createSession: (session, call) => run(withClient((client) => client.createSession(session)), call?.signal),
    uploadStatement: (upload, call) => run(withClient((client) => client.uploadStatement(upload)), call?.signal),
    getBankCatalogue: (call) => run(withClient((client) => client.getBankCatalogue()), call?.signal),
    initiateProcessing: (sessionId, call) =>
      run(withClient((client) => client.initiateProcessing(sessionId, call)), call?.signal),
    getSessionStatus: (sessionId, call) =>
      run(withClient((client) => client.getSessionStatus(sessionId)), call?.signal),
    getUploadStatus: (sessionId, call) => run(withClient((client) => client.getUploadStatus(sessionId)), call?.signal),
    watchUploadStatus: (sessionId, watch) =>
      iterate((client) => client.watchUploadStatus(sessionId, watch), watch?.signal),
    getInsights: (sessionId, call) => run(withClient((client) => client.getInsights(sessionId)), call?.signal),
    getPdfs: (sessionId, call) => run(withClient((client) => client.getPdfs(sessionId)), call?.signal),
    deleteSession: (sessionId, call) =>
      run(withClient((client) => client.deleteSession(sessionId, call)), call?.signal),
    downloadReport: (url, call) => iterate((client) => client.downloadReport(url), call?.signal),
    saveReport,
    close,
    [Symbol.asyncDispose]: close
  }
}
