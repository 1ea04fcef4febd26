/**
 * A webhook receiver in a process of its own, for the load generator to post to:
 * `library` is `Webhook.serve` with its defaults; `raw` is a `node:http` server that only
 * reads the body, parses the JSON and answers 200; `platform` does the same as an
 * `@effect/platform` app on `NodeHttpServer`, the floor under anything built on it. It
 * reports its URL over IPC, and answers each `"usage"` message with the CPU time it has used.
 */
import { Webhook } from "@effect-bankconnect/client"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface Ready {
  readonly url: string
}

/** The answer to a `"usage"` message. */
export interface Usage {
  /** CPU time (user + system) the process has used, µs. */
  readonly cpuMicros: number
}

process.on("disconnect", () => process.exit(0))
process.on("message", (message) => {
  if (message !== "usage") return
  const { system, user } = process.cpuUsage()
  process.send?.({ cpuMicros: user + system } satisfies Usage)
})

if (process.argv[2] === "raw") {
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString("utf8"))
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      } catch {
        res.writeHead(400).end()
      }
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    process.send?.({ url: `http://127.0.0.1:${port}/webhooks/bankconnect` } satisfies Ready)
  })
} else if (process.argv[2] === "platform") {
  const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.map(request.text, (text) => {
      JSON.parse(text)
      return HttpServerResponse.unsafeJson({})
    }))
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    yield* server.serve(app)
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    process.send?.({ url: `http://127.0.0.1:${port}/webhooks/bankconnect` } satisfies Ready)
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.provide(NodeHttpServer.layer(http.createServer, { host: "127.0.0.1", port: 0 })),
    NodeRuntime.runMain
  )
} else {
  Effect.gen(function*() {
    const server = yield* Webhook.serve()
    process.send?.({ url: server.url } satisfies Ready)
    return yield* Effect.never
  }).pipe(Effect.scoped, NodeRuntime.runMain)
}
