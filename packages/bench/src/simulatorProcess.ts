/**
 * The simulator in a process of its own, for the benchmarks that talk to it over loopback.
 * It reports where it listens over IPC and runs until the parent goes away.
 */
import { Simulator } from "@effect-bankconnect/simulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"

export interface Ready {
  readonly url: string
  readonly baseUrl: string
  readonly apiKey: string
  readonly serverHash: string
}

process.on("disconnect", () => process.exit(0))

Effect.gen(function*() {
  const simulator = yield* Simulator.make()
  process.send?.(
    {
      url: simulator.url,
      baseUrl: simulator.baseUrl,
      apiKey: simulator.apiKey,
      serverHash: simulator.serverHash
    } satisfies Ready
  )
  return yield* Effect.never
}).pipe(Effect.scoped, NodeRuntime.runMain)
