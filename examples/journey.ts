/**
 * A session's whole life in Effect: create it, upload a statement server to server, watch
 * the upload, ask for processing, wait for completion (the outcome confirmed by the session
 * status), then save the insights and the session's Excel report to files.
 *
 *   pnpm --filter @effect-bankconnect/examples journey
 */
import { BankConnectClient, Completion, Insights, SessionStatus, UploadStatus } from "@effect-bankconnect/client"
import { FetchHttpClient, FileSystem } from "@effect/platform"
import { NodeFileSystem, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Stream } from "effect"
import { join } from "node:path"
import { journeyTarget } from "./support/journey.js"
import { logLevelLayer } from "./support/logLevel.js"

const program = Effect.gen(function*() {
  const target = yield* journeyTarget
  const journey = Effect.gen(function*() {
    const client = yield* BankConnectClient.BankConnectClient
    const fs = yield* FileSystem.FileSystem

    const session = yield* client.createSession({ linkId: "customer-42" })
    yield* Console.log(`created ${session.session_id}`)
    const sessionId = session.session_id

    const uploaded = yield* client.uploadStatement({ sessionId, file: target.statement })
    yield* Console.log(`uploaded statement ${uploaded.statement_id} (${uploaded.months.length} months)`)

    // the upload phase: one status now; a hosted journey would watch it until COMPLETED
    const upload = yield* client.getUploadStatus(sessionId)
    yield* Console.log(`upload status: ${UploadStatus.phase(upload.upload_status)}`)

    yield* client.initiateProcessing(sessionId, { duplicateIsSuccess: true })
    const result = yield* Completion.awaitCompletion(sessionId, { insights: true, deadline: "30 minutes" })
    for (const account of result.status.accounts) {
      const failure = account.failure
      yield* Console.log(
        `account ${account.account_id}: ${account.account_status}${failure === null ? "" : ` (${failure.code})`}`
      )
    }
    yield* Console.log(`outcome: ${SessionStatus.isSuccessful(result.status) ? "every account completed" : "failed"}`)

    if (result.insights._tag === "Some") {
      const insights = result.insights.value
      const file = join(target.outDir, `insights-${sessionId}.json`)
      yield* fs.writeFileString(file, JSON.stringify(insights, null, 2))
      yield* Console.log(`insights saved to ${file}`)
      // report links expire about an hour after the insights call: download them now
      const report = Insights.reportLinks(insights).find((link) => link.kind === "aggregate-xlsx")
      if (report !== undefined) {
        const out = join(target.outDir, `report-${sessionId}.xlsx`)
        yield* Stream.run(client.downloadReport(report.url), fs.sink(out))
        yield* Console.log(`report saved to ${out}`)
      }
    }
  })
  return yield* journey.pipe(
    Effect.provide(
      BankConnectClient.layer({ apiKey: target.apiKey, serverHash: target.serverHash, baseUrl: target.baseUrl })
        .pipe(Layer.provide(FetchHttpClient.layer))
    )
  )
}).pipe(Effect.scoped, Effect.provide([NodeFileSystem.layer, logLevelLayer]))

NodeRuntime.runMain(program)
