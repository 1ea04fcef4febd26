import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { BankConnectClient, BankConnectError } from "../../src/index.js"
import { capturingTracer } from "../utils/capture.js"
import { apiKey, layerFake, makeFake, type Reply, serverHash } from "../utils/fakeApi.js"
import { report } from "./support.js"

// With distinctive credentials, drive every error path and collect everything a user could
// see or ship somewhere: error messages, JSON forms, stacks, log lines, span names and
// attributes. Neither credential may appear anywhere.

const echo = `key ${apiKey} hash ${serverHash}`
const envelope = (code: string) => ({ error: { code, message: `${code}: ${echo}` } })

const replies: ReadonlyArray<Reply> = [
  { status: 404, json: envelope("SESSION_NOT_FOUND") },
  { status: 400, json: envelope("PROCESSING_NOT_REQUESTED") },
  { status: 410, json: envelope("SESSION_DELETED") },
  { status: 403, json: envelope("ACCESS_DENIED") },
  { status: 401, json: { detail: `Invalid token ${apiKey}` } },
  { status: 409, json: envelope("DUPLICATE_PROCESSING_REQUEST") },
  { status: 418, json: envelope("SOMETHING_NEW") },
  { status: 502, text: `<html><body>upstream said ${echo}</body></html>` },
  { status: 503, headers: { "retry-after": "1" }, text: echo },
  { status: 200, text: `not json ${echo}` },
  { status: 200, json: { session_id: "s", session_progress: "processing", progress: [{ fraud_status: { echo } }] } },
  { drop: true }
]

describe("secrets", () => {
  it.effect("appear in no error, log line or span attribute on any error path", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const logs: Array<string> = []
      const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
        logs.push(`${logLevel.label} ${JSON.stringify(message)} ${String(cause)} ${JSON.stringify([...annotations])}`)
      })
      const seen: Array<unknown> = []
      const captured = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All)
        )

      // every reply as a single progress call; then a timeout; then the stream and the wait
      const fake = layerFake((_, i) => {
        if (i < replies.length) return replies[i]!
        return Effect.as(Effect.never, { status: 200 })
      }, { retry: { times: 0 }, timeout: "1 second" })
      yield* Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        for (let i = 0; i < replies.length; i++) seen.push(yield* Effect.flip(client.getProgress("s-1")))
        const timedOut = yield* Effect.fork(Effect.flip(client.getProgress("s-1")))
        yield* TestClock.adjust("1 second")
        seen.push(yield* Fiber.join(timedOut))
        const watched = yield* Effect.fork(
          Effect.flip(Stream.runDrain(client.watchProgress("s-1", { maxFailedPolls: 1 })))
        )
        yield* TestClock.adjust("1 second")
        seen.push(yield* Fiber.join(watched))
        seen.push(yield* Effect.flip(client.updateWebhook({ webhookUrl: `ftp://x.example/${apiKey}?h=${serverHash}` })))
        for (const error of seen.filter(BankConnectError.isApiError)) yield* Effect.logError("call failed", error)
      }).pipe(Effect.provide(fake.layer), captured)

      // a missing and an invalid configuration, with the other credential set
      const configErrors = yield* Effect.forEach([
        { BANKCONNECT_API_KEY: apiKey },
        {
          BANKCONNECT_API_KEY: apiKey,
          BANKCONNECT_SERVER_HASH: serverHash,
          BANKCONNECT_BASE_URL: `not-a-url-${apiKey}`
        }
      ], (env) =>
        Effect.flip(Layer.build(BankConnectClient.layerConfig())).pipe(
          Effect.scoped,
          Effect.provide(Layer.succeed(HttpClient.HttpClient, makeFake(() => ({ status: 200 })).httpClient)),
          Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
        ))
      for (const error of configErrors) seen.push(error)

      const tags = seen.map((e) => (e as { _tag: string })._tag)
      expect(tags).toEqual([
        "SessionNotFound",
        "ProcessingNotRequested",
        "SessionDeleted",
        "AccessDenied",
        "AccessDenied",
        "UnknownApiError",
        "UnknownApiError",
        "UnknownApiError",
        "UnknownApiError",
        "InvalidResponse",
        "InvalidResponse",
        "TransportError",
        "TransportError",
        "TransportError",
        "InvalidArgument",
        "ConfigError",
        "ConfigError"
      ])
      const everything = [
        ...seen.map((e) => [String(e), JSON.stringify(e), (e as Error).stack ?? "", (e as Error).message].join("\n")),
        ...seen.filter((e): e is BankConnectError.BankConnectError => Schema.is(BankConnectError.BankConnectError)(e))
          .map((e) => JSON.stringify(Schema.encodeSync(BankConnectError.BankConnectError)(e))),
        ...logs,
        ...spans.flatMap((span) => [span.name, ...Array.from(span.attributes, ([k, v]) => `${k}=${String(v)}`)])
      ].join("\n")
      expect(spans.length).toBeGreaterThan(replies.length)
      expect(logs.length).toBeGreaterThan(0)
      expect(everything).not.toContain(apiKey)
      expect(everything).not.toContain(serverHash)
      report(
        `secrets: ${seen.length} error paths, ${logs.length} log lines, ${spans.length} spans checked; neither credential found`
      )
    }))
})
