import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Webhook } from "../../src/index.js"
import { heapAfterGc, report, scale } from "./support.js"

// The receiver under a bounded load on 127.0.0.1 with half the traffic garbage: valid
// deliveries keep getting 200, garbage gets 4xx, and memory stays bounded (the dedupe store
// keeps only its newest keys). Real sockets are the point.

const requests = 4_000 * scale
const concurrency = 32
const capacity = 500

const valid = (n: number) =>
  JSON.stringify({
    session_id: `session-${n}`,
    event_name: "ENRICHMENT_NOTIFICATION",
    accounts: [{
      bank_name: "sbi",
      account_id: `a-${n}`,
      account_status: "completed",
      error_code: "",
      error_message: ""
    }]
  })

const garbage = [
  { body: "{\"event_name\": ", type: "application/json" },
  { body: JSON.stringify({ event_name: "ENRICHMENT_NOTIFICATION", accounts: 7 }), type: "application/json" },
  { body: "[]", type: "application/json" },
  { body: valid(0), type: "text/plain" },
  { body: `{"event_name":"X","pad":"${"x".repeat(2 * 1024 * 1024)}"}`, type: "application/json" }
]

describe("receiver under load", () => {
  it.live(`${requests} posts, half garbage: valid ones answered 200, memory bounded`, () =>
    Effect.gen(function*() {
      let handled = 0
      const store = Webhook.memoryDedupeStore(capacity)
      const server = yield* Webhook.serve({ dedupe: store, onEvent: () => Effect.sync(() => void handled++) })
      const before = heapAfterGc()
      const statuses = { valid: new Map<number, number>(), garbage: new Map<number, number>() }
      let next = 0
      const started = Date.now()
      yield* Effect.promise(() =>
        Promise.all(Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            const n = next++
            const isValid = n % 2 === 0
            const input = isValid ? { body: valid(n), type: "application/json" } : garbage[n % garbage.length]!
            const response = await fetch(server.url, {
              method: "POST",
              headers: { "content-type": input.type },
              body: input.body
            })
              .catch(() => undefined)
            await response?.arrayBuffer()
            const status = response?.status ?? 0
            const counts = isValid ? statuses.valid : statuses.garbage
            counts.set(status, (counts.get(status) ?? 0) + 1)
          }
        }))
      )
      const millis = Date.now() - started
      const after = heapAfterGc()
      expect([...statuses.valid]).toEqual([[200, requests / 2]])
      expect([...statuses.garbage.keys()].every((status) => status >= 400 && status < 500)).toBe(true)
      expect(handled).toBe(requests / 2)
      // the store kept only the newest keys: the first event is forgotten, the last remembered
      const first = yield* Effect.promise(() =>
        fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: valid(0) }).then((
          r
        ) => r.json())
      )
      const last = yield* Effect.promise(() =>
        fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: valid(requests - 2)
        })
          .then((r) => r.json())
      )
      expect([first, last]).toEqual([{ status: "ok" }, { status: "duplicate" }])
      const growth = (after - before) / 1048576
      expect(growth).toBeLessThan(20)
      report(
        `load: ${requests} posts at concurrency ${concurrency} in ${millis} ms (${
          Math.round(requests / (millis / 1000))
        }/s), ` +
          `${requests / 2} valid all 200, ${requests / 2} garbage all 4xx (${
            [...statuses.garbage].map(([s, c]) => `${c}x${s}`).join(", ")
          }), ` +
          `heap ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB, dedupe store capped at ${capacity}`
      )
    }).pipe(Effect.scoped), 120_000 * scale)
})
