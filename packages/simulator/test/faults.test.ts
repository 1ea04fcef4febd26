import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import * as Faults from "../src/internal/faults.js"
import { call, progressPath, request } from "./utils/http.js"

describe("Simulator faults", () => {
  it.scoped("drops the connection without an answer", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { dropRate: 1 } })
      const { sessionId } = yield* sim.createSession({})
      const error = yield* Effect.flip(call(sim, "GET", progressPath(sessionId)))
      expect(String(error)).toContain("fetch failed")
      const [record] = yield* sim.requests
      expect(record).toMatchObject({ status: "dropped", fault: "drop", sessionId })
      // and keeps serving
      yield* sim.setFaults({})
      expect((yield* request(sim, "GET", progressPath(sessionId))).status).toBe(200)
    }))

  it.scoped("answers 500, 502, 503 or 504 with a JSON envelope", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { errorRate: 1 }, seed: 7 })
      const { sessionId } = yield* sim.createSession({})
      const statuses = new Set<number>()
      for (let i = 0; i < 40; i++) {
        const answer = yield* request(sim, "GET", progressPath(sessionId))
        statuses.add(answer.status)
        expect(answer.json.error.code).toBe("SERVICE_UNAVAILABLE")
      }
      expect([...statuses].sort()).toEqual([500, 502, 503, 504])
    }))

  it.scoped("answers 429 with the configured Retry-After", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { rateLimitRate: 1, retryAfterSeconds: 3 } })
      const answer = yield* request(sim, "GET", progressPath("any"))
      expect([answer.status, answer.headers.get("retry-after")]).toEqual([429, "3"])
    }))

  it.scoped("answers 502 with an HTML gateway page instead of JSON", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { nonJsonRate: 1 } })
      const answer = yield* request(sim, "GET", progressPath("any"))
      expect(answer.status).toBe(502)
      expect(answer.headers.get("content-type")).toContain("text/html")
      expect(answer.json).toBeUndefined()
      expect(answer.text).toContain("502 Bad Gateway")
    }))

  it.scoped("adds latency on the clock", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { latencyMillis: [250, 250] } })
      const { sessionId } = yield* sim.createSession({})
      const fiber = yield* Effect.fork(request(sim, "GET", progressPath(sessionId)))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("250 millis")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }))

  it.scoped("a session's own faults replace the server's for its calls", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ faults: { errorRate: 1 } })
      const calm = yield* sim.createSession({ faults: {} })
      const other = yield* sim.createSession({})
      expect((yield* request(sim, "GET", progressPath(calm.sessionId))).status).toBe(200)
      expect((yield* request(sim, "GET", progressPath(other.sessionId))).status).toBeGreaterThanOrEqual(500)
    }))

  it("draws faults in their shares, and the same seed draws the same faults", () => {
    const faults = {
      dropRate: 0.05,
      errorRate: 0.2,
      rateLimitRate: 0.05,
      retryAfterSeconds: 1,
      nonJsonRate: 0.1,
      latencyMillis: [0, 300] as const
    }
    const run = (seed: number) => {
      const random = Faults.seededRandom(seed)
      return Array.from({ length: 20_000 }, () => Faults.draw(faults, random))
    }
    const draws = run(42)
    const share = (kind: Faults.Kind) => draws.filter((d) => d.kind === kind).length / draws.length
    expect(share("drop")).toBeCloseTo(0.05, 1)
    expect(share("error")).toBeCloseTo(0.2, 1)
    expect(share("rateLimit")).toBeCloseTo(0.05, 1)
    expect(share("nonJson")).toBeCloseTo(0.1, 1)
    expect(draws.filter((d) => d.kind === undefined).length / draws.length).toBeCloseTo(0.6, 1)
    expect(draws.every((d) => d.latencyMillis >= 0 && d.latencyMillis <= 300)).toBe(true)
    expect(run(42)).toEqual(draws)
    expect(run(43)).not.toEqual(draws)
  })
})
