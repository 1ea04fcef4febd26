/**
 * A minimal Fetch-style server on Node: each request becomes a standard `Request`, and the
 * handler's `Response` is written back, as Hono's Node adapter, `Bun.serve({ fetch })` and
 * `Deno.serve(handler)` do.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export const serveFetch = (handler: (request: Request) => Promise<Response>, port = 0) =>
  new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const server = http.createServer(async (req, res) => {
      const chunks: Array<Buffer> = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value)
      const hasBody = req.method !== "GET" && req.method !== "HEAD"
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method!,
        headers,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {})
      })
      const response = await handler(request)
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
    server.listen(port, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(() => done()))
      })
    })
  })
