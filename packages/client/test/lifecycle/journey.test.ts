import { Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { BankConnectClient, Insights, SessionStatus, UploadStatus } from "../../src/index.js"

// The whole journey through the client against the simulator over HTTP, with the same calls
// and credentials as against the real API; then every documented code of the calls that
// start it. Real sockets and real time (processing stages of 30 ms).

const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n${text}\n%%EOF\n`)
const stageMillis = { identity: 30, transaction: 30, processing: 30, fraud: 30 }

const setup = (options: Simulator.Options = {}) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make(options)
    const client = yield* Effect.provide(
      BankConnectClient.BankConnectClient,
      BankConnectClient.layer({
        apiKey: Redacted.make(sim.apiKey),
        serverHash: Redacted.make(sim.serverHash),
        baseUrl: sim.baseUrl,
        retry: { times: 0 }
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
    return { sim, client }
  })

describe("the whole journey against the simulator", () => {
  it.live(
    "create, upload (bytes, path, stream), upload status, initiate, progress, status, insights, report, PDFs, delete",
    () =>
      Effect.gen(function*() {
        const { client, sim } = yield* setup({ scenario: { stageMillis } })
        const to = new Date()
        const from = new Date(to.getTime() - 90 * 24 * 3600 * 1000)
        const created = yield* client.createSession({ linkId: "customer-42", fromDate: from, toDate: to })
        expect(created.redirect_url).toContain(created.session_id)
        const sessionId = created.session_id
        const creation = (yield* sim.requests).find((r) => r.path.endsWith("/session/"))
        expect(creation).toMatchObject({ method: "POST", status: 200 })

        const dir = mkdtempSync(join(tmpdir(), "bankconnect-journey-"))
        const path = join(dir, "hdfc-march.pdf")
        writeFileSync(path, pdf("from a path"))
        const uploads = [
          yield* client.uploadStatement({ sessionId, file: pdf("bytes") }),
          yield* client.uploadStatement({ sessionId, file: path }),
          yield* client.uploadStatement({
            sessionId,
            file: Readable.toWeb(Readable.from([pdf("a stream")])) as ReadableStream<Uint8Array>,
            fileName: "streamed.pdf"
          })
        ]
        expect(uploads.map((u) => u.session_id)).toEqual([sessionId, sessionId, sessionId])
        expect(new Set(uploads.map((u) => u.statement_id)).size).toBe(3)

        const upload = yield* client.getUploadStatus(sessionId)
        expect(upload.session_id).toBe(sessionId)
        expect(["InProgress", "Completed"]).toContain(UploadStatus.phase(upload.upload_status))

        expect(yield* client.initiateProcessing(sessionId)).toEqual({ sessionId, alreadyRequested: false })
        const last = yield* client.awaitCompletion(sessionId, { interval: "30 millis" })
        expect(last.session_progress).toBe("completed")
        const finalUpload = yield* Stream.runLast(client.watchUploadStatus(sessionId, { interval: "30 millis" }))
        expect(finalUpload._tag === "Some" && UploadStatus.phase(finalUpload.value.upload_status)).toBe("Completed")

        const status = yield* client.getSessionStatus(sessionId)
        expect(SessionStatus.isSuccessful(status)).toBe(true)
        expect(status.accounts.flatMap((a) => a.statements).length).toBe(3)

        const insights = yield* client.getInsights(sessionId)
        expect(insights.session_id).toBe(sessionId)
        expect(insights.link_id).toBe("customer-42")
        const links = Insights.reportLinks(insights)
        expect(links.length).toBeGreaterThan(0)
        const bytes = Buffer.concat(
          Chunk.toReadonlyArray(yield* Stream.runCollect(client.downloadReport(links[0]!.url)))
        )
        expect(bytes.byteLength).toBeGreaterThan(0)

        const pdfs = yield* client.getPdfs(sessionId)
        expect(pdfs.statements).toHaveLength(3)

        expect(yield* client.deleteSession(sessionId)).toEqual({ sessionId, alreadyDeleted: false })
        expect(yield* Effect.flip(client.getSessionStatus(sessionId))).toMatchObject({ _tag: "SessionDeleted" })
        expect(yield* client.deleteSession(sessionId, { deletedIsSuccess: true })).toEqual({
          sessionId,
          alreadyDeleted: true
        })
      }).pipe(Effect.scoped),
    30_000
  )

  it.live("the catalogue, and create v2 when v2's fields are used", () =>
    Effect.gen(function*() {
      const { client, sim } = yield* setup()
      const catalogue = yield* client.getBankCatalogue()
      expect(catalogue.banks.length).toBeGreaterThan(10)
      const created = yield* client.createSession({
        linkId: "customer-v2",
        aaJourneyCode: "BCAA001"
      })
      expect(created.redirect_url).toContain("token=")
      expect((yield* sim.requests).some((r) => r.path === "/bank-connect/v2/session/")).toBe(true)
    }).pipe(Effect.scoped))

  it.live("every documented creation code is typed", () =>
    Effect.gen(function*() {
      const { client, sim } = yield* setup({ enabledModes: ["pdf"] })
      const refused = (options: Parameters<typeof client.createSession>[0]) =>
        Effect.flip(client.createSession(options))
      expect(yield* refused({ linkId: "c", bankName: "not-a-bank" })).toMatchObject({ _tag: "InvalidBankName" })
      expect(yield* refused({ linkId: "c", mode: "online", bankName: "sbi" })).toMatchObject({ _tag: "ModeNotEnabled" })
      expect(yield* refused({ linkId: "c", redirectUrl: "not a url" })).toMatchObject({ _tag: "InvalidArgument" })
      yield* sim.setSettings({ outOfCredit: true })
      expect(yield* refused({ linkId: "c" })).toMatchObject({ _tag: "PaymentRequired", status: 402 })
      // checked here before sending: reversed dates, an over-long link id
      const before = (yield* sim.requests).length
      expect(yield* refused({ linkId: "c", fromDate: new Date(2025, 5, 1), toDate: new Date(2025, 0, 1) }))
        .toMatchObject({ _tag: "InvalidArgument" })
      expect(yield* refused({ linkId: "x".repeat(501) })).toMatchObject({ _tag: "InvalidArgument" })
      expect((yield* sim.requests).length).toBe(before)
    }).pipe(Effect.scoped))

  it.live("every documented upload code is typed, and an upload is never sent twice", () =>
    Effect.gen(function*() {
      const scripted = [
        "PASSWORD_INCORRECT",
        "PDF_IS_IMAGE",
        "STATEMENT_UNSUPPORTED_FORMAT",
        "BANK_NAME_UNDETECTED",
        "INVALID_ACCOUNT_CATEGORY",
        "OUT_OF_DATE_RANGE",
        "BANK_NAME_MISMATCH",
        "SESSION_EXPIRED"
      ] as const
      const { client, sim } = yield* setup({ scenario: { uploads: scripted.map((error) => ({ error })) } })
      const { session_id: sessionId } = yield* client.createSession({ linkId: "uploads" })
      const tags: Array<string> = []
      for (let i = 0; i < scripted.length; i++) {
        const error = yield* Effect.flip(client.uploadStatement({ sessionId, file: pdf(`scripted ${i}`) }))
        tags.push(error._tag)
      }
      expect(tags).toEqual([
        "PasswordIncorrect",
        "PdfIsImage",
        "StatementUnsupportedFormat",
        "BankNameUndetected",
        "InvalidAccountCategory",
        "OutOfDateRange",
        "BankNameMismatch",
        "SessionExpired"
      ])
      const ok = yield* client.uploadStatement({ sessionId, file: pdf("fine") })
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file: pdf("fine") }))).toMatchObject({
        _tag: "StatementDuplicate"
      })
      expect(ok.statement_id).not.toBe("")
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file: new Uint8Array() }))).toMatchObject({
        _tag: "EmptyFile"
      })
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file: new TextEncoder().encode("<html>") })))
        .toMatchObject({ _tag: "InvalidFileObject" })
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file: "/no/such/file.pdf" }))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "file"
      })
      yield* sim.setSettings({ outOfCredit: true })
      expect(yield* Effect.flip(client.uploadStatement({ sessionId, file: pdf("credit") }))).toMatchObject({
        _tag: "TrialPeriodExpired"
      })
      // one request per upload, whatever the answer: never retried
      const uploadCalls = (yield* sim.requests).filter((r) => r.path.endsWith("/upload_session/"))
      expect(uploadCalls).toHaveLength(scripted.length + 5)
    }).pipe(Effect.scoped), 30_000)

  it.live("a wrong API key on upload is InvalidApiKey; the server hash never matters there", () =>
    Effect.gen(function*() {
      const { sim } = yield* setup()
      const wrong = yield* Effect.provide(
        BankConnectClient.BankConnectClient,
        BankConnectClient.layer({
          apiKey: Redacted.make("a-wrong-api-key"),
          serverHash: Redacted.make(sim.serverHash),
          baseUrl: sim.baseUrl
        }).pipe(Layer.provide(FetchHttpClient.layer))
      )
      const error = yield* Effect.flip(wrong.uploadStatement({ sessionId: "any-session", file: pdf("x") }))
      expect(error).toMatchObject({ _tag: "InvalidApiKey", status: 403 })
    }).pipe(Effect.scoped))
})
