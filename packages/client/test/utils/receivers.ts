import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Webhook } from "../../src/index.js"

/** A receiver's settings in Promise terms, for every way of mounting it. */
export type Options = Webhook.HandlerOptions

const listen = (server: http.Server) =>
  Effect.acquireRelease(
    Effect.async<string>((resume) => {
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

/**
 * A Fetch-shaped server as Hono, Bun or Deno run one: each request becomes a standard
 * `Request`, the handler's `Response` is written back.
 */
const fetchServer = (handler: (request: Request) => Promise<Response>) =>
  http.createServer(async (req, res) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value)
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks)
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) })
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })

/** The three ways, each started on 127.0.0.1 for the scope, giving the URL to post to. */
export const ways: ReadonlyArray<
  {
    readonly name: string
    readonly start: (options: Options) => Effect.Effect<string, never, Scope.Scope>
  }
> = [
  {
    name: "Webhook.httpApp in an Effect HttpServer",
    start: (options) =>
      Effect.gen(function*() {
        const context = yield* Layer.build(NodeHttpServer.layer(http.createServer, { host: "127.0.0.1", port: 0 }))
          .pipe(Effect.orDie)
        const server = Context.get(context, HttpServer.HttpServer)
        yield* server.serve(Webhook.httpApp({
          ...options,
          onEvent: (event) => Effect.tryPromise(async () => options.onEvent(event)),
          onInvalid: (invalid) => Effect.promise(async () => options.onInvalid?.(invalid))
        }))
        const address = server.address as HttpServer.TcpAddress
        return `http://127.0.0.1:${address.port}/hook`
      })
  },
  {
    name: "Webhook.toWebHandler in a Fetch-style server",
    start: (options) => listen(fetchServer(Webhook.toWebHandler(options)))
  },
  {
    name: "Webhook.toNodeListener in a Node server",
    start: (options) => listen(http.createServer(Webhook.toNodeListener(options)))
  }
]

/** Posts to a receiver; `body` as text, JSON content type unless `headers` says otherwise. */
export const post = (url: string, body: string | Uint8Array, headers: Record<string, string> = {}, method = "POST") =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(method === "GET" ? {} : { body: typeof body === "string" ? body : Buffer.from(body) })
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) }
  })
