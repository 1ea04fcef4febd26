/**
 * Where a journey example runs: the real API when BANKCONNECT_API_KEY, BANKCONNECT_SERVER_HASH
 * and BANKCONNECT_STATEMENT (the path of a PDF statement to upload) are set
 * (BANKCONNECT_BASE_URL optional), else a simulator started in this process whose sessions
 * process in about two seconds. The files go to BANKCONNECT_OUT_DIR, else a new folder in the
 * system's temporary directory.
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { quickSession } from "./target.js"

export interface JourneyTarget {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly serverHash: Redacted.Redacted<string>
  /** A path, or the bytes of a stand-in PDF on the simulator. */
  readonly statement: string | Uint8Array
  readonly outDir: string
  readonly simulated: boolean
}

export const journeyTarget = Effect.gen(function*() {
  const statement = yield* Config.option(Config.string("BANKCONNECT_STATEMENT"))
  const outDir = Option.getOrElse(
    yield* Config.option(Config.string("BANKCONNECT_OUT_DIR")),
    () => mkdtempSync(join(tmpdir(), "bankconnect-journey-"))
  )
  if (Option.isSome(statement)) {
    const config = yield* BankConnectClient.config
    return {
      baseUrl: Option.getOrElse(config.baseUrl, () => BankConnectClient.defaultBaseUrl),
      apiKey: config.apiKey,
      serverHash: config.serverHash,
      statement: statement.value,
      outDir,
      simulated: false
    } satisfies JourneyTarget
  }
  const simulator = yield* Simulator.make({ scenario: quickSession })
  return {
    baseUrl: simulator.baseUrl,
    apiKey: Redacted.make(simulator.apiKey),
    serverHash: Redacted.make(simulator.serverHash),
    // the simulator takes a PDF by its type and size; it does not parse it
    statement: new TextEncoder().encode("%PDF-1.7\n% a stand-in statement\n%%EOF\n"),
    outDir,
    simulated: true
  } satisfies JourneyTarget
})

/** The journey target for async/await examples; `close` stops the simulator. */
export const startJourneyTarget = async () => {
  const scope = Effect.runSync(Scope.make())
  const target = await Effect.runPromise(Scope.extend(journeyTarget, scope))
  return {
    ...target,
    apiKey: Redacted.value(target.apiKey),
    serverHash: Redacted.value(target.serverHash),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
