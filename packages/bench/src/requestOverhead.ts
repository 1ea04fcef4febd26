/**
 * Request overhead: sequential progress calls, each against baselines doing the same work by
 * hand, in the same process and run.
 *
 * Over loopback, against a minimal server in another process: `BankConnectClient.getProgress`
 * over `FetchHttpClient` and over `NodeHttpClient.layerUndici`, against Node's `fetch` +
 * `JSON.parse` + a hand-written field check, undici's `request` (the transport's own undici)
 * + `JSON.parse` + the check, and the platform's own `HttpClient` over the same transport (to
 * tell its cost from the library's).
 *
 * In memory, with no network at all: 20,000 `getProgress` calls in a row in one Effect
 * against the platform's `HttpClient` doing the same work (execute, read the text,
 * `JSON.parse`, the client's `Progress.decode`), over one transport answering every request
 * with a fresh `Response`, compared on CPU time (`process.cpuUsage`); with CPU profiles of
 * both loops saying where the difference goes.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as ChildProcess from "./childProcess.js"
import { decodeName, decodeProgress } from "./decode.js"
import { compare, type Contender, type Result } from "./harness.js"
import * as Profile from "./profile.js"
import { checkProgress, progressBody } from "./progressBody.js"

const sessionId = "bfb98ac5-7224-401b-a643-175235856187"

/** Runs `operation` n times in a row in `runtime`, as one Effect (no Promise per operation). */
const repeatIn =
  <R, ER>(runtime: ManagedRuntime.ManagedRuntime<R, ER>, operation: Effect.Effect<unknown, unknown, R>) =>
  (n: number) => runtime.runPromise(Effect.repeatN(operation, n - 1)).then(() => undefined)

const clientLayer = (baseUrl: string) =>
  BankConnectClient.layer({
    apiKey: Redacted.make("test-api-key"),
    serverHash: Redacted.make("test-server-hash"),
    baseUrl
  })

const getProgress = Effect.flatMap(BankConnectClient.BankConnectClient, (client) => client.getProgress(sessionId))

/** The platform's client doing what a hand-written caller does: GET, read the text, parse, `check`. */
const platformGet = (url: string, headers: Record<string, string>, check: (json: unknown) => unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.get(url, { headers }).pipe(
      Effect.flatMap((response) => response.text),
      Effect.map((text) => check(JSON.parse(text)))
    ))

/** The client's decoding, failing as the library would on a body that does not decode. */
const decodeChecked = (json: unknown) => {
  const decoded = decodeProgress(json)
  if (Either.isLeft(decoded)) throw new Error("unexpected body")
  return decoded.right
}

/**
 * The in-memory transport: every request answered at once, with a fresh `Response` (the
 * client reads bodies through their stream, with a size cap).
 */
const inMemory = () => {
  const bytes = new TextEncoder().encode(progressBody(2))
  const init = { status: 200, headers: { "content-type": "application/json" } }
  return Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) => Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(bytes, init))))
  )
}

const fixed = (n: number) => n.toFixed(n >= 100 ? 0 : 1)

/** Profiles `subject` and `baseline`, `operations` each, and says where the difference goes. */
const profiled = (subject: Contender, baseline: Contender, operations: number) =>
  Profile.compare(subject.run, baseline.run, operations)

/** What a loopback row's subject costs beyond its baseline, and what the platform's client alone costs. */
const loopbackFinding = (row: Result, platform: Result) =>
  `getProgress took ${fixed(row.subjectMicros - row.baselineMicros)} µs more per call than ${row.baseline} ` +
  `(${fixed(row.subjectMicros)} against ${fixed(row.baselineMicros)}; CPU ${fixed(row.subjectCpuMicros)} against ` +
  `${fixed(row.baselineCpuMicros)}); the platform's HttpClient alone over the same transport took ` +
  `${fixed(platform.baselineMicros)} µs (${(platform.baselineMicros / row.baselineMicros).toFixed(2)}x ${row.baseline})`

const loopback = async (): Promise<ReadonlyArray<Result>> => {
  const server = ChildProcess.start<{ port: number }>("./server.ts")
  const origin = `http://127.0.0.1:${(await server.message).port}`
  const baseUrl = `${origin}/bank-connect`
  const path = `/bank-connect/v1/session_data/${sessionId}/progress/`
  const url = `${origin}${path}`
  const headers = { "x-api-key": "k", "server-hash": "h", accept: "application/json" }
  const overFetch = ManagedRuntime.make(clientLayer(baseUrl).pipe(Layer.provide(FetchHttpClient.layer)))
  const overUndici = ManagedRuntime.make(clientLayer(baseUrl).pipe(Layer.provide(NodeHttpClient.layerUndici)))
  const platformFetch = ManagedRuntime.make(FetchHttpClient.layer)
  const platformUndici = ManagedRuntime.make(NodeHttpClient.layerUndici)
  // undici's request through an Agent of the undici `layerUndici` runs on (not the bench's own copy)
  const dispatcher = ManagedRuntime.make(NodeHttpClient.dispatcherLayer)
  try {
    const agent = await dispatcher.runPromise(NodeHttpClient.Dispatcher)
    const libraryFetch = { name: "getProgress (FetchHttpClient)", run: repeatIn(overFetch, getProgress) }
    const libraryUndici = { name: "getProgress (NodeHttpClient.layerUndici)", run: repeatIn(overUndici, getProgress) }
    const fetchLoop = {
      name: "fetch + JSON.parse + check",
      run: async (n: number) => {
        for (let i = 0; i < n; i++) {
          const response = await fetch(url, { headers })
          checkProgress(JSON.parse(await response.text()))
        }
      }
    }
    const undiciLoop = {
      name: "undici request + JSON.parse + check",
      run: async (n: number) => {
        for (let i = 0; i < n; i++) {
          const response = await agent.request({ origin, path, method: "GET", headers })
          checkProgress(JSON.parse(await response.body.text()))
        }
      }
    }
    const platformFetchLoop = {
      name: "platform HttpClient (fetch) + JSON.parse + check",
      run: repeatIn(platformFetch, platformGet(url, headers, checkProgress))
    }
    const platformUndiciLoop = {
      name: "platform HttpClient (layerUndici) + JSON.parse + check",
      run: repeatIn(platformUndici, platformGet(url, headers, checkProgress))
    }
    const request = (baseline: Contender, subject: Contender) =>
      compare({
        benchmark: "request",
        case: "sequential GETs, loopback",
        baseline,
        subject,
        operations: 200,
        rounds: 5
      })

    const fetchRows = [await request(fetchLoop, libraryFetch), await request(platformFetchLoop, libraryFetch)]
    const platformOverUndici = await request(platformUndiciLoop, libraryUndici)
    const againstUndici = await request(undiciLoop, libraryUndici)
    const againstFetch = await request(fetchLoop, libraryUndici)
    const whereUndici = await profiled(libraryUndici, undiciLoop, 1_000)
    return [
      ...fetchRows,
      { ...againstUndici, finding: `${loopbackFinding(againstUndici, platformOverUndici)}. ${whereUndici}` },
      { ...againstFetch, finding: loopbackFinding(againstFetch, platformOverUndici) },
      platformOverUndici
    ]
  } finally {
    await Promise.all([overFetch, overUndici, platformFetch, platformUndici, dispatcher].map((r) => r.dispose()))
    await server.stop()
  }
}

/** Calls per round in memory: the 20,000 sequential calls in one Effect. */
const inMemoryCalls = 20_000

const inMemoryRow = async (): Promise<Result> => {
  const url = `https://example.invalid/bank-connect/v1/session_data/${sessionId}/progress/`
  const headers = { "x-api-key": "k", "server-hash": "h", accept: "application/json" }
  const library = ManagedRuntime.make(
    clientLayer("https://example.invalid/bank-connect").pipe(Layer.provide(inMemory()))
  )
  const platform = ManagedRuntime.make(inMemory())
  try {
    const subject = { name: "getProgress (in-memory transport)", run: repeatIn(library, getProgress) }
    const baseline = {
      name: `platform HttpClient (in-memory) + text + JSON.parse + ${decodeName}`,
      run: repeatIn(platform, platformGet(url, headers, decodeChecked))
    }
    const row = await compare({
      benchmark: "request",
      case: `${inMemoryCalls.toLocaleString("en")} sequential GETs in one Effect, in memory`,
      baseline,
      subject,
      operations: inMemoryCalls,
      rounds: 5,
      ratioOn: "cpu"
    })
    const where = await profiled(subject, baseline, 20_000)
    return {
      ...row,
      finding:
        `getProgress used ${fixed(row.subjectCpuMicros - row.baselineCpuMicros)} µs more CPU per call than the ` +
        `platform's client doing the same work (${fixed(row.subjectCpuMicros)} against ${
          fixed(row.baselineCpuMicros)
        }). ${where}`
    }
  } finally {
    await library.dispose()
    await platform.dispose()
  }
}

export const run = async (): Promise<ReadonlyArray<Result>> => [...await loopback(), await inMemoryRow()]
