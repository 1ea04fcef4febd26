import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { initiatePath, progressPath, request, statusPath } from "./utils/http.js"
import {
  cataloguePath,
  createSession,
  deletePath,
  follow,
  getPdfsPath,
  insightsPath,
  pdf,
  upload,
  uploadPdf,
  uploadStatusPath
} from "./utils/lifecycle.js"

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

const window = { from_date: "01/01/2025", to_date: "31/03/2025" }

describe("GET .../get_pdfs/", () => {
  it.scoped("lists the statements with links to their PDFs, valid for an hour, at any stage", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ scenario: { uploads: [{ password: "1234" }] } })
      const sessionId = yield* createSession(sim, { ...window, bank_name: "axis" })
      expect((yield* request(sim, "GET", getPdfsPath(sessionId))).json).toEqual({ statements: [] })
      const bytes = pdf("the uploaded bytes")
      const first = yield* uploadPdf(sim, sessionId, bytes, { pdf_password: "1234" })
      const second = yield* uploadPdf(sim, sessionId, pdf("another"))
      const answer = yield* request(sim, "GET", getPdfsPath(sessionId))
      expect(answer.status).toBe(200)
      expect(answer.json.statements).toEqual([
        {
          statement_id: first.json.statement_id,
          account_id: first.json.account_id,
          bank_name: "axis",
          pdf_password: "1234",
          pdf_url: expect.stringContaining(`${sim.url}/__simulator/pdfs/${sessionId}/${first.json.statement_id}.pdf?`),
          source: "PDF",
          message: "Success"
        },
        expect.objectContaining({ statement_id: second.json.statement_id, pdf_password: null })
      ])
      const url = answer.json.statements[0].pdf_url
      expect(url).toContain("X-Amz-Expires=3600")
      const file = yield* follow(url)
      expect([file.status, file.headers.get("content-type")]).toEqual([200, "application/pdf"])
      expect(file.bytes).toEqual(bytes)
      // still there after processing
      yield* request(sim, "POST", initiatePath(sessionId))
      yield* TestClock.adjust("59 minutes")
      expect((yield* follow(url)).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      expect((yield* follow(url)).status).toBe(403)
      const fresh = (yield* request(sim, "GET", getPdfsPath(sessionId))).json.statements[0].pdf_url
      expect((yield* follow(fresh)).bytes).toEqual(bytes)
      // 30 days after upload the PDF is gone
      yield* TestClock.adjust("30 days")
      const late = (yield* request(sim, "GET", getPdfsPath(sessionId))).json.statements[0]
      expect(late.pdf_url).toBe("")
      expect((yield* follow(fresh.replace(/X-Amz-Date=\w+/, "X-Amz-Date=x"))).status).toBe(403)
    }))

  it.scoped("serves a stub PDF for scripted statements and file_url uploads, and answers 404, 410, 403", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const { sessionId, statementIds } = yield* sim.createSession({ accounts: [{ statements: 2 }] })
      const body = (yield* request(sim, "GET", getPdfsPath(sessionId))).json
      expect(body.statements.map((s: any) => s.statement_id)).toEqual(statementIds[0])
      const stub = yield* follow(body.statements[0].pdf_url)
      expect(stub.status).toBe(200)
      expect(Buffer.from(stub.bytes).toString("latin1")).toMatch(/^%PDF-1\.4\n[\s\S]*%%EOF\n$/)
      const uploaded = yield* createSession(sim, window)
      yield* upload(sim, { session_id: uploaded, upload_type: "PDF", file_url: "https://files.example/s.pdf" })
      const fromUrl = (yield* request(sim, "GET", getPdfsPath(uploaded))).json.statements[0]
      expect(Buffer.from((yield* follow(fromUrl.pdf_url)).bytes).toString("latin1").startsWith("%PDF-")).toBe(true)
      expect(code(yield* request(sim, "GET", getPdfsPath("nope")))).toEqual([404, "SESSION_NOT_FOUND"])
      expect(code(yield* request(sim, "GET", getPdfsPath(sessionId), { headers: {} }))).toEqual([403, "ACCESS_DENIED"])
      yield* sim.deleteSession(sessionId)
      expect(code(yield* request(sim, "GET", getPdfsPath(sessionId)))).toEqual([410, "SESSION_DELETED"])
      expect((yield* follow(body.statements[0].pdf_url)).status).toBe(404)
    }))
})

describe("DELETE .../delete/", () => {
  it.scoped("deletes: 200, then every call answers 410 SESSION_DELETED, a repeat delete too", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      yield* uploadPdf(sim, sessionId)
      const pdfUrl = (yield* request(sim, "GET", getPdfsPath(sessionId))).json.statements[0].pdf_url
      const deleted = yield* request(sim, "DELETE", deletePath(sessionId))
      expect(deleted.status).toBe(200)
      for (
        const [method, path] of [
          ["GET", uploadStatusPath(sessionId)],
          ["GET", progressPath(sessionId)],
          ["POST", initiatePath(sessionId)],
          ["GET", statusPath(sessionId)],
          ["GET", insightsPath(sessionId)],
          ["GET", getPdfsPath(sessionId)],
          ["DELETE", deletePath(sessionId)]
        ] as const
      ) {
        expect([path, ...code(yield* request(sim, method, path))]).toEqual([path, 410, "SESSION_DELETED"])
      }
      expect((yield* follow(pdfUrl)).status).toBe(404)
      expect(code(yield* request(sim, "DELETE", deletePath("nope")))).toEqual([404, "SESSION_NOT_FOUND"])
      expect(code(yield* request(sim, "DELETE", deletePath(sessionId), { headers: {} }))).toEqual([
        403,
        "ACCESS_DENIED"
      ])
      const [info] = yield* sim.sessions
      expect(info?.state).toBe("deleted")
    }))
})

describe("GET /banks/catalogue/", () => {
  it.scoped("lists the banks, with or without the trailing slash", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      for (const path of [cataloguePath, cataloguePath.slice(0, -1)]) {
        const answer = yield* request(sim, "GET", path)
        expect(answer.status).toBe(200)
        expect(answer.json.count).toBe(answer.json.banks.length)
        expect(answer.json.count).toBeGreaterThanOrEqual(20)
        for (const bank of answer.json.banks) {
          expect(Object.keys(bank)).toEqual([
            "name",
            "full_name",
            "npci_code",
            "logo_url",
            "is_pdf_upload_available",
            "is_net_banking_available",
            "is_aa_available"
          ])
          expect(bank.name).toBe(bank.name.toUpperCase())
        }
        expect(answer.json.banks[0]).toMatchObject({ name: "SBI", full_name: "State Bank of India" })
      }
      const logo = yield* follow((yield* request(sim, "GET", cataloguePath)).json.banks[0].logo_url)
      expect([logo.status, logo.headers.get("content-type")]).toEqual([200, "image/png"])
      expect(code(yield* request(sim, "GET", cataloguePath, { headers: {} }))).toEqual([403, "ACCESS_DENIED"])
    }))
})
