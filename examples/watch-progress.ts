/**
 * Effect: watch a session's progress as a Stream, with a per-statement view, and compose
 * what the caller wants around it: a retry when a poll fails after the client's own
 * retries, and a deadline on the whole watch.
 *
 *   pnpm --filter @effect-bankconnect/examples watch-progress
 */
import { BankConnectClient, Progress } from "@effect-bankconnect/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { logLevelLayer } from "./support/logLevel.js"
import { clientLayer, target } from "./support/target.js"

const statementLine = (statement: Progress.StatementProgress) =>
  `  ${statement.statement_id ?? "(no id)"}  ${Progress.outcome(statement).padEnd(9)} ` +
  Progress.stages.map((stage) => `${stage.replace("_status", "")}=${statement[stage] ?? "-"}`).join(" ")

const program = Effect.gen(function*() {
  const t = yield* target()
  const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientLayer(t))
  yield* Console.log(`watching ${t.sessionId}`)

  const last = yield* client.watchProgress(t.sessionId).pipe(
    Stream.tap((progress) =>
      Console.log([Progress.summary(progress), ...progress.progress.map(statementLine)].join("\n"))
    ),
    // a failure that outlasted the client's retries: start watching again, up to 3 times
    Stream.retry(Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(3)))),
    Stream.runLast,
    // the whole watch may take 10 minutes at most
    Effect.timeout("10 minutes")
  )
  yield* Console.log(`finished: ${last._tag === "Some" ? Progress.summary(last.value) : "no snapshot"}`)
})

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, logLevelLayer])))
