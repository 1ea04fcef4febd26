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

Effect.gen(function*() {
  const simulator = yield* Simulator.make({ maxLogEntries: 1000 })
  const sessionIds: Array<string> = []
  for (let i = 0; i < count; i++) {
    const stage = i % 4 === 0 ? 2500 : 250
    const session = yield* simulator.createSession({
      stageMillis: { identity: stage, transaction: stage, processing: stage, fraud: stage },
      webhook: { send: false },
      accounts: i % 10 === 3
        ? [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11"] } }]
        : [{}]
    })
    sessionIds.push(session.sessionId)
  }
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
