/**
 * A tiny stand-in for the BankConnect API on 127.0.0.1, so the quickstart runs on a fresh
 * machine without credentials. It serves the two calls the client makes, checks both
 * credential headers, and moves one session's statements through the four stages as time
 * passes (about one stage a second), then completes it.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"

const apiKey = "local-api-key"
const serverHash = "local-server-hash"
const sessionId = "3f2c8a4e-6b1d-4c9a-9e7f-quickstart01"
const stages = ["identity_status", "transaction_status", "processing_status", "fraud_status"] as const

const apiError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status })

const progressAt = (elapsedMillis: number) => {
  // statement n starts n seconds after the first; each stage takes a second
  const progress = [0, 1].map((n) => {
    const done = Math.max(0, Math.floor(elapsedMillis / 1000) - n)
    const statement: Record<string, string | null> = { statement_id: `statement-${n + 1}`, message: null, source: "pdf" }
    stages.forEach((stage, i) => {
      statement[stage] = i < done ? "completed" : i === done ? "processing" : null
    })
    return statement
  })
  const completed = progress.every((s) => stages.every((stage) => s[stage] === "completed"))
  return { session_id: sessionId, session_progress: completed ? "completed" : "processing", progress }
}

const router = (startedAt: number) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(
      "/bank-connect/v1/session_data/:id/progress/",
      Effect.gen(function*() {
        const { id } = yield* HttpRouter.params
        if (id !== sessionId) return apiError(404, "SESSION_NOT_FOUND", "The provided session ID is invalid")
        const now = yield* Clock.currentTimeMillis
        return HttpServerResponse.unsafeJson(progressAt(now - startedAt))
      })
    ),
    HttpRouter.post(
      "/bank-connect/v1/session_data/update_webhook/",
      Effect.succeed(HttpServerResponse.unsafeJson({ message: "success" }))
    ),
    HttpRouter.use((app) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (request.headers["x-api-key"] !== apiKey || request.headers["server-hash"] !== serverHash) {
          return apiError(403, "ACCESS_DENIED", "Authentication credentials were not provided")
        }
        return yield* app
      })
    )
  )

/**
 * Starts the stand-in for the life of the scope and returns what a client needs.
 */
export const start = Effect.gen(function*() {
  const startedAt = yield* Clock.currentTimeMillis
  const context = yield* Layer.build(NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 }))
  const server = Context.get(context, HttpServer.HttpServer)
  yield* server.serve(router(startedAt))
  const address = server.address._tag === "TcpAddress" ? server.address : undefined
  return {
    baseUrl: `http://127.0.0.1:${address?.port}/bank-connect`,
    apiKey,
    serverHash,
    sessionId
  }
})
