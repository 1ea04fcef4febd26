/**
 * Plain async/await: `for await` over the progress snapshots, with an AbortController that
 * stops the watch (and its request in flight) if it takes too long.
 *
 *   pnpm --filter @effect-bankconnect/examples async-iterable
 */
import { AsyncClient, Progress } from "@effect-bankconnect/client"
import { startTarget } from "./support/target.js"

const target = await startTarget()
const client = AsyncClient.make({ apiKey: target.apiKey, serverHash: target.serverHash, baseUrl: target.baseUrl })

const controller = new AbortController()
const giveUp = setTimeout(() => controller.abort(new Error("gave up after 10 minutes")), 10 * 60_000)

try {
  for await (const progress of client.watchProgress(target.sessionId, { signal: controller.signal })) {
    console.log(Progress.summary(progress))
  }
  console.log("completed")
} catch (error) {
  // the library's errors carry a _tag: SessionNotFound, AccessDenied, TransportError, ...
  console.error("watch failed:", (error as { _tag?: string })._tag ?? "", (error as Error).message)
  process.exitCode = 1
} finally {
  clearTimeout(giveUp)
  await client.close()
  await target.close()
}
