/**
 * A session's whole life in async/await: create it, upload a statement, follow the upload,
 * ask for processing, wait for the confirmed outcome, then save the insights and the
 * session's Excel report to files.
 *
 *   pnpm --filter @effect-bankconnect/examples journey-async
 */
import { AsyncClient, Insights, SessionStatus } from "@effect-bankconnect/client"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { startJourneyTarget } from "./support/journey.js"

const target = await startJourneyTarget()
const client = AsyncClient.make({ apiKey: target.apiKey, serverHash: target.serverHash, baseUrl: target.baseUrl })

try {
  const { session_id: sessionId } = await client.createSession({ linkId: "customer-42" })
  console.log(`created ${sessionId}`)
  const uploaded = await client.uploadStatement({ sessionId, file: target.statement })
  console.log(`uploaded statement ${uploaded.statement_id} (${uploaded.months.length} months)`)

  // processing is asked for once the upload phase has begun; the watch ends when it is final
  for await (const upload of client.watchUploadStatus(sessionId, { interval: "1 second" })) {
    console.log(`upload status: ${upload.upload_status}`)
    if (upload.upload_status !== "NO_UPLOAD") await client.initiateProcessing(sessionId, { duplicateIsSuccess: true })
  }

  const outcome = await client.awaitOutcome(sessionId, { insights: true, timeout: "30 minutes" })
  for (const account of outcome.status.accounts) {
    const failure = account.failure
    console.log(
      `account ${account.account_id}: ${account.account_status}${failure === null ? "" : ` (${failure.code})`}`
    )
  }
  console.log(`outcome: ${SessionStatus.isSuccessful(outcome.status) ? "every account completed" : "failed"}`)

  if (outcome.insights._tag === "Some") {
    const insights = outcome.insights.value
    const file = join(target.outDir, `insights-${sessionId}.json`)
    await writeFile(file, JSON.stringify(insights, null, 2))
    console.log(`insights saved to ${file}`)
    // report links expire about an hour after the insights call: download them now
    const report = Insights.reportLinks(insights).find((link) => link.kind === "aggregate-xlsx")
    if (report !== undefined) {
      const out = join(target.outDir, `report-${sessionId}.xlsx`)
      const bytes = await client.saveReport(report.url, out)
      console.log(`report saved to ${out} (${bytes} bytes)`)
    }
  }
} catch (error) {
  // the library's errors carry a _tag: SessionNotFound, PasswordIncorrect, TransportError, ...
  console.error("journey failed:", (error as { _tag?: string })._tag ?? "", (error as Error).message)
  process.exitCode = 1
} finally {
  await client.close()
  await target.close()
}
