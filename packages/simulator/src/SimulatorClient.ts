/**
 * For your own tests: one layer that runs a simulator and provides a `BankConnectClient`
 * pointed at it, with the simulator's credentials. The simulator and its client share the
 * layer's lifetime; the simulator's `Clock` is the test's, so `TestClock` moves its sessions.
 *
 * Move the clock between calls, not while one is in flight: the requests are real and take
 * real time, so a jump during one is seen by the simulator at either time, and may fire the
 * request's `timeout` (which follows the `TestClock`) before the answer arrives.
 *
 * Imported on its own, `@effect-bankconnect/simulator/SimulatorClient` (not from the package
 * root), since it needs `@effect-bankconnect/client`, an optional peer dependency.
 *
 * @since 0.3.0
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Simulator from "./Simulator.js"

/**
 * The simulator's settings, and the client's besides its credentials and base URL.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options extends Simulator.Options {
  readonly client?: Omit<BankConnectClient.Options, "apiKey" | "serverHash" | "baseUrl"> | undefined
}

/**
 * A running simulator and a `BankConnectClient` pointed at it, over `fetch`.
 *
 * @example
 * ```ts
 * import { BankConnectClient } from "@effect-bankconnect/client"
 * import { Simulator } from "@effect-bankconnect/simulator"
 * import * as SimulatorClient from "@effect-bankconnect/simulator/SimulatorClient"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const simulator = yield* Simulator.Simulator
 *   const client = yield* BankConnectClient.BankConnectClient
 *   const { sessionId } = yield* simulator.createSession({ state: "not_requested" })
 *   yield* client.initiateProcessing(sessionId)
 *   return (yield* client.getProgress(sessionId)).session_progress
 * })
 *
 * const progress = await Effect.runPromise(program.pipe(Effect.provide(SimulatorClient.layer())))
 * assert.strictEqual(progress, "processing")
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  Simulator.Simulator | BankConnectClient.BankConnectClient,
  Simulator.StartError | Simulator.ScenarioError
> => {
  const { client, ...simulator } = options
  const clientLayer = Layer.unwrapEffect(
    Effect.map(Simulator.Simulator, (sim) =>
      BankConnectClient.layer({
        ...client,
        apiKey: Redacted.make(sim.apiKey),
        serverHash: Redacted.make(sim.serverHash),
        baseUrl: sim.baseUrl
      }))
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return Layer.provideMerge(clientLayer, Simulator.layer(simulator))
}
