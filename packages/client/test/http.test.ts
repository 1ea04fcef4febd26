import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import { BankConnectClient, Progress } from "../src/index.js"
import { apiKey, progressBody, serverHash } from "./utils/fakeApi.js"
import { localServer } from "./utils/localServer.js"

// Real sockets and real time are the point here: the client over Node's fetch against a
// server on 127.0.0.1.

const sessionId = "0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11"

const clientFor = (url: string, options: Partial<BankConnectClient.Options> = {}) =>
  BankConnectClient.layer({
    apiKey: Redacted.make(apiKey),
    serverHash: Redacted.make(serverHash),
    baseUrl: `${url}/bank-connect`,
    retry: { base: "10 millis" },
    ...options
  }).pipe(Layer.provide(FetchHttpClient.layer))

const json = (res: Http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

describe("over HTTP on 127.0.0.1", () => {
  it.live("sends both credentials on the exact paths and reads the answers", () =>
    Effect.gen(function*() {
      let polls = 0
      const server = yield* localServer((received, res) => {
        if (received.path.endsWith("/progress/")) {
          polls++
          return json(res, 200, progressBody(sessionId, polls < 2 ? "processing" : "completed", 2))
        }
        json(res, 200, { message: "success" })
      })
      const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientFor(server.url))
      yield* client.updateWebhook({ webhookUrl: "https://lender.example/bankconnect" })
      const snapshots = yield* Stream.runCollect(client.watchProgress(sessionId, { interval: "20 millis" }))
      expect(Array.from(snapshots).map(Progress.summary)).toEqual([
        `session ${sessionId}: processing, 2 statements (2 running)`,
        `session ${sessionId}: completed, 2 statements (2 completed)`
      ])
      expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /bank-connect/v1/session_data/update_webhook/",
        `GET /bank-connect/v1/session_data/${sessionId}/progress/`,
        `GET /bank-connect/v1/session_data/${sessionId}/progress/`
      ])
      for (const received of server.received) {
        expect(received.headers["x-api-key"]).toBe(apiKey)
        expect(received.headers["server-hash"]).toBe(serverHash)
      }
      expect(server.received[0]?.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(server.received[0]?.body ?? "")).toEqual({
        webhook_url: "https://lender.example/bankconnect",
        webhook_mode: 1
      })
    }).pipe(Effect.scoped))

  it.live("interrupting a watch closes the in-flight request's connection", () =>
    Effect.gen(function*() {
      const server = yield* localServer(() => {
        // never answers
      })
      const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientFor(server.url))
      const fiber = yield* Effect.fork(Stream.runDrain(client.watchProgress(sessionId)))
      while (server.received.length === 0) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(fiber)
      while (server.aborted() === 0) yield* Effect.sleep("5 millis")
      expect(server.aborted()).toBe(1)
      yield* Effect.sleep("100 millis")
      expect(server.received).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("a dropped connection is retried, then reported as a Network transport error", () =>
    Effect.gen(function*() {
      const server = yield* localServer((_, __, req) => req.socket.destroy())
      const client = yield* Effect.provide(
        BankConnectClient.BankConnectClient,
        clientFor(server.url, { retry: { times: 2, base: "10 millis" } })
      )
      const error = yield* Effect.flip(client.getProgress(sessionId))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Network", sessionId })
      expect(server.received).toHaveLength(3)
      expect(JSON.stringify(error)).not.toContain(apiKey)
    }).pipe(Effect.scoped))

  it.live("a slow answer is timed out and its connection closed", () =>
    Effect.gen(function*() {
      const server = yield* localServer(() => {
        // never answers
      })
      const client = yield* Effect.provide(
        BankConnectClient.BankConnectClient,
        clientFor(server.url, { timeout: "100 millis", retry: { times: 0 } })
      )
      const error = yield* Effect.flip(client.getProgress(sessionId))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      while (server.aborted() === 0) yield* Effect.sleep("5 millis")
      expect(server.aborted()).toBe(1)
    }).pipe(Effect.scoped))

  it.live("a body that stops halfway is timed out, over fetch and undici alike", () =>
    Effect.gen(function*() {
      const server = yield* localServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.write("{\"session_id\": ")
        // the rest never comes
      })
      for (const transport of [FetchHttpClient.layer, NodeHttpClient.layerUndici] as const) {
        const layer = BankConnectClient.layer({
          apiKey: Redacted.make(apiKey),
          serverHash: Redacted.make(serverHash),
          baseUrl: `${server.url}/bank-connect`,
          timeout: "150 millis",
          retry: { times: 0 }
        }).pipe(Layer.provide(transport))
        const started = Date.now()
        const error = yield* Effect.flip(
          Effect.flatMap(BankConnectClient.BankConnectClient, (client) => client.getProgress(sessionId)).pipe(
            Effect.provide(layer)
          )
        )
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", sessionId })
        expect(Date.now() - started).toBeLessThan(5_000)
      }
      while (server.aborted() < 2) yield* Effect.sleep("5 millis")
      expect(server.aborted()).toBe(2)
    }).pipe(Effect.scoped))
})
