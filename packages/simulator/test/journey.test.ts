import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { AsyncSimulator } from "../src/index.js"

// A whole session's life over plain HTTP, as a client in any language drives it: `fetch`,
// `FormData` and `Blob`, the documented paths and credentials, real time. Nothing here
// comes from @effect-bankconnect/client; the simulator is only started (and configured
// over its control API) from the test.

let sim: AsyncSimulator.AsyncSimulator

beforeAll(async () => {
  sim = await AsyncSimulator.start()
  // fast stages, so that polling in real time ends soon: set over the control API
  const settings = await fetch(`${sim.url}/__simulator/settings`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scenario: { stageMillis: { identity: 50, transaction: 50, processing: 50, fraud: 50 } } })
  })
  expect(settings.status).toBe(204)
})

afterAll(() => sim.close())

const json = async (response: Response) => ({ status: response.status, body: await response.json() as any })

describe("the session journey over plain HTTP", () => {
  for (const version of ["v1", "v2"] as const) {
    it(
      `create (${version}), upload, upload status, initiate, progress, status, insights, reports, PDFs, delete`,
      async () => {
        const base = `${sim.baseUrl}/v1`
        const auth = { "x-api-key": sim.apiKey, "server-hash": sim.serverHash }

        // 1. create: the key in the body (v1) or the header (v2)
        const created = await json(
          await fetch(`${sim.baseUrl}/${version}/session/`, {
            method: "POST",
            headers: version === "v1"
              ? { "content-type": "application/json" }
              : { "content-type": "application/json", "x-api-key": sim.apiKey },
            body: JSON.stringify({
              link_id: `journey-${version}`,
              from_date: "01/09/2025",
              to_date: "30/11/2025",
              bank_name: "hdfc",
              ...(version === "v1" ? { api_key: sim.apiKey } : {})
            })
          })
        )
        expect(created.status).toBe(200)
        const sessionId: string = created.body.session_id
        expect(created.body.redirect_url).toContain(`session_id=${sessionId}`)
        if (version === "v2") expect(created.body.redirect_url).toMatch(/&token=[0-9a-f]+$/)

        // 2. upload a PDF: multipart/form-data, x-api-key only
        const bytes = new TextEncoder().encode(`%PDF-1.4\n% journey ${version}\n%%EOF\n`)
        const form = new FormData()
        form.append("session_id", sessionId)
        form.append("upload_type", "PDF")
        form.append("bank_name", "hdfc")
        form.append("file", new Blob([bytes], { type: "application/pdf" }), "statement.pdf")
        const uploaded = await json(
          await fetch(`${base}/statement/upload_session/`, {
            method: "POST",
            headers: { "x-api-key": sim.apiKey },
            body: form
          })
        )
        expect(uploaded.status).toBe(200)
        expect(uploaded.body).toMatchObject({ session_id: sessionId, bank_name: "hdfc", status: 1 })
        expect(uploaded.body.months).toEqual(["2025-09", "2025-10", "2025-11"])

        // 3. upload status
        const uploadStatus = await json(
          await fetch(`${base}/session_data/${sessionId}/session_upload_status/`, {
            headers: auth
          })
        )
        expect(uploadStatus.status).toBe(200)
        expect(uploadStatus.body.upload_status).toBe("COMPLETED")
        expect(uploadStatus.body.error).toEqual({})
        expect(uploadStatus.body.accounts[0].statements[0].statement_id).toBe(uploaded.body.statement_id)

        // 4. initiate processing
        const initiated = await json(
          await fetch(`${base}/session_data/${sessionId}/initiate_processing/`, { method: "POST", headers: auth })
        )
        expect(initiated).toEqual({ status: 202, body: { session_id: sessionId, message: "success" } })

        // 5. poll progress until completed
        let progress: any
        for (let polls = 0; polls < 100; polls++) {
          progress = await json(await fetch(`${base}/session_data/${sessionId}/progress/`, { headers: auth }))
          expect(progress.status).toBe(200)
          if (progress.body.session_progress === "completed") break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        expect(progress.body.session_progress).toBe("completed")
        expect(progress.body.progress[0]).toMatchObject({
          statement_id: uploaded.body.statement_id,
          fraud_status: "completed"
        })

        // 6. session status
        const status = await json(await fetch(`${base}/session_data/${sessionId}/session_status/`, { headers: auth }))
        expect(status.status).toBe(200)
        expect(status.body.accounts[0]).toMatchObject({
          account_id: uploaded.body.account_id,
          account_status: "completed",
          statements: [{ statement_id: uploaded.body.statement_id, statement_status: "completed" }]
        })

        // 7. insights
        const insights = await json(await fetch(`${base}/session_data/${sessionId}/insights/`, { headers: auth }))
        expect(insights.status).toBe(200)
        expect(insights.body).toMatchObject({ session_id: sessionId, link_id: `journey-${version}` })
        expect(insights.body.accounts[0].data.transactions.length).toBeGreaterThan(0)

        // 8. a report link: no credentials, as a pre-signed S3 link
        const report = await fetch(insights.body.aggregate_xlsx_report_url)
        expect(report.status).toBe(200)
        expect(new Uint8Array(await report.arrayBuffer()).subarray(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]))

        // 9. the PDFs: the bytes uploaded
        const pdfs = await json(await fetch(`${base}/session_data/${sessionId}/get_pdfs/`, { headers: auth }))
        expect(pdfs.status).toBe(200)
        expect(pdfs.body.statements[0]).toMatchObject({ statement_id: uploaded.body.statement_id, source: "PDF" })
        const file = await fetch(pdfs.body.statements[0].pdf_url)
        expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes)

        // 10. delete, then 410 for the session
        const deleted = await fetch(`${base}/session_data/${sessionId}/delete/`, { method: "DELETE", headers: auth })
        expect(deleted.ok).toBe(true)
        for (const call of ["session_upload_status", "progress", "session_status", "insights", "get_pdfs"]) {
          const gone = await json(await fetch(`${base}/session_data/${sessionId}/${call}/`, { headers: auth }))
          expect([call, gone.status, gone.body.error.code]).toEqual([call, 410, "SESSION_DELETED"])
        }
        const again = await json(
          await fetch(`${base}/session_data/${sessionId}/delete/`, { method: "DELETE", headers: auth })
        )
        expect(again.status).toBe(410)

        // every call is in the request log
        const log = await (await fetch(`${sim.url}/__simulator/requests`)).json() as Array<any>
        const mine = log.filter((r) => r.sessionId === sessionId)
        expect(mine.map((r) => r.path.split("/").slice(-2, -1)[0] ?? r.path)).toEqual(
          expect.arrayContaining(["session", "upload_session", "initiate_processing", "insights", "get_pdfs", "delete"])
        )
      },
      30_000
    )
  }
})
