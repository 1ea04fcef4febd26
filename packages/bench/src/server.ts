/**
 * A minimal HTTP server serving the seed's progress body, run in its own process so that
 * the benchmark process measures only the client side. It reports its port over IPC.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { progressBody } from "./progressBody.js"

const body = progressBody(2)
const server = http.createServer((_, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }))
process.on("disconnect", () => process.exit(0))
