import * as Effect from "effect/Effect"
import type { Simulator } from "../../src/index.js"
import { type Answer, request } from "./http.js"

// Helpers for the session lifecycle calls: create, upload (multipart, as any client sends
// it), and the session-data paths.

export const createPath = "/bank-connect/v1/session/"
export const createV2Path = "/bank-connect/v2/session/"
export const uploadPath = "/bank-connect/v1/statement/upload_session/"
export const cataloguePath = "/bank-connect/v1/banks/catalogue/"
const data = (sessionId: string, call: string) => `/bank-connect/v1/session_data/${sessionId}/${call}/`
export const uploadStatusPath = (sessionId: string) => data(sessionId, "session_upload_status")
export const insightsPath = (sessionId: string) => data(sessionId, "insights")
export const getPdfsPath = (sessionId: string) => data(sessionId, "get_pdfs")
export const deletePath = (sessionId: string) => data(sessionId, "delete")

/** A create call with a JSON body and the API key in the header (unless `headers` replace it). */
export const create = (
  sim: Simulator.Service,
  body: unknown,
  options: { readonly path?: string; readonly headers?: Record<string, string> } = {}
) =>
  request(sim, "POST", options.path ?? createPath, {
    headers: options.headers ?? { "content-type": "application/json", "x-api-key": sim.apiKey },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/** Creates a session through the API and returns its id (the call must succeed). */
export const createSession = (sim: Simulator.Service, body: Record<string, unknown> = {}) =>
  Effect.map(create(sim, { link_id: "customer-1", ...body }), (answer) => {
    if (answer.status !== 200) throw new Error(`create answered ${answer.status}: ${answer.text}`)
    return answer.json.session_id as string
  })

/** A small PDF: the `%PDF-` header, then `text` (distinct texts give distinct bytes). */
export const pdf = (text = "statement"): Uint8Array<ArrayBuffer> =>
  new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`)

/** An upload call: multipart/form-data made by `FormData`, `x-api-key` only. */
export const upload = (
  sim: Simulator.Service,
  fields: Record<string, string | Uint8Array>,
  headers: Record<string, string> = { "x-api-key": sim.apiKey }
) =>
  Effect.tryPromise({
    catch: (error) => new Error(`upload failed: ${String((error as Error).cause ?? error)}`),
    try: async (): Promise<Answer> => {
      const form = new FormData()
      for (const [name, value] of Object.entries(fields)) {
        if (typeof value === "string") form.set(name, value)
        else form.set(name, new Blob([value as Uint8Array<ArrayBuffer>], { type: "application/pdf" }), `${name}.pdf`)
      }
      const response = await fetch(`${sim.url}${uploadPath}`, { method: "POST", headers, body: form })
      const text = await response.text()
      let json: any = undefined
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, text, json }
    }
  }).pipe(Effect.orDie)

/** Uploads a PDF to a session (`PDF` upload type). */
export const uploadPdf = (
  sim: Simulator.Service,
  sessionId: string,
  bytes: Uint8Array = pdf(),
  fields: Record<string, string> = {}
) => upload(sim, { session_id: sessionId, upload_type: "PDF", file: bytes, ...fields })

/** A GET of a link the simulator gave (a report or PDF), as a client follows it: no credentials. */
export const follow = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) }
  })
