/**
 * Where an example runs: the real API when BANKCONNECT_API_KEY, BANKCONNECT_SERVER_HASH and
 * BANKCONNECT_SESSION_ID are set (BANKCONNECT_BASE_URL optional), else a simulator started
 * in this process with a fresh session scripted by `scenario`. SIMULATOR_FAULTS, as JSON,
 * gives that simulator faults (`Scenario.Faults`): with BANKCONNECT_LOG=debug,
 * `SIMULATOR_FAULTS='{"errorRate":0.5}'` shows the client's retries, now and then a skipped poll.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import { type Scenario, Simulator } from "@effect-bankconnect/simulator"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"

export interface Target {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly serverHash: Redacted.Redacted<string>
  readonly sessionId: string
  /** The simulator, when the example runs on one. */
  readonly simulator: Option.Option<Simulator.Service>
}

/** A session that completes in about two seconds: four stages of half a second. */
export const quickSession: Scenario.Input = {
  stageMillis: { identity: 500, transaction: 500, processing: 500, fraud: 500 }
}

/** The simulator's faults from SIMULATOR_FAULTS (JSON); none when unset. */
const simulatorFaults = Config.string().pipe(
  Config.mapAttempt((json): typeof Scenario.Faults.Encoded => JSON.parse(json)),
  Config.nested("SIMULATOR_FAULTS"),
  Config.withDefault({})
)

export const target = (scenario: Scenario.Input = quickSession) =>
  Effect.gen(function*() {
    const sessionId = yield* Config.option(Config.string("BANKCONNECT_SESSION_ID"))
    if (Option.isSome(sessionId)) {
      const config = yield* BankConnectClient.config
      return {
        baseUrl: Option.getOrElse(config.baseUrl, () => BankConnectClient.defaultBaseUrl),
        apiKey: config.apiKey,
        serverHash: config.serverHash,
        sessionId: sessionId.value,
        simulator: Option.none()
      } satisfies Target
    }
    const simulator = yield* Simulator.make({ faults: yield* simulatorFaults })
    const session = yield* simulator.createSession(scenario)
    return {
      baseUrl: simulator.baseUrl,
      apiKey: Redacted.make(simulator.apiKey),
      serverHash: Redacted.make(simulator.serverHash),
      sessionId: session.sessionId,
      simulator: Option.some(simulator)
    } satisfies Target
  })

/** The client for a target, as a layer (it still needs an `HttpClient`). */
export const clientLayer = (t: Target) =>
  BankConnectClient.layer({ apiKey: t.apiKey, serverHash: t.serverHash, baseUrl: t.baseUrl })

/** The target for async/await examples, with its credentials as plain strings; `close` stops the simulator. */
export const startTarget = async (scenario?: Scenario.Input) => {
  const scope = Effect.runSync(Scope.make())
  const t = await Effect.runPromise(Scope.extend(target(scenario), scope))
  return {
    baseUrl: t.baseUrl,
    apiKey: Redacted.value(t.apiKey),
    serverHash: Redacted.value(t.serverHash),
    sessionId: t.sessionId,
    simulated: Option.isSome(t.simulator),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
