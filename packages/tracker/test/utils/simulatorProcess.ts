/**
 * The simulator in a process of its own, for the restart test: it creates `count`
 * sessions, reports where it listens and their ids over IPC, and runs until the parent
 * goes away. Three in four sessions complete a second after they are created (before the
 * tracker starts: a poll and a session-status call each), the others 10 seconds after
 * (polled a few times first); every tenth has a failed account. Few calls per session,
 * since one simulator serves a few hundred calls a second at best.
 */
import { Simulator } from "@effect-bankconnect/simulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"

export interface Ready {
  readonly baseUrl: string
  readonly apiKey: string
  readonly serverHash: string
  readonly sessionIds: ReadonlyArray<string>
}

process.on("disconnect", () => process.exit(0))

const count = Number(process.argv[2] ?? "1000")
/** The replicas test's variant: longer sessions, faults, the whole request log. */
const variant = process.argv[3] === "replicas" ? "replicas" : "restart"

Effect.gen(function*() {
  const simulator = yield* Simulator.make(
    variant === "replicas"
      ? {
        maxLogEntries: 150_000,
        faults: { errorRate: 0.03, dropRate: 0.01, rateLimitRate: 0.002, retryAfterSeconds: 1 }
      }
      : { maxLogEntries: 1000 }
  )
  const sessionIds: Array<string> = []
  for (let i = 0; i < count; i++) {
    // replicas: sessions complete 10 to 34 seconds after they are created
    const stage = variant === "replicas" ? 2500 + (i % 7) * 1000 : i % 4 === 0 ? 2500 : 250
    const session = yield* simulator.createSession({
      stageMillis: { identity: stage, transaction: stage, processing: stage, fraud: stage },
      webhook: { send: false },
      accounts: i % 10 === 3
        ? [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11"] } }]
        : [{}]
    })
    sessionIds.push(session.sessionId)
  }
  // asked for its request log (the replicas test), it sends it
  process.on("message", (message) => {
    if (message === "requests") {
      void Effect.runPromise(simulator.requests).then((requests) => process.send?.({ requests }))
    }
  })
  process.send?.(
    {
      baseUrl: simulator.baseUrl,
      apiKey: simulator.apiKey,
      serverHash: simulator.serverHash,
      sessionIds
    } satisfies Ready
  )
  return yield* Effect.never
}).pipe(Effect.scoped, NodeRuntime.runMain)
