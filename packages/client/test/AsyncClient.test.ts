import { AsyncSimulator, Simulator } from "@effect-bankconnect/simulator"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AsyncClient, BankConnectError, Completion, Insights, Progress } from "../src/index.js"
import { localServer } from "./utils/localServer.js"

// Plain async/await, as its users write it: real sockets, real time.

const scopes: Array<Scope.CloseableScope> = []
afterEach(async () => {
  for (const scope of scopes.splice(0)) await Effect.runPromise(Scope.close(scope, Exit.void))
})

/** Starts something scoped for the length of one test. */
const start = async <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> => {
  const scope = Effect.runSync(Scope.make())
  scopes.push(scope)
  return Effect.runPromise(Scope.extend(effect, scope))
}

const fast = { identity: 30, transaction: 30, processing: 30, fraud: 30 }

const simulatorClient = async () => {
  const sim = await start(Simulator.make())
  const client = AsyncClient.make({ apiKey: sim.apiKey, serverHash: sim.serverHash, baseUrl: sim.baseUrl })
  return { sim, client, polls: (id: string) => Effect.runSync(sim.requests).filter((r) => r.sessionId === id).length }
}

/** A server on 127.0.0.1 that never answers. */
const silentClient = async () => {
  const server = await start(localServer(() => {}))
  const client = AsyncClient.make({
    apiKey: "test-api-key",
    serverHash: "test-server-hash",
    baseUrl: `${server.url}/bank-connect`
  })
  return { server, client }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe("AsyncClient", () => {
  it("resolves snapshots and registers the webhook", async () => {
    const { client, sim } = await simulatorClient()
    const { sessionId } = await Effect.runPromise(sim.createSession({}))
    const progress = await client.getProgress(sessionId)
    expect(progress).toBeInstanceOf(Progress.SessionProgress)
    expect(progress.session_id).toBe(sessionId)
    await client.updateWebhook({ webhookUrl: "https://lender.example/hook" })
    expect(Effect.runSync(sim.webhook)).toMatchObject({ value: { url: "https://lender.example/hook", mode: 1 } })
    await client.close()
  })

  it("rejects with the same tagged error classes as the Effect API", async () => {
    const { client } = await simulatorClient()
    const error = await client.getProgress("no-such-session").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BankConnectError.SessionNotFound)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "SessionNotFound", code: "SESSION_NOT_FOUND", status: 404 })
    expect((error as Error).message).toBe("The provided session ID is invalid")
    const invalid = await client.updateWebhook({ webhookUrl: "not a url" }).catch((e: unknown) => e)
    expect(invalid).toMatchObject({ _tag: "InvalidArgument", argument: "webhookUrl" })
    await client.close()
  })

  it("iterates every snapshot with for await until completion", async () => {
    const { client, sim } = await simulatorClient()
    // stages long enough that the first poll sees the session processing, even on a loaded machine
    const { sessionId } = await Effect.runPromise(sim.createSession({ stageMillis: { fraud: 1_000 } }))
    const seen: Array<string> = []
    for await (const progress of client.watchProgress(sessionId, { interval: 20 })) seen.push(progress.session_progress)
    expect(seen.length).toBeGreaterThan(1)
    expect(seen.at(-1)).toBe("completed")
    expect(seen.slice(0, -1).every((s) => s === "processing")).toBe(true)
    await client.close()
  })

  it("a break stops polling", async () => {
    const { client, polls, sim } = await simulatorClient()
    const { sessionId } = await Effect.runPromise(sim.createSession({ stageMillis: { fraud: 60_000 } }))
    let count = 0
    for await (const _ of client.watchProgress(sessionId, { interval: "20 millis" })) {
      if (++count === 2) break
    }
    const sent = polls(sessionId)
    await new Promise((r) => setTimeout(r, 150))
    expect(polls(sessionId)).toBe(sent)
    expect(sent).toBeLessThanOrEqual(3)
    await client.close()
  })

  it("an aborted signal stops a watch, its request in flight included, and rejects with the reason", async () => {
    const { client, server } = await silentClient()
    const controller = new AbortController()
    const iterating = (async () => {
      for await (const _ of client.watchProgress("s-1", { signal: controller.signal })) {
        // never reached: the server never answers
      }
    })()
    await until(() => server.received.length === 1)
    controller.abort()
    const error = await iterating.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe("AbortError")
    await until(() => server.aborted() === 1)
    await client.close()
  })

  it("an aborted signal cancels a call and rejects with its reason", async () => {
    const { client, server } = await silentClient()
    const controller = new AbortController()
    const pending = client.getProgress("s-1", { signal: controller.signal }).catch((e: unknown) => e)
    await until(() => server.received.length === 1)
    const reason = new Error("user left")
    controller.abort(reason)
    expect(await pending).toBe(reason)
    await until(() => server.aborted() === 1)
    const already = await client.getProgress("s-1", { signal: AbortSignal.abort() }).catch((e: unknown) => e)
    expect((already as DOMException).name).toBe("AbortError")
    expect(server.received).toHaveLength(1)
    await client.close()
  })

  it("awaitCompletion resolves the completed snapshot, or rejects with CompletionTimeout", async () => {
    const { client, sim } = await simulatorClient()
    const done = await Effect.runPromise(sim.createSession({ stageMillis: fast }))
    const slow = await Effect.runPromise(sim.createSession({ stageMillis: { fraud: 60_000 } }))
    const progress = await client.awaitCompletion(done.sessionId, { interval: 20 })
    expect(Progress.isComplete(progress)).toBe(true)
    const error = await client.awaitCompletion(slow.sessionId, { interval: 20, timeout: "100 millis" }).catch((e) => e)
    expect(error).toBeInstanceOf(Completion.CompletionTimeout)
    expect(error).toMatchObject({ sessionId: slow.sessionId })
    await client.close()
  })

  it("closes through await using, and refuses calls after close", async () => {
    const { sim } = await simulatorClient()
    const { sessionId } = await Effect.runPromise(sim.createSession({}))
    let kept: AsyncClient.AsyncClient | undefined
    {
      await using client = AsyncClient.make({ apiKey: sim.apiKey, serverHash: sim.serverHash, baseUrl: sim.baseUrl })
      kept = client
      await client.getProgress(sessionId)
    }
    await expect(kept.getProgress(sessionId)).rejects.toThrow("closed")
    expect(() => AsyncClient.make({ apiKey: "", serverHash: "server-hash-1" })).toThrow(
      "apiKey must be a non-empty string"
    )
    expect(() => AsyncClient.make({ apiKey: "api-key-1", serverHash: "short" })).toThrow(
      "serverHash must be at least 8 characters long (it has 5)"
    )
    expect(() => AsyncClient.make({ apiKey: "api-key-1", serverHash: "server-hash-1", maxRequestsInFlight: 0 }))
      .toThrow(
        "maxRequestsInFlight must be a whole number of at least 1"
      )
    expect(() =>
      AsyncClient.make({ apiKey: "api-key-1", serverHash: "server-hash-1", maxResponseBytes: { getProgress: 0 } })
    ).toThrow("maxResponseBytes.getProgress must be a whole number of at least 1")
  })

  it("logs every retry at debug level with logLevel \"debug\" or BANKCONNECT_LOG=debug, and nothing by default", async () => {
    let requests = 0
    const server = await start(localServer((received, res) => {
      requests++
      if (requests % 2 === 1) {
        res.writeHead(503, { "retry-after": "0" })
        return res.end("busy")
      }
      const id = received.path.split("/").at(-3)
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ session_id: id, session_progress: "processing", progress: [] }))
    }))
    const lines: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) =>
      void lines.push(args.join(" "))
    )
    const options = { apiKey: "test-api-key", serverHash: "test-server-hash", baseUrl: server.url, retry: { base: 1 } }
    try {
      const quiet = AsyncClient.make(options)
      await quiet.getProgress("s-1")
      await quiet.close()
      expect(lines.filter((line) => line.includes("retry"))).toEqual([])
      const loud = AsyncClient.make({ ...options, logLevel: "debug" })
      await loud.getProgress("s-2")
      await loud.close()
      expect(lines.filter((line) => line.includes("retry 1 of 3") && line.includes("HTTP 503"))).toHaveLength(1)
      vi.stubEnv("BANKCONNECT_LOG", "debug")
      const fromEnv = AsyncClient.make(options)
      await fromEnv.getProgress("s-3")
      await fromEnv.close()
      expect(lines.filter((line) => line.includes("retry 1 of 3") && line.includes("s-3"))).toHaveLength(1)
      vi.stubEnv("BANKCONNECT_LOG", "loud")
      expect(() => AsyncClient.make(options)).toThrow(
        "BANKCONNECT_LOG must be one of debug, info, warning, error, none"
      )
    } finally {
      vi.unstubAllEnvs()
      spy.mockRestore()
    }
  })
})

describe("AsyncClient, a session's whole life", () => {
  it("create, upload, initiate, outcome with insights, report saved, PDFs, delete", async () => {
    const sim = await AsyncSimulator.start({ scenario: { stageMillis: fast } })
    const client = AsyncClient.make({ apiKey: sim.apiKey, serverHash: sim.serverHash, baseUrl: sim.baseUrl })
    try {
      const { session_id: sessionId } = await client.createSession({ linkId: "async-customer" })
      await client.uploadStatement({ sessionId, file: new TextEncoder().encode("%PDF-1.7\nasync\n%%EOF") })
      const uploads = []
      for await (const status of client.watchUploadStatus(sessionId, { interval: 20 })) {
        uploads.push(status.upload_status)
        if (uploads.length === 1) await client.initiateProcessing(sessionId)
      }
      expect(uploads.at(-1)).toBe("COMPLETED")
      const outcome = await client.awaitOutcome(sessionId, { interval: 20, insights: true })
      expect(outcome.status.accounts.every((account) => account.failure === null)).toBe(true)
      const insights = outcome.insights._tag === "Some" ? outcome.insights.value : undefined
      expect(insights?.session_id).toBe(sessionId)
      const dir = await mkdtemp(join(tmpdir(), "bankconnect-report-"))
      try {
        const link = Insights.reportLinks(insights!)[0]!
        const written = await client.saveReport(link.url, join(dir, "report.xlsx"))
        const saved = await readFile(join(dir, "report.xlsx"))
        expect(saved.byteLength).toBe(written)
        expect(written).toBeGreaterThan(0)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
      expect((await client.getPdfs(sessionId)).statements).toHaveLength(1)
      await client.deleteSession(sessionId)
      await expect(client.getSessionStatus(sessionId)).rejects.toBeInstanceOf(BankConnectError.SessionDeleted)
      expect((await client.getBankCatalogue()).banks.length).toBeGreaterThan(0)
    } finally {
      await client.close()
      await sim.close()
    }
  }, 30_000)

  it("saveReport leaves no file when the link has expired", async () => {
    const { client } = await silentClient()
    const path = join(tmpdir(), `bankconnect-expired-${process.pid}.xlsx`)
    await expect(
      client.saveReport("https://reports.example/r.xlsx?X-Amz-Date=20200101T000000Z&X-Amz-Expires=3600", path)
    ).rejects.toMatchObject({ _tag: "ReportLinkExpired" })
    expect(existsSync(path)).toBe(false)
    expect(existsSync(`${path}.part`)).toBe(false)
    await client.close()
  })
})
