import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as http from "node:http"
import * as net from "node:net"
import { Webhook } from "../../src/index.js"
import { ways } from "../utils/receivers.js"
import { heapAfterGc, report } from "./support.js"

// The receiver against a hostile sender on 127.0.0.1: huge ids, refused requests that keep
// sending, and connections that trickle their headers. Real sockets, real time.

const enrichment = (sessionId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: sessionId, event_name: "ENRICHMENT_NOTIFICATION", accounts: [], ...extra })

/** Posts on a connection of its own (no pool), so connection limits see exactly this one. */
const deliver = (url: string, body: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", connection: "close", ...headers }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(body)
  })

const listen = (listener: http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; url: string }>((resume) => {
      const server = http.createServer(listener)
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook` })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

interface Refusal {
  readonly status: number
  /** From the headers sent until the server closed the connection. */
  readonly closedAfterMillis: number
  /** Body bytes the client had sent when the server closed. */
  readonly sent: number
}

/**
 * Sends `head` and then body chunks of 16 KiB every 10 ms (the declared body is far larger),
 * reads the answer, and times how long the server keeps the connection after answering.
 * Gives up after `giveUpMillis`.
 */
const refuse = (url: string, head: string, giveUpMillis = 4_000) =>
  new Promise<Refusal>((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect(Number(port), hostname)
    let received = ""
    let sent = 0
    const started = Date.now()
    const chunk = Buffer.alloc(16 * 1024, "x")
    const sending = setInterval(() => {
      if (socket.writable) {
        socket.write(chunk)
        sent += chunk.length
      }
    }, 10)
    const done = () => {
      clearInterval(sending)
      clearTimeout(giveUp)
      socket.destroy()
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)
      resolve({ status, closedAfterMillis: Date.now() - started, sent })
    }
    const giveUp = setTimeout(done, giveUpMillis)
    socket.on("connect", () => socket.write(head))
    socket.on("data", (data: Buffer) => {
      received += data.toString("latin1")
    })
    socket.on("error", () => {
      // a reset while the client is still sending: the server closed on it
    })
    socket.on("end", done)
    socket.on("close", done)
  })

const head = (path: string, lines: ReadonlyArray<string>, method = "POST") =>
  `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.map((line) => `${line}\r\n`).join("")}\r\n`

describe("receiver against a hostile sender", () => {
  it.live("refuses huge ids, keeping nothing of them: the heap stays flat", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve()
      const big = "i".repeat(500 * 1024)
      // warm up the server and the client first
      for (let n = 0; n < 20; n++) yield* Effect.promise(() => deliver(server.url, enrichment(`warm-${n}`)))
      const before = heapAfterGc()
      const statuses = new Map<number, number>()
      const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1)
      for (let n = 0; n < 200; n++) {
        count((yield* Effect.promise(() => deliver(server.url, enrichment(`${big}${n}`)))).status)
      }
      for (let n = 0; n < 100; n++) {
        const body = JSON.stringify({ event_name: `${big}${n}`, session_id: `s-${n}` })
        count((yield* Effect.promise(() => deliver(server.url, body))).status)
      }
      const after = heapAfterGc()
      const growth = (after - before) / 1048576
      report(
        `hostile ids: 300 deliveries with 500 KiB ids (200 session_id, 100 event_name) answered ` +
          `${[...statuses].map(([status, n]) => `${n}x${status}`).join(", ")}, heap ${growth >= 0 ? "+" : ""}${
            growth.toFixed(1)
          } MB`
      )
      expect([...statuses]).toEqual([[400, 300]])
      expect(growth).toBeLessThan(10)
      // ids at the limit are kept, under keys of a fixed size that do not contain them
      const keys: Array<string> = []
      const store: Webhook.DedupeStore = {
        has: (key) => Effect.sync(() => keys.includes(key)),
        add: (key) => Effect.sync(() => void keys.push(key))
      }
      const keeping = yield* Webhook.serve({ dedupe: store })
      const longest = "s".repeat(Webhook.maxSessionIdLength)
      const unknown = "E".repeat(Webhook.maxEventNameLength)
      expect((yield* Effect.promise(() => deliver(keeping.url, enrichment(longest)))).status).toBe(200)
      expect(
        (yield* Effect.promise(() =>
          deliver(keeping.url, JSON.stringify({ event_name: unknown, session_id: longest }))
        )).status
      ).toBe(200)
      expect(Option.map(yield* keeping.latestEnrichment(longest), (e) => e.session_id.length)).toEqual(Option.some(256))
      expect(keys).toHaveLength(2)
      for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/)
      report("hostile ids: ids of 256 / 128 characters accepted, kept under 43-character keys")
    }).pipe(Effect.scoped), 60_000)

  it.live("keeps the recent enrichments per session within a byte budget", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve()
      const name = "n".repeat(900_000)
      const sessions = 48
      const before = heapAfterGc()
      for (let n = 0; n < sessions; n++) {
        const body = enrichment(`big-${n}`, {
          accounts: [{ account_status: "completed", name }]
        })
        expect((yield* Effect.promise(() => deliver(server.url, body))).status).toBe(200)
      }
      const after = heapAfterGc()
      const growth = (after - before) / 1048576
      const kept: Array<number> = []
      for (let n = 0; n < sessions; n++) if (Option.isSome(yield* server.latestEnrichment(`big-${n}`))) kept.push(n)
      report(
        `hostile sessions: ${sessions} enrichments of 900 KB each, ${kept.length} kept by the recent map ` +
          `(16 MiB budget), heap ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB`
      )
      // the oldest were evicted for the newest
      expect(kept.length * 900_000).toBeLessThanOrEqual(16 * 1048576)
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => sessions - kept.length + i))
      expect(growth).toBeLessThan(24)
    }).pipe(Effect.scoped), 60_000)

  it.live("closes the connection of a refused request instead of reading its body", () =>
    Effect.gen(function*() {
      const options = { secret: "s3cret-value", maxBodyBytes: 1024, onEvent: () => {} }
      const node = yield* listen(Webhook.toNodeListener(options))
      const served = yield* Webhook.serve({ ...options, onEvent: () => Effect.void, path: "/hook" })
      const platform = yield* ways[0]!.start(options)
      const huge = "content-length: 100000000"
      const cases: ReadonlyArray<readonly [string, number, ReadonlyArray<string>, string?]> = [
        ["wrong secret", 401, ["content-type: application/json", huge, "x-secret-key: wrong"]],
        ["declared too large", 413, ["content-type: application/json", huge, "x-secret-key: s3cret-value"]],
        ["chunked, past the limit", 413, [
          "content-type: application/json",
          "transfer-encoding: chunked",
          "x-secret-key: s3cret-value"
        ]],
        ["wrong content type", 415, ["content-type: text/plain", huge, "x-secret-key: s3cret-value"]],
        ["wrong method", 405, ["content-type: application/json", huge, "x-secret-key: s3cret-value"], "PUT"]
      ]
      const figures: Array<string> = []
      const mounts = [[node.url, "toNodeListener"], [served.url, "serve"], [
        platform,
        "httpApp on NodeHttpServer"
      ]] as const
      for (const [url, mount] of mounts) {
        for (const [name, status, lines, method] of cases) {
          const chunked = lines.includes("transfer-encoding: chunked")
          // a chunked body's chunks are framed; 16 KiB of "x" is read as a malformed chunk
          // size, so send a valid frame first and raw bytes after
          const refusal = chunked
            ? yield* Effect.promise(() => refuseChunked(url, head("/hook", lines)))
            : yield* Effect.promise(() => refuse(url, head("/hook", lines, method)))
          expect({ mount, name, status: refusal.status, closedSoon: refusal.closedAfterMillis < 1_500 })
            .toEqual({ mount, name, status, closedSoon: true })
          figures.push(`${mount} ${status} ${refusal.closedAfterMillis} ms`)
        }
      }
      report(`refused requests: connection closed after ${figures.join(", ")} (the client still sending)`)
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "keeps the connection of a refused request whose small body came with its headers",
    () =>
      Effect.gen(function*() {
        const node = yield* listen(Webhook.toNodeListener({ secret: "s3cret-value", onEvent: () => {} }))
        const served = yield* Webhook.serve({ secret: "s3cret-value", path: "/hook" })
        const platform = yield* ways[0]!.start({ secret: "s3cret-value", onEvent: () => {} })
        for (const url of [node.url, served.url, platform]) {
          const body = enrichment("s-1")
          const request = (secret: string) =>
            head("/hook", [
              "content-type: application/json",
              `content-length: ${body.length}`,
              `x-secret-key: ${secret}`
            ]) + body
          const statuses = yield* Effect.promise(() =>
            new Promise<Array<number>>((resolve) => {
              const { port } = new URL(url)
              const socket = net.connect(Number(port), "127.0.0.1")
              let received = ""
              socket.on("connect", () => socket.write(request("wrong")))
              socket.on("data", (data: Buffer) => {
                received += data.toString("latin1")
                const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))
                // the same connection takes a second request once the first is answered
                if (statuses.length === 1 && received.endsWith("}")) socket.write(request("s3cret-value"))
                if (statuses.length === 2 && received.endsWith("}")) {
                  socket.destroy()
                  resolve(statuses)
                }
              })
              socket.on(
                "close",
                () => resolve([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1])))
              )
            })
          )
          expect(statuses).toEqual([401, 200])
        }
      }).pipe(Effect.scoped),
    20_000
  )

  it.live("drops connections that trickle their headers, and keeps answering deliveries", () =>
    Effect.gen(function*() {
      const server = yield* Webhook.serve({ headersTimeout: "1 second", requestTimeout: "2 seconds" })
      const { port } = new URL(server.url)
      const sockets = 200
      const started = Date.now()
      const closedAfter: Array<number> = []
      const trickling = Array.from({ length: sockets }, () =>
        new Promise<void>((resolve) => {
          const socket = net.connect(Number(port), "127.0.0.1")
          let line = 0
          const trickle = setInterval(() => {
            if (socket.writable) {
              socket.write(line++ === 0 ? "POST /webhooks/bankconnect HTTP/1.1\r\n" : `x-${line}: y\r\n`)
            }
          }, 100)
          const giveUp = setTimeout(() => socket.destroy(), 5_000)
          socket.on("error", () => {})
          socket.on("close", () => {
            clearInterval(trickle)
            clearTimeout(giveUp)
            closedAfter.push(Date.now() - started)
            resolve()
          })
        }))
      // a delivery while they trickle is answered
      yield* Effect.sleep("300 millis")
      const during = yield* Effect.promise(() => deliver(server.url, enrichment("during")))
      yield* Effect.promise(() => Promise.all(trickling))
      const after = yield* Effect.promise(() => deliver(server.url, enrichment("after")))
      const slowest = Math.max(...closedAfter)
      expect([during.status, after.status]).toEqual([200, 200])
      expect(closedAfter).toHaveLength(sockets)
      // the headers timeout, plus at most the 1-second check interval, plus scheduling
      expect(slowest).toBeLessThan(2_700)
      report(
        `slow connections: ${sockets} trickling headers all dropped within ${slowest} ms (headersTimeout 1 s); deliveries answered 200 during and after`
      )
    }).pipe(Effect.scoped), 30_000)

  it.live(
    "refuses connections past maxConnections, and serves again once they are dropped",
    () =>
      Effect.gen(function*() {
        const server = yield* Webhook.serve({
          maxConnections: 20,
          headersTimeout: "1 second",
          requestTimeout: "1 second"
        })
        const { port } = new URL(server.url)
        const idle = Array.from({ length: 20 }, () => {
          const socket = net.connect(Number(port), "127.0.0.1")
          socket.on("error", () => {})
          socket.resume() // read, so as to see the server close
          return socket
        })
        yield* Effect.sleep("200 millis")
        const refused = yield* Effect.promise(() =>
          deliver(server.url, enrichment("refused")).then(() => "answered", () => "refused")
        )
        expect(refused).toBe("refused")
        // the silent connections are dropped by the headers timeout
        yield* Effect.promise(() =>
          Promise.all(idle.map((socket) => new Promise((resolve) => socket.once("close", resolve))))
        )
        const answered = yield* Effect.promise(() => deliver(server.url, enrichment("answered")))
        expect(answered.status).toBe(200)
      }).pipe(Effect.scoped),
    20_000
  )
})

/** As {@link refuse}, for a chunked body: valid 16 KiB chunks every 10 ms, never the last. */
const refuseChunked = (url: string, head: string, giveUpMillis = 4_000) =>
  new Promise<Refusal>((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect(Number(port), hostname)
    let received = ""
    let sent = 0
    const started = Date.now()
    const frame = Buffer.concat([Buffer.from("4000\r\n"), Buffer.alloc(0x4000, "x"), Buffer.from("\r\n")])
    const sending = setInterval(() => {
      if (socket.writable) {
        socket.write(frame)
        sent += 0x4000
      }
    }, 10)
    const done = () => {
      clearInterval(sending)
      clearTimeout(giveUp)
      socket.destroy()
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)
      resolve({ status, closedAfterMillis: Date.now() - started, sent })
    }
    const giveUp = setTimeout(done, giveUpMillis)
    socket.on("connect", () => socket.write(head))
    socket.on("data", (data: Buffer) => {
      received += data.toString("latin1")
    })
    socket.on("error", () => {})
    socket.on("end", done)
    socket.on("close", done)
  })
