import { BankConnectClient } from "@effect-bankconnect/client"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import * as SimulatorClient from "../src/SimulatorClient.js"

// The layer users put under their own tests: the simulator's time is the test's, so a session
// scripted to take minutes completes as the TestClock moves, with real HTTP underneath.

describe("SimulatorClient.layer", () => {
  it.scoped("a client pointed at the simulator, its sessions moved by the TestClock", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const client = yield* BankConnectClient.BankConnectClient
      const { sessionId } = yield* simulator.createSession({
        stageMillis: { identity: 60_000, transaction: 60_000, processing: 60_000, fraud: 60_000 },
        accounts: [{ outcome: { status: "failed", errorCode: "UNPARSABLE" } }]
      })
      // The clock moves between calls, never while a request is in flight: a jump during a
      // real request would be seen by the simulator at either time, and would fire the
      // request's timeout (on the TestClock) before the answer arrives.
      const before = yield* client.getProgress(sessionId)
      expect(before.session_progress).not.toBe("completed")
      yield* TestClock.adjust("30 seconds")
      const midway = yield* client.getProgress(sessionId)
      expect(midway.session_progress).not.toBe("completed")
      yield* TestClock.adjust("5 minutes")
      const snapshots = yield* Stream.runCollect(client.watchProgress(sessionId, { interval: "30 seconds" }))
      expect([...snapshots].map((snapshot) => snapshot.session_progress)).toEqual(["completed"])
      const status = yield* client.getSessionStatus(sessionId)
      expect(status.accounts[0]?.failure?._tag).toBe("Unparsable")
    }).pipe(Effect.provide(SimulatorClient.layer({ client: { retry: { times: 0 } } }))))

  it.scoped("the client's settings are passed through", () =>
    Effect.gen(function*() {
      const client = yield* BankConnectClient.BankConnectClient
      const error = yield* Effect.flip(client.getProgress("no-such-session"))
      expect(error).toMatchObject({ _tag: "SessionNotFound", status: 404 })
    }).pipe(Effect.provide(SimulatorClient.layer({ client: { timeout: "5 seconds" } }))))
})
