/**
 * Request overhead: sequential progress calls against a minimal server in another process.
 * Baselines: Node's `fetch` + `JSON.parse` + a hand-written field check, and undici's
 * `request` (the floor); and the platform's own `HttpClient` over fetch, to tell its cost from
 * the library's. Subject: `BankConnectClient.getProgress` over `FetchHttpClient`.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { request } from "undici"
import * as ChildProcess from "./childProcess.js"
import { compare, type Result } from "./harness.js"
import { checkProgress } from "./progressBody.js"

const sessionId = "bfb98ac5-7224-401b-a643-175235856187"

/** Runs `operation` n times in a row in `runtime`, as one Effect (no Promise per operation). */
const repeatIn =
  <R, ER>(runtime: ManagedRuntime.ManagedRuntime<R, ER>, operation: Effect.Effect<unknown, unknown, R>) =>
  (n: number) => runtime.runPromise(Effect.repeatN(operation, n - 1)).then(() => undefined)

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const server = ChildProcess.start<{ port: number }>("./server.ts")
  const baseUrl = `http://127.0.0.1:${(await server.message).port}/bank-connect`
  const url = `${baseUrl}/v1/session_data/${sessionId}/progress/`
  const headers = { "x-api-key": "k", "server-hash": "h", accept: "application/json" }
  const runtime = ManagedRuntime.make(
    BankConnectClient.layer({
      apiKey: Redacted.make("test-api-key"),
      serverHash: Redacted.make("test-server-hash"),
      baseUrl
    }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
  )
  const library = {
    name: "getProgress (FetchHttpClient)",
    run: repeatIn(
      runtime,
      Effect.flatMap(BankConnectClient.BankConnectClient, (client) => client.getProgress(sessionId))
    )
  }
  const fetchLoop = {
    name: "fetch + JSON.parse + check",
    run: async (n: number) => {
      for (let i = 0; i < n; i++) {
        const response = await fetch(url, { headers })
        checkProgress(JSON.parse(await response.text()))
      }
    }
  }
  const platform = ManagedRuntime.make(FetchHttpClient.layer)
  const platformLoop = {
    name: "platform HttpClient (fetch) + JSON.parse + check",
    run: repeatIn(
      platform,
      Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.get(url, { headers }).pipe(
          Effect.flatMap((response) => response.text),
          Effect.map((text) => checkProgress(JSON.parse(text)))
        ))
    )
  }
  const undiciLoop = {
    name: "undici request",
    run: async (n: number) => {
      for (let i = 0; i < n; i++) {
        const response = await request(url, { headers })
        checkProgress(await response.body.json())
      }
    }
  }
  try {
    return [
      await compare({
        benchmark: "request",
        case: "sequential GETs",
        baseline: fetchLoop,
        subject: library,
        operations: 200,
        rounds: 5
      }),
      await compare({
        benchmark: "request",
        case: "sequential GETs",
        baseline: undiciLoop,
        subject: library,
        operations: 200,
        rounds: 5
      }),
      // how much of the overhead is the platform's HttpClient itself
      await compare({
        benchmark: "request",
        case: "sequential GETs",
        baseline: platformLoop,
        subject: library,
        operations: 200,
        rounds: 5
      })
    ]
  } finally {
    await runtime.dispose()
    await platform.dispose()
    await server.stop()
  }
}
