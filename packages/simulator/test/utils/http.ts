import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Simulator } from "../../src/index.js"

/** What a raw call got back. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

/**
 * A raw HTTP call to the simulator, with its credentials unless `headers` replaces them.
 * A dropped connection fails the effect.
 */
export const call = (
  simulator: Simulator.Service,
  method: string,
  path: string,
  options: { readonly body?: string | undefined; readonly headers?: Record<string, string> | undefined } = {}
) =>
  Effect.tryPromise({
    catch: (error) => error as Error,
    try: async (): Promise<Answer> => {
      const response = await fetch(`${simulator.url}${path}`, {
        method,
        headers: options.headers ?? { "x-api-key": simulator.apiKey, "server-hash": simulator.serverHash },
        ...(options.body === undefined ? {} : { body: options.body })
      })
      const text = await response.text()
      let json: unknown = undefined
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, text, json }
    }
  })

/** A call whose connection must not drop. */
export const request = (...args: Parameters<typeof call>) => Effect.orDie(call(...args))

export const progressPath = (sessionId: string) => `/bank-connect/v1/session_data/${sessionId}/progress/`
export const statusPath = (sessionId: string) => `/bank-connect/v1/session_data/${sessionId}/session_status/`
export const initiatePath = (sessionId: string) => `/bank-connect/v1/session_data/${sessionId}/initiate_processing/`
export const updateWebhookPath = "/bank-connect/v1/session_data/update_webhook/"

/** Waits in real time (the test clock does not move) until `check` holds, for at most 5 s. */
export const eventually = <A>(check: () => A | undefined) =>
  Effect.promise(async () => {
    for (let i = 0; i < 500; i++) {
      const value = check()
      if (value !== undefined && value !== false) return value
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error("condition not met within 5 seconds")
  })

/** A webhook receiver on 127.0.0.1 answering each POST with `status(n)` (n from 0). */
export const receiver = (status: (n: number) => number = () => 200) =>
  Effect.acquireRelease(
    Effect.async<
      {
        readonly url: string
        readonly received: Array<{ headers: http.IncomingHttpHeaders; body: any }>
        readonly server: http.Server
      }
    >((resume) => {
      const received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const n = received.length
          received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) })
          res.writeHead(status(n)).end()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/hooks/bankconnect`, received, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
