import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import { Limits, Simulator } from "../src/index.js"
import { request } from "./utils/http.js"
import { createSession, deletePath, pdf, upload, uploadPath, uploadPdf } from "./utils/lifecycle.js"

// What a hostile or broken client may send to the upload call: the simulator answers it,
// naming the limit, without reading more than the limit, and keeps serving.

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

const boundary = "----simulator-test-boundary"

const fieldPart = (name: string, value: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`

/**
 * A raw upload whose body `body` writes in chunks, with no content-length (chunked), or
 * announced with `contentLength`. `write` waits until the server took the chunk, and says
 * `false` once the server answered or closed. Resolves with the answer and how many body
 * bytes the client had written by then.
 */
const rawUpload = (
  sim: Simulator.Service,
  body: (write: (chunk: Buffer | string) => Promise<boolean>) => Promise<void>,
  contentLength?: number
) =>
  Effect.promise(() =>
    new Promise<{ status: number | undefined; json: any; written: number }>((resolve) => {
      let written = 0
      let done = false
      const finish = (status: number | undefined, text: string) => {
        if (done) return
        done = true
        let json: any = undefined
        try {
          json = JSON.parse(text)
        } catch {
          // not JSON
        }
        resolve({ status, json, written })
      }
      const req = http.request(`${sim.url}${uploadPath}`, {
        method: "POST",
        headers: {
          "x-api-key": sim.apiKey,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          ...(contentLength === undefined ? { "transfer-encoding": "chunked" } : { "content-length": contentLength })
        }
      })
      req.on("response", (res) => {
        let text = ""
        res.on("data", (chunk) => (text += chunk))
        res.on("end", () => finish(res.statusCode, text))
      })
      req.on("error", () => finish(undefined, ""))
      const write = (chunk: Buffer | string) =>
        new Promise<boolean>((resolveWrite) => {
          if (done || req.destroyed) return resolveWrite(false)
          written += Buffer.byteLength(chunk)
          if (req.write(chunk)) return resolveWrite(true)
          const onDrain = () => {
            req.off("close", onClose)
            resolveWrite(!done)
          }
          const onClose = () => {
            req.off("drain", onDrain)
            resolveWrite(false)
          }
          req.once("drain", onDrain)
          req.once("close", onClose)
        })
      body(write).then(
        () => {
          if (!done && !req.destroyed) req.end()
        },
        () => finish(undefined, "")
      )
    })
  )

describe("upload: hostile input", () => {
  it.scoped(
    "answers an oversized PDF 413 as soon as it is past Limits.maxUploadBytes, without reading the rest",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const sessionId = yield* createSession(sim, {})
        const chunk = Buffer.alloc(1_048_576, 0x41)
        // 200 MiB offered in 1 MiB chunks, waiting for the server to take each
        const streamed = yield* rawUpload(sim, async (write) => {
          await write(fieldPart("session_id", sessionId) + fieldPart("upload_type", "PDF"))
          await write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n%PDF-`)
          for (let i = 0; i < 200; i++) if (!(await write(chunk))) return
        })
        expect(streamed.status).toBe(413)
        expect(streamed.json.error.code).toBe("PAYLOAD_TOO_LARGE")
        expect(streamed.json.error.message).toContain("Limits.maxUploadBytes")
        expect(streamed.written).toBeLessThan(64 * 1_048_576)
        // announced too large: refused before reading anything
        const announced = yield* rawUpload(sim, async () => {}, Limits.maxUploadRequestBytes + 1)
        expect(announced.status).toBe(413)
        expect(announced.json.error.message).toContain("Limits.maxUploadRequestBytes")
        // the limit itself is taken
        const exact = new Uint8Array(Limits.maxUploadBytes)
        exact.set(pdf())
        expect((yield* uploadPdf(sim, sessionId, exact)).status).toBe(200)
        const over = new Uint8Array(Limits.maxUploadBytes + 1)
        over.set(pdf("over"))
        expect(code(yield* uploadPdf(sim, sessionId, over))).toEqual([413, "PAYLOAD_TOO_LARGE"])
        // and keeps serving
        expect((yield* uploadPdf(sim, sessionId, pdf("small"))).status).toBe(200)
      }),
    60_000
  )

  it.scoped(
    "refuses thousands of parts, naming Limits.maxUploadParts, and huge field values",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const sessionId = yield* createSession(sim, {})
        const parts = yield* rawUpload(sim, async (write) => {
          for (let i = 0; i < 5_000; i++) if (!(await write(fieldPart(`f${i}`, "x")))) return
          await write(`--${boundary}--\r\n`)
        })
        expect([parts.status, parts.json.error.code]).toEqual([400, "BAD_REQUEST"])
        expect(parts.json.error.message).toContain(`${Limits.maxUploadParts} parts (Limits.maxUploadParts)`)
        // a text field past the whole body's limit: cut off there
        const chunk = "a".repeat(1_048_576)
        const field = yield* rawUpload(sim, async (write) => {
          await write(`--${boundary}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n`)
          for (let i = 0; i < 64; i++) if (!(await write(chunk))) return
        })
        expect([field.status, field.json.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"])
        expect(field.written).toBeLessThan(48 * 1_048_576)
        // long values of the small fields: 400 naming their limit
        const longId = yield* upload(sim, { session_id: "s".repeat(10_000), upload_type: "PDF", file: pdf() })
        expect(code(longId)).toEqual([400, "INVALID_REQUEST"])
        expect(longId.json.error.message).toContain("Limits.maxIdLength")
        const longPassword = yield* uploadPdf(sim, sessionId, pdf(), { pdf_password: "p".repeat(10_000) })
        expect(longPassword.json.error.message).toContain("Limits.maxNameLength")
        const longUrl = yield* upload(sim, {
          session_id: sessionId,
          upload_type: "PDF",
          file_url: `https://x.example/${"a".repeat(Limits.maxUrlLength)}`
        })
        expect(code(longUrl)).toEqual([400, "INVALID_FILE_URL"])
        // a body that ends mid-part
        const cut = yield* rawUpload(sim, async (write) => {
          await write(`--${boundary}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\nabc`)
        })
        expect(cut.status).toBe(400)
        // nothing was kept, and the simulator keeps serving
        expect((yield* uploadPdf(sim, sessionId)).status).toBe(200)
        const log = yield* sim.requests
        expect(log.filter((r) => r.path === uploadPath).map((r) => r.errorCode ?? r.status)).toEqual([
          "BAD_REQUEST",
          "PAYLOAD_TOO_LARGE",
          "INVALID_REQUEST",
          "INVALID_REQUEST",
          "INVALID_FILE_URL",
          "BAD_REQUEST",
          200
        ])
      }),
    60_000
  )

  it.scoped("keeps at most Limits.maxUploadsPerSession statements per session", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, {})
      for (let i = 0; i < Limits.maxUploadsPerSession; i++) {
        expect((yield* uploadPdf(sim, sessionId, pdf(`statement ${i}`))).status).toBe(200)
      }
      const refused = yield* uploadPdf(sim, sessionId, pdf("one more"))
      expect(code(refused)).toEqual([400, "BAD_REQUEST"])
      expect(refused.json.error.message).toContain("Limits.maxUploadsPerSession")
    }), 60_000)

  it.scoped(
    "keeps at most Limits.maxStoredUploadBytes of PDFs, and frees a deleted session's",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const sessions = [yield* createSession(sim, {}), yield* createSession(sim, {})]
        const big = (n: number) => {
          const bytes = new Uint8Array(Limits.maxUploadBytes)
          bytes.set(pdf(`big ${n}`))
          return bytes
        }
        const fits = Math.floor(Limits.maxStoredUploadBytes / Limits.maxUploadBytes)
        for (let n = 0; n < fits; n++) {
          const answer = yield* uploadPdf(sim, sessions[n % 2]!, big(n))
          expect([n, answer.status, answer.text.slice(0, 300)]).toEqual([n, 200, expect.any(String)])
        }
        const full = yield* uploadPdf(sim, sessions[0]!, big(fits))
        expect(code(full)).toEqual([507, "INSUFFICIENT_STORAGE"])
        expect(full.json.error.message).toContain("Limits.maxStoredUploadBytes")
        expect((yield* request(sim, "DELETE", deletePath(sessions[1]!))).status).toBe(200)
        const freed = yield* uploadPdf(sim, sessions[0]!, big(fits))
        expect([freed.status, freed.text.slice(0, 300)]).toEqual([200, expect.any(String)])
      }),
    120_000
  )
})
