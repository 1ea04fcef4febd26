/**
 * A fleet on one tracker: 20 sessions on a simulator in this process, tracked together by
 * `Tracker.layer` on the libsql store (a SQLite file), the webhook first (the tracker's own
 * receiver, registered with the simulator) and polling as the fallback. The handler writes
 * each session's outcome (`Completed`, `Failed`, `TimedOut`) to a JSON-lines file, once per
 * event id: the tracker runs it at least once per event, so a second delivery must change
 * nothing. At the end it prints a summary read back from that file.
 *
 * The database and `outcomes.jsonl` go to BANKCONNECT_OUT_DIR, else a new folder in the
 * system's temporary directory.
 *
 *   pnpm --filter @effect-bankconnect/examples fleet
 */
import { BankConnectClient, WebhookServer } from "@effect-bankconnect/client"
import { type Scenario, Simulator } from "@effect-bankconnect/simulator"
import { SqlTrackerStore, Tracker, TrackerEvent } from "@effect-bankconnect/tracker"
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Deferred, type Duration, Effect, Layer, Option, Redacted } from "effect"
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { logLevelLayer } from "./support/logLevel.js"

/** One session of the fleet: how the simulator plays it, and what it is tracked with. */
interface Member {
  readonly reference: string
  readonly scenario: Scenario.Input
  readonly deadline?: Duration.DurationInput
}

const stages = (millis: number) => ({ identity: millis, transaction: millis, processing: millis, fraud: millis })

const fleet: ReadonlyArray<Member> = [
  // 15 that complete, in 0.8 to 2.2 seconds, one or two statements each
  ...Array.from({ length: 15 }, (_, i): Member => ({
    reference: `application-${String(i + 1).padStart(2, "0")}`,
    scenario: { accounts: [{ bankName: "hdfc", statements: 1 + (i % 2) }], stageMillis: stages(200 + 25 * i) }
  })),
  // 2 whose webhook never comes: polling finds them
  ...["16", "17"].map((n): Member => ({
    reference: `application-${n}`,
    scenario: { stageMillis: stages(300), webhook: { send: false } }
  })),
  // 1 completed, with its account failed for missing months
  {
    reference: "application-18",
    scenario: {
      accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] } }],
      stageMillis: stages(250)
    }
  },
  // 1 deleted: the API answers SESSION_DELETED, and the session ends Failed
  { reference: "application-19", scenario: { state: "deleted" } },
  // 1 that would take an hour: its deadline ends it TimedOut
  { reference: "application-20", scenario: { stageMillis: stages(900_000) }, deadline: "3 seconds" }
]

/** An outcome as the handler writes it: one JSON line per event id. */
interface OutcomeLine {
  readonly eventId: string
  readonly sessionId: string
  readonly reference: string | null
  readonly outcome: "completed" | "failed" | "timed out"
  readonly via?: "webhook" | "polling"
  readonly accounts?: ReadonlyArray<{ readonly status: string; readonly errorCode: string | null }>
  readonly error?: string
}

const toLine = (event: TrackerEvent.Outcome): OutcomeLine => {
  const common = { eventId: event.id, sessionId: event.sessionId, reference: event.reference }
  switch (event._tag) {
    case "Completed":
      return {
        ...common,
        outcome: "completed",
        via: event.via,
        accounts: event.accounts.map((a) => ({ status: a.status, errorCode: a.errorCode }))
      }
    case "Failed":
      return { ...common, outcome: "failed", error: event.error._tag }
    case "TimedOut":
      return { ...common, outcome: "timed out" }
  }
}

const describe = (line: OutcomeLine) =>
  line.outcome === "completed"
    ? `completed via ${line.via}, ${
      line.accounts!.map((a) => a.errorCode === null ? a.status : `${a.status} ${a.errorCode}`).join(", ")
    }`
    : line.outcome === "failed"
    ? `failed: ${line.error}`
    : "timed out"

/**
 * The outcomes file: a line is appended only for an event id not in the file yet, so the
 * handler may run again for an event (after a crash, or a failed acknowledgement) and the
 * file still holds it once. The check and the append are one synchronous step, so two
 * fibers cannot both append the same event.
 */
const outcomesFile = (path: string) => {
  const read = (): ReadonlyArray<OutcomeLine> =>
    existsSync(path)
      ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
      : []
  const saved = new Set(read().map((line) => line.eventId))
  return {
    path,
    read,
    /** Whether the line was new. */
    save: (line: OutcomeLine) =>
      Effect.try(() => {
        if (saved.has(line.eventId)) return false
        appendFileSync(path, JSON.stringify(line) + "\n")
        saved.add(line.eventId)
        return true
      }),
    size: () => saved.size
  }
}

const count = <A>(items: ReadonlyArray<A>, predicate: (a: A) => boolean) => items.filter(predicate).length

const main = Effect.gen(function*() {
  const outDir = Option.getOrElse(
    yield* Config.option(Config.string("BANKCONNECT_OUT_DIR")),
    () => mkdtempSync(join(tmpdir(), "bankconnect-fleet-"))
  )
  const outcomes = outcomesFile(join(outDir, "outcomes.jsonl"))
  const database = join(outDir, "tracker.db")
  // done once the handler has written every session's outcome
  const allWritten = yield* Deferred.make<void>()

  const handler = (event: TrackerEvent.TrackerEvent) =>
    !TrackerEvent.isOutcome(event) ? Effect.void : Effect.gen(function*() {
      const line = toLine(event)
      if (yield* outcomes.save(line)) yield* Console.log(`${line.reference}: ${describe(line)}`)
      if (outcomes.size() >= fleet.length) yield* Deferred.succeed(allWritten, undefined)
    })

  const simulator = yield* Simulator.make()
  const ClientLive = BankConnectClient.layer({
    apiKey: Redacted.make(simulator.apiKey),
    serverHash: Redacted.make(simulator.serverHash),
    baseUrl: simulator.baseUrl
  }).pipe(Layer.provide(FetchHttpClient.layer))
  // the tracker on the libsql store, and its webhook server (on 127.0.0.1, a free port); the
  // API asks for 2-second polls, the example polls faster so that it ends in a few seconds
  const TrackerLive = Tracker.layerWebhookServer().pipe(
    Layer.provideMerge(Tracker.layer({ handler, interval: "500 millis", fallbackInterval: "1 second" })),
    Layer.provide(SqlTrackerStore.layerLibsql({ url: `file:${database}` })),
    Layer.provideMerge(ClientLive)
  )

  yield* Effect.gen(function*() {
    const tracker = yield* Tracker.Tracker
    const receiver = yield* WebhookServer.WebhookEvents
    const client = yield* BankConnectClient.BankConnectClient
    yield* client.updateWebhook({ webhookUrl: receiver.url })

    const sessions = yield* Effect.forEach(
      fleet,
      (member) =>
        Effect.map(simulator.createSession(member.scenario), ({ sessionId }) => ({
          sessionId,
          reference: member.reference,
          ...(member.deadline === undefined ? {} : { deadline: member.deadline })
        }))
    )
    // one transaction: durable once it returns
    yield* tracker.trackAll(sessions)
    yield* Console.log(`tracking ${sessions.length} sessions in ${database}`)

    yield* Deferred.await(allWritten).pipe(
      Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("the fleet did not end in 30 seconds") })
    )
  }).pipe(Effect.provide(TrackerLive))

  const lines = outcomes.read()
  const completed = lines.filter((line) => line.outcome === "completed")
  const accounts = completed.flatMap((line) => line.accounts ?? [])
  yield* Console.log(
    [
      `summary: ${completed.length} completed (${count(completed, (line) => line.via === "webhook")} via webhook, ${
        count(completed, (line) => line.via === "polling")
      } via polling), ${count(lines, (line) => line.outcome === "failed")} failed, ${
        count(lines, (line) => line.outcome === "timed out")
      } timed out`,
      `accounts: ${count(accounts, (a) => a.errorCode === null)} completed, ${
        count(accounts, (a) => a.errorCode !== null)
      } failed`,
      `outcomes: ${outcomes.path} (${lines.length} lines, one per event id)`
    ].join("\n")
  )
}).pipe(Effect.scoped, Effect.provide(logLevelLayer))

NodeRuntime.runMain(main)
