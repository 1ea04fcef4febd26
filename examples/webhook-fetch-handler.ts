/**
 * async/await: receive webhooks with `Webhook.toWebHandler`, a standard
 * `(request: Request) => Promise<Response>` for Hono (`app.post(path, (c) => handler(c.req.raw))`),
 * Next.js route handlers (`export const POST = handler`), `Bun.serve({ fetch: handler })` or
 * `Deno.serve(handler)`. Here a minimal Fetch-style server on Node stands in for those.
 *
 *   pnpm --filter @effect-bankconnect/examples webhook-fetch-handler
 */
import { AsyncClient, Webhook } from "@effect-bankconnect/client"
import { serveFetch } from "./support/fetchServer.js"
import { startTarget } from "./support/target.js"

const target = await startTarget({
  stageMillis: { identity: 500, transaction: 500, processing: 500, fraud: 500 },
  accounts: [{
    outcome: { status: "failed", errorCode: "INCOMPLETE_DATES_UPLOAD", dates: { "2024-01": [1, 2, 3, 4] } }
  }]
})

let resolveEvent!: (event: Webhook.EnrichmentNotification) => void
const enrichment = new Promise<Webhook.EnrichmentNotification>((resolve) => (resolveEvent = resolve))

const handler = Webhook.toWebHandler({
  onEvent: async (event) => {
    // store the event before returning: a throw here answers 500 and BankConnect retries
    console.log(`received ${event.event_name}`)
    if (event._tag === "EnrichmentNotification" && event.session_id === target.sessionId) resolveEvent(event)
  }
})

const server = await serveFetch((request) =>
  new URL(request.url).pathname === "/webhooks/bankconnect"
    ? handler(request)
    : Promise.resolve(new Response(null, { status: 404 }))
)
const client = AsyncClient.make({ apiKey: target.apiKey, serverHash: target.serverHash, baseUrl: target.baseUrl })
try {
  const webhookUrl = target.simulated ? `${server.url}/webhooks/bankconnect` : process.env.BANKCONNECT_WEBHOOK_URL
  if (webhookUrl === undefined) throw new Error("set BANKCONNECT_WEBHOOK_URL to the public URL of this server")
  await client.updateWebhook({ webhookUrl })
  console.log(`listening on ${server.url}/webhooks/bankconnect`)
  const event = await enrichment
  for (const account of event.accounts) {
    const failure = account.failure
    if (failure?._tag === "IncompleteDatesUpload") {
      const missing = failure.missing.map((m) =>
        `${m.month.year}-${String(m.month.month).padStart(2, "0")}: days ${m.days.join(", ")}`
      )
      console.log(`account ${account.account_id} failed: missing dates ${missing.join("; ")}`)
    } else {
      console.log(`account ${account.account_id}: ${account.account_status}`)
    }
  }
} finally {
  await client.close()
  await server.close()
  await target.close()
}
