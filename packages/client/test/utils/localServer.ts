import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** A request as a real server on 127.0.0.1 received it. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/**
 * A real HTTP server on 127.0.0.1 with an OS-chosen port, closed with the scope.
 * `handler` answers each request; `aborted` counts requests whose client went away
 * before the answer was sent.
 */
export const localServer = (
  handler: (received: Received, res: http.ServerResponse, req: http.IncomingMessage) => void
) =>
  Effect.acquireRelease(
    Effect.async<
      {
        readonly url: string
        readonly received: Array<Received>
        readonly aborted: () => number
        readonly server: http.Server
      }
    >((resume) => {
      const received: Array<Received> = []
      let aborted = 0
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const entry = {
            method: req.method ?? "",
            path: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString()
          }
          received.push(entry)
          res.on("close", () => {
            if (!res.writableFinished) aborted++
          })
          handler(entry, res, req)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, aborted: () => aborted, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
