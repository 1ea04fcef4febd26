/**
 * The simulator for plain async/await code: `start` resolves with a running simulator and
 * its methods return Promises. A thin layer over {@link Simulator.make} through a
 * `ManagedRuntime`: the same server, scenarios and logs. A rejection is the same error
 * (`ScenarioError`, `StartError`).
 *
 * @since 0.3.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import type * as Scenario from "./Scenario.js"
import * as Simulator from "./Simulator.js"

/**
 * A running simulator, with Promises.
 *
 * @since 0.3.0
 * @category models
 */
export interface AsyncSimulator extends AsyncDisposable {
  /** The server's origin, such as `http://127.0.0.1:4010`; control is under `/__simulator/`. */
  readonly url: string
  /** The base URL a client takes, such as `http://127.0.0.1:4010/bank-connect`. */
  readonly baseUrl: string
  readonly port: number
  readonly apiKey: string
  readonly serverHash: string
  /** Creates a session from a scenario; rejects with `ScenarioError`. */
  readonly createSession: (scenario?: Scenario.Input) => Promise<Simulator.SessionInfo>
  /** Every session, oldest first. */
  readonly sessions: () => Promise<ReadonlyArray<Simulator.SessionInfo>>
  /** Where a session stands now, or `undefined` for an unknown one. */
  readonly session: (sessionId: string) => Promise<Simulator.SessionInfo | undefined>
  /** Marks a session deleted; rejects with `ScenarioError` for an unknown one. */
  readonly deleteSession: (sessionId: string) => Promise<void>
  /** Sets the server-wide faults. */
  readonly setFaults: (faults: typeof Scenario.Faults.Encoded) => Promise<void>
  /** Changes the settings given (`outOfCredit`, `enabledModes`, the API sessions' `scenario`...). */
  readonly setSettings: (settings: Simulator.Settings) => Promise<void>
  /** The registered webhook, if any. */
  readonly webhook: () => Promise<Simulator.WebhookRegistration | undefined>
  /** The calls received, oldest first. */
  readonly requests: () => Promise<ReadonlyArray<Simulator.RequestRecord>>
  /** The webhook delivery attempts, oldest first. */
  readonly webhookAttempts: () => Promise<ReadonlyArray<Simulator.WebhookAttempt>>
  /** Clears both logs. */
  readonly clearLogs: () => Promise<void>
  /** Stops the server and its webhook deliveries; calls after it reject. */
  readonly close: () => Promise<void>
}

/**
 * Starts a simulator (a free port on 127.0.0.1 by default) and resolves once it listens.
 * Rejects with `StartError` when it cannot listen, `ScenarioError` for invalid options.
 *
 * @example
 * ```ts
 * import { AsyncSimulator } from "@effect-bankconnect/simulator"
 *
 * const sim = await AsyncSimulator.start({ seed: 1 })
 * const created = await fetch(`${sim.baseUrl}/v1/session/`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "x-api-key": sim.apiKey },
 *   body: JSON.stringify({ link_id: "customer-1" })
 * })
 * const { session_id } = await created.json() as { session_id: string }
 * const info = await sim.session(session_id)
 * await sim.close()
 *
 * assert.strictEqual(info?.linkId, "customer-1")
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const start = async (options: Simulator.Options = {}): Promise<AsyncSimulator> => {
  const runtime = ManagedRuntime.make(Simulator.layer(options))
  let closed = false
  const run = <A, E>(effect: Effect.Effect<A, E, Simulator.Simulator>): Promise<A> => {
    if (closed) return Promise.reject(new Error("AsyncSimulator: the simulator is closed"))
    return runtime.runPromiseExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw Cause.squash(exit.cause)
    })
  }
  const use = <A, E>(f: (sim: Simulator.Service) => Effect.Effect<A, E>) => run(Effect.flatMap(Simulator.Simulator, f))
  let service: Simulator.Service
  try {
    service = await run(Simulator.Simulator)
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  const close = async () => {
    if (closed) return
    closed = true
    await runtime.dispose()
  }
  return {
    url: service.url,
    baseUrl: service.baseUrl,
    port: service.port,
    apiKey: service.apiKey,
    serverHash: service.serverHash,
    createSession: (scenario) => use((sim) => sim.createSession(scenario)),
    sessions: () => use((sim) => sim.sessions),
    session: (sessionId) => use((sim) => Effect.map(sim.session(sessionId), Option.getOrUndefined)),
    deleteSession: (sessionId) => use((sim) => sim.deleteSession(sessionId)),
    setFaults: (faults) => use((sim) => sim.setFaults(faults)),
    setSettings: (settings) => use((sim) => sim.setSettings(settings)),
    webhook: () => use((sim) => Effect.map(sim.webhook, Option.getOrUndefined)),
    requests: () => use((sim) => sim.requests),
    webhookAttempts: () => use((sim) => sim.webhookAttempts),
    clearLogs: () => use((sim) => sim.clearLogs),
    close,
    [Symbol.asyncDispose]: close
  }
}
