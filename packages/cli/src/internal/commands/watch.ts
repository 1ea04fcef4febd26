/**
 * `bankconnect watch <session...>`: every session's progress, live, until every one
 * completed; then each account's outcome from the session status.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Completion from "@effect-bankconnect/client/Completion"
import type * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Block from "../render/block.js"
import * as Format from "../render/format.js"
import * as Json from "../render/json.js"
import * as Live from "../render/live.js"
import * as Plain from "../render/plain.js"
import * as Runner from "../runner.js"
import { styleOf } from "./progress.js"

/** `--interval`: the pause between polls. */
export const interval = Shared.duration("interval", "The pause between two polls of a session (default 2s)").pipe(
  Options.withDefault(Duration.seconds(2))
)

const plain = Options.boolean("plain").pipe(
  Options.withDescription("Plain lines, one per change, even on a terminal (the default off a terminal)")
)

type Event =
  | { readonly _tag: "Progress"; readonly sessionId: string; readonly progress: Progress.SessionProgress }
  | { readonly _tag: "Status"; readonly sessionId: string; readonly status: SessionStatus.SessionStatus }
  | { readonly _tag: "Failed"; readonly sessionId: string; readonly error: Errors.CliError }

/** A session before its first snapshot. */
const waiting = (sessionId: string): Block.SessionView => ({
  sessionId,
  progress: undefined,
  status: undefined,
  error: undefined,
  confirming: true
})

/** The command. */
export const command = Command.make(
  "watch",
  {
    sessions: Args.text({ name: "session" }).pipe(Args.atLeast(1), Args.withDescription("One or more session ids")),
    interval,
    plain,
    ...Shared.api
  },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const ids = Array.from(new Set(args.sessions))
        const views = new Map(ids.map((id) => [id, waiting(id)]))
        const codes = new Map<string, ExitCodes.ExitCode>()
        const failures: Array<Errors.Described> = []
        const mode = args.json ? "json" : output.isTTY && !args.plain ? "live" : "plain"
        const live = mode === "live" ? yield* Live.make(output) : undefined
        const style = styleOf(output)
        const redraw = () =>
          live === undefined ? Effect.void : live.draw(ids.flatMap((id) => Block.lines(views.get(id)!, style)))

        const watchOne = (sessionId: string): Stream.Stream<Event> =>
          client.watchProgress(sessionId, { interval: args.interval }).pipe(
            Stream.map((progress): Event => ({ _tag: "Progress", sessionId, progress })),
            Stream.concat(
              Stream.fromEffect(
                Effect.map(Completion.confirmedStatus(client, sessionId, args.interval), (status): Event => ({
                  _tag: "Status",
                  sessionId,
                  status
                }))
              )
            ),
            Stream.catchAll((error) => Stream.succeed<Event>({ _tag: "Failed", sessionId, error }))
          )

        const handle = (event: Event) =>
          Effect.gen(function*() {
            const view = views.get(event.sessionId)!
            switch (event._tag) {
              case "Progress": {
                const previous = view.progress
                views.set(event.sessionId, { ...view, progress: event.progress })
                if (mode === "json") {
                  const line = JSON.stringify(Json.progress(event.progress))
                  if (previous === undefined || line !== JSON.stringify(Json.progress(previous))) {
                    yield* output.out(line)
                  }
                } else if (mode === "plain") {
                  for (const line of Plain.changes(previous, event.progress)) yield* output.out(line)
                }
                break
              }
              case "Status": {
                views.set(event.sessionId, { ...view, status: event.status })
                codes.set(
                  event.sessionId,
                  Format.hasFailedAccount(event.status) ? ExitCodes.accountFailed : ExitCodes.success
                )
                if (mode === "json") {
                  yield* output.out(JSON.stringify(Json.outcome(view.progress!, event.status, "polling")))
                } else if (mode === "plain") {
                  for (const line of Plain.outcome(event.sessionId, event.status)) yield* output.out(line)
                }
                break
              }
              case "Failed": {
                const described = Errors.describe(event.error)
                views.set(event.sessionId, { ...view, error: `${described.error}: ${described.message}` })
                codes.set(event.sessionId, described.exitCode)
                failures.push(described)
                if (mode !== "live") yield* output.err(Errors.text(described))
                if (mode === "json") yield* output.out(JSON.stringify(Errors.json(described)))
                break
              }
            }
            yield* redraw()
          })

        yield* redraw()
        yield* Stream.mergeAll(ids.map(watchOne), { concurrency: "unbounded" }).pipe(Stream.runForEach(handle))
        // the live view showed them in their blocks: the lines, with what to do, once it is done
        if (live !== undefined) { for (const failure of failures) yield* output.err(Errors.text(failure)) }
        return ExitCodes.combine(codes.values())
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Watches one or more sessions until every one completed: on a terminal, one block per session with a " +
    "progress bar per statement and its four stages, redrawn in place; off a terminal (or with --plain), a " +
    "line per change. Once a session completed, its accounts' outcomes (from the session status) with their " +
    "typed failures. Exits 0 when every account completed, 3 when one failed, 1 on an API or network error; " +
    "Ctrl-C stops it (exit 0)."
  ],
  [
    ["bankconnect watch 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "one session, live"],
    ["bankconnect watch s-1 s-2 s-3 --plain", "three sessions, a line per change"],
    ["bankconnect watch s-1 --json --interval 5s", "JSON lines, polling every 5 seconds"]
  ]
)))
