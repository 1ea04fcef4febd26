import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { progressPath, request, updateWebhookPath } from "./utils/http.js"

// The control API: what a program in any language uses to drive the simulator.
describe("Simulator control over HTTP", () => {
  it.scoped("creates, reads, lists and deletes sessions", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const info = yield* request(sim, "GET", "/__simulator/", { headers: {} })
      expect(info.json).toEqual({ baseUrl: sim.baseUrl, apiKey: sim.apiKey, serverHash: sim.serverHash, webhook: null })
      const created = yield* request(sim, "POST", "/__simulator/sessions", {
        headers: {},
        body: JSON.stringify({ sessionId: "ctl-1", accounts: [{ statements: 3 }], stageMillis: { fraud: 0 } })
      })
      expect(created.status).toBe(201)
      expect(created.json).toMatchObject({ sessionId: "ctl-1", state: "processing", createdAt: 0, completesAt: 3000 })
      expect(created.json.statementIds[0]).toHaveLength(3)
      const empty = yield* request(sim, "POST", "/__simulator/sessions", { headers: {} })
      expect(empty.status).toBe(201)
      yield* TestClock.adjust("3 seconds")
      const read = yield* request(sim, "GET", "/__simulator/sessions/ctl-1", { headers: {} })
      expect(read.json.state).toBe("completed")
      const list = yield* request(sim, "GET", "/__simulator/sessions", { headers: {} })
      expect(list.json.map((s: any) => s.sessionId)).toEqual(["ctl-1", empty.json.sessionId])
      const deleted = yield* request(sim, "DELETE", "/__simulator/sessions/ctl-1", { headers: {} })
      expect(deleted.status).toBe(204)
      expect((yield* request(sim, "GET", progressPath("ctl-1"))).status).toBe(410)
      expect((yield* request(sim, "GET", "/__simulator/sessions/nope", { headers: {} })).status).toBe(404)
      expect((yield* request(sim, "DELETE", "/__simulator/sessions/nope", { headers: {} })).status).toBe(404)
    }))

  it.scoped("sets faults, and serves and clears the request and webhook logs", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const bad = yield* request(sim, "PUT", "/__simulator/faults", {
        headers: {},
        body: JSON.stringify({ errorRate: 2 })
      })
      expect([bad.status, bad.json.error.code]).toEqual([400, "BAD_REQUEST"])
      expect(bad.json.error.message).toContain("errorRate")
      const set = yield* request(sim, "PUT", "/__simulator/faults", {
        headers: {},
        body: JSON.stringify({ rateLimitRate: 1 })
      })
      expect(set.status).toBe(204)
      expect((yield* request(sim, "GET", progressPath("x"))).status).toBe(429)
      yield* request(sim, "PUT", "/__simulator/faults", { headers: {}, body: "{}" })
      yield* request(sim, "POST", updateWebhookPath, { body: JSON.stringify({ webhook_url: "http://127.0.0.1:9/h" }) })
      const log = yield* request(sim, "GET", "/__simulator/requests", { headers: {} })
      expect(log.json.map((r: any) => [r.method, r.path, r.status, r.fault ?? null])).toEqual([
        ["GET", progressPath("x"), 429, "rateLimit"],
        ["POST", updateWebhookPath, 200, null]
      ])
      const info = yield* request(sim, "GET", "/__simulator/", { headers: {} })
      expect(info.json.webhook).toEqual({ url: "http://127.0.0.1:9/h", mode: 0 })
      expect((yield* request(sim, "GET", "/__simulator/webhooks", { headers: {} })).json).toEqual([])
      expect((yield* request(sim, "DELETE", "/__simulator/logs", { headers: {} })).status).toBe(204)
      expect((yield* request(sim, "GET", "/__simulator/requests", { headers: {} })).json).toEqual([])
    }))

  it.scoped("keeps only the newest maxLogEntries", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ maxLogEntries: 3 })
      for (const id of ["a", "b", "c", "d", "e"]) yield* request(sim, "GET", progressPath(id))
      expect((yield* sim.requests).map((r) => r.sessionId)).toEqual(["c", "d", "e"])
    }))
})
