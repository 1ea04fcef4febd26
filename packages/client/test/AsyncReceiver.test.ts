import { AsyncSimulator } from "@effect-bankconnect/simulator"
import { describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { AsyncClient, AsyncReceiver } from "../src/index.js"

// async/await end to end: the simulator posts its webhooks to an AsyncReceiver mounted on a
// plain node:http server; awaitOutcome waits on it. Real sockets, real time.

const listen = (listener: http.RequestListener) =>
  new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const server = http.createServer(listener)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}/webhooks/bankconnect`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

const enrichment = (sessionId: string) =>
  new Request("http://localhost/webhooks/bankconnect", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", session_id: sessionId, accounts: [] })
  })

describe("AsyncReceiver", () => {
  it("awaitOutcome takes the webhook first, from a receiver on the caller's own server", async () => {
    const sim = await AsyncSimulator.start({ webhooks: { retries: 0 } })
    const handled: Array<string> = []
    const receiver = AsyncReceiver.make({ onEvent: (event) => void handled.push(event._tag) })
    const server = await listen(receiver.nodeListener)
    const client = AsyncClient.make({ apiKey: sim.apiKey, serverHash: sim.serverHash, baseUrl: sim.baseUrl })
    try {
      await client.updateWebhook({ webhookUrl: server.url })
      const { sessionId } = await sim.createSession({
        stageMillis: { identity: 40, transaction: 40, processing: 40, fraud: 40 },
        accounts: [{ outcome: { status: "failed", errorCode: "BALANCE_MISMATCH" } }]
      })
      const outcome = await client.awaitOutcome(sessionId, { receiver, webhookWait: "5 seconds", interval: 25 })
      expect(outcome.via).toBe("webhook")
      expect(outcome.status.accounts[0]?.failure?._tag).toBe("BalanceMismatch")
      expect(handled).toContain("EnrichmentNotification")
      // it arrived before this call: still given, at once
      expect((await receiver.awaitEnrichment(sessionId)).session_id).toBe(sessionId)
      const progressCalls = (await sim.requests()).filter((r) =>
        r.sessionId === sessionId && r.path.endsWith("/progress/")
      )
      expect(progressCalls).toHaveLength(1)
    } finally {
      await client.close()
      await server.close()
      await sim.close()
    }
  }, 30_000)

  it("awaitEnrichment waits for a later delivery, and an aborted signal rejects with its reason", async () => {
    const receiver = AsyncReceiver.make()
    const later = receiver.awaitEnrichment("s-later")
    const controller = new AbortController()
    const abandoned = receiver.awaitEnrichment("s-never", { signal: controller.signal })
    controller.abort(new Error("gave up"))
    await expect(abandoned).rejects.toThrow("gave up")
    expect((await receiver.fetchHandler(enrichment("s-later"))).status).toBe(200)
    expect((await later).session_id).toBe("s-later")
    expect(receiver.latestEnrichment("s-later")?.session_id).toBe("s-later")
    expect(receiver.latestEnrichment("s-never")).toBeUndefined()
  })

  it("a Promise dedupe store: a repeated delivery is acknowledged without onEvent; a failing store answers 500", async () => {
    const keys = new Set<string>()
    let failing = false
    const store: AsyncReceiver.PromiseDedupeStore = {
      has: async (key) => {
        if (failing) throw new Error("database down")
        return keys.has(key)
      },
      add: async (key) => void keys.add(key)
    }
    let handled = 0
    const receiver = AsyncReceiver.make({ dedupe: store, onEvent: () => void handled++ })
    expect((await receiver.fetchHandler(enrichment("s-1"))).status).toBe(200)
    const repeat = await receiver.fetchHandler(enrichment("s-1"))
    expect([repeat.status, await repeat.json()]).toEqual([200, { status: "duplicate" }])
    expect(handled).toBe(1)
    expect(keys.size).toBe(1)
    failing = true
    expect((await receiver.fetchHandler(enrichment("s-2"))).status).toBe(500)
    expect(handled).toBe(1)
  })
})
