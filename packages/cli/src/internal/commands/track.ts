/**
 * `bankconnect track add|list|remove|run`: the fleet tracker (`@effect-bankconnect/tracker`)
 * on its libsql store. `add`, `list` and `remove` read and write the store through a
 * tracker that never polls (no credentials needed); `run` runs the tracker on the store,
 * printing each event, webhook first with `--listen`, until Ctrl-C or, with `--until-done`,
 * until no session is left tracking.
 *
 * The tracker's modules (and `@effect/sql`, libsql) are loaded when a `track` command runs:
 * the other commands never load them.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as WebhookServer from "@effect-bankconnect/client/WebhookServer"
import type * as Tracker from "@effect-bankconnect/tracker/Tracker"
import type * as TrackerError from "@effect-bankconnect/tracker/TrackerError"
import type * as TrackerEvent from "@effect-bankconnect/tracker/TrackerEvent"
import type * as TrackerStore from "@effect-bankconnect/tracker/TrackerStore"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Credentials from "../credentials.js"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Render from "../render/tracker.js"
import * as Runner from "../runner.js"
import { interval } from "./watch.js"

/** The tracker's modules, loaded when a `track` command runs. */
const load = Effect.promise(async () => {
  const [Tracker, SqlTrackerStore, TrackerStore, RateLimit] = await Promise.all([
    import("@effect-bankconnect/tracker/Tracker"),
    import("@effect-bankconnect/tracker/SqlTrackerStore"),
    import("@effect-bankconnect/tracker/TrackerStore"),
    import("@effect-bankconnect/tracker/RateLimit")
  ])
  return { Tracker, SqlTrackerStore, TrackerStore, RateLimit }
})

type Modules = Effect.Effect.Success<typeof load>

// --- options

const db = Options.text("db").pipe(
  Options.withPseudoName("URL"),
  Options.withDescription(
    "The tracker's database: a libsql URL (file:tracker.db, :memory:) or a file path (default: " +
      "BANKCONNECT_TRACKER_DATABASE_URL, else file:bankconnect-tracker.db, in the current directory)"
  ),
  Options.optional
)

const sessions = Args.text({ name: "session" }).pipe(Args.atLeast(1), Args.withDescription("One or more session ids"))

const reference = Options.text("reference").pipe(
  Options.withPseudoName("REF"),
  Options.withDescription("Your reference for the sessions (an application id, say), carried on every event"),
  Options.optional
)

const deadline = Shared.duration(
  "deadline",
  "Give up on each session this long from now (it ends timed_out; `track run` exits 4), such as 2h"
).pipe(Options.optional)

const states = ["tracking", "completed", "failed", "timed_out", "untracked"] as const

const state = Options.choice("state", states).pipe(
  Options.withDescription("Only the sessions in this state"),
  Options.optional
)

const listen = Shared.portValue(
  "listen",
  `Run a webhook receiver on PORT (default ${Shared.defaultWebhookPort}; 0 picks a free one) and take each ` +
    "session's ENRICHMENT_NOTIFICATION first, polling every --fallback-interval as the fallback"
).pipe(Options.optional)

const fallbackInterval = Shared.duration(
  "fallback-interval",
  "With --listen: the pause between two polls of a session while webhooks tell of completion"
).pipe(Options.withDefault(Duration.seconds(30)))

const untilDone = Options.boolean("until-done").pipe(
  Options.withDescription(
    "Stop once no session is left tracking, with the exit code of every outcome (0, 3, 1, 4)"
  )
)

// --- the store

/** A value without a scheme is a file path. */
const asUrl = (text: string): string => text === ":memory:" || /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `file:${text}`

/** The database's URL: `--db`, else `SqlTrackerStore.config`. */
const databaseUrl = (modules: Modules, flag: Option.Option<string>) =>
  Effect.gen(function*() {
    const text = Option.isSome(flag) ? flag.value : yield* Effect.mapError(
      modules.SqlTrackerStore.config,
      (error) => new Errors.UsageError({ message: `BANKCONNECT_TRACKER_DATABASE_URL: ${error.message}` })
    )
    if (text.trim() === "") {
      return yield* new Errors.UsageError({ message: "--db: expected a database URL or a file path, got nothing" })
    }
    return asUrl(text.trim())
  })

/** The store for the life of the scope; a failure's cause is in the `--verbose` log. */
const openStore = (modules: Modules, url: string) =>
  Layer.build(modules.SqlTrackerStore.layerLibsql({ url })).pipe(
    Effect.map((context) => Context.get(context, modules.TrackerStore.TrackerStore))
  )

/** Logs a store failure's cause (the database's own error) at debug level: `--verbose` shows it. */
const logStoreCause = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.tapError(
    effect,
    (error) =>
      error._tag === "TrackerStoreError" && (error as unknown as TrackerError.TrackerStoreError).cause !== undefined
        ? Effect.logDebug(
          "bankconnect: the tracker's store failed",
          Cause.die((error as unknown as TrackerError.TrackerStoreError).cause)
        )
        : Effect.void
  )

/** The modules, the database's URL and its store, for a command's work. */
const withStore = <A, R>(
  flag: Option.Option<string>,
  work: (modules: Modules, store: TrackerStore.Service, url: string) => Effect.Effect<A, Errors.CliError, R>
): Effect.Effect<A, Errors.CliError, R | Scope.Scope> =>
  Effect.gen(function*() {
    const modules = yield* load
    const url = yield* databaseUrl(modules, flag)
    const store = yield* openStore(modules, url)
    return yield* work(modules, store, url)
  }).pipe(logStoreCause)

/**
 * A client that never sends: `add`, `list` and `remove` go through a tracker (so that a
 * track writes the `Tracked` event the tracker expects), which needs a client, but theirs
 * never polls.
 */
const offlineClient = BankConnectClient.layer({
  apiKey: Redacted.make("offline-never-sent"),
  serverHash: Redacted.make("offline-never-sent")
}).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.never))))

/**
 * A tracker on the store that never polls in the life of a command: its first polls are
 * spread over ten years. It tracks, untracks and lists; `track run` polls.
 */
const storeTracker = (modules: Modules, store: TrackerStore.Service) =>
  modules.Tracker.make({ interval: Duration.days(3650) }).pipe(
    Effect.provideService(modules.TrackerStore.TrackerStore, store),
    Effect.provide(offlineClient)
  )

// --- add

const add = Command.make(
  "add",
  { sessions, reference, deadline, db, ...Shared.local },
  (args) =>
    Runner.run(
      args,
      withStore(args.db, (modules, store, url) =>
        Effect.gen(function*() {
          const output = yield* Output
          const tracker = yield* storeTracker(modules, store)
          const ids = Array.from(new Set(args.sessions))
          const before = yield* Effect.forEach(ids, (id) => tracker.get(id))
          const tracked = yield* tracker.trackAll(ids.map((sessionId) => ({
            sessionId,
            reference: Option.getOrUndefined(args.reference),
            deadline: Option.getOrUndefined(args.deadline)
          })))
          let added = 0
          for (let i = 0; i < tracked.length; i++) {
            const session = tracked[i]!
            const previous = before[i]!
            const isNew = Option.isNone(previous) || previous.value.state === "untracked"
            if (isNew) added++
            if (args.json) {
              yield* output.out(JSON.stringify({
                type: "added",
                session_id: session.sessionId,
                added: isNew,
                state: session.state,
                reference: session.reference,
                deadline: session.deadline === null ? null : DateTime.formatIso(session.deadline)
              }))
            } else if (isNew) {
              yield* output.out(
                `tracking session ${session.sessionId}${session.reference === null ? "" : ` (${session.reference})`}${
                  session.deadline === null ? "" : `, deadline ${DateTime.formatIso(session.deadline)}`
                }`
              )
            } else {
              yield* output.out(
                `session ${session.sessionId} is already in the store (${session.state}): left as it is`
              )
            }
          }
          if (!args.json && added > 0) {
            yield* output.err(`stored in ${url}; \`bankconnect track run\` polls them`)
          }
          return ExitCodes.success
        }))
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Adds sessions to the tracker's store (a libsql database: --db, or BANKCONNECT_TRACKER_DATABASE_URL, " +
    "default file:bankconnect-tracker.db) and exits; `bankconnect track run` polls them, and picks up sessions " +
    "added while it runs. Adding a session already in the store leaves it as it is; an untracked one is " +
    "tracked again. Needs no credentials: nothing is sent to the API."
  ],
  [
    ["bankconnect track add 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11 --reference application-42", "one session"],
    ["bankconnect track add s-1 s-2 --deadline 2h --db file:/var/lib/bankconnect/tracker.db", "two, for 2 hours"]
  ]
)))

// --- list

const list = Command.make(
  "list",
  { state, db, ...Shared.local },
  (args) =>
    Runner.run(
      args,
      withStore(args.db, (modules, store, url) =>
        Effect.gen(function*() {
          const output = yield* Output
          const tracker = yield* storeTracker(modules, store)
          const only = Option.getOrUndefined(args.state)
          let after: string | undefined = undefined
          let count = 0
          do {
            const page: Tracker.Page = yield* tracker.list({ state: only, after, limit: 1000 })
            for (const session of page.sessions) {
              count++
              yield* output.out(args.json ? JSON.stringify(Render.sessionJson(session)) : Render.sessionLine(session))
            }
            after = page.next
          } while (after !== undefined)
          if (count === 0 && !args.json) {
            yield* output.err(`no sessions${only === undefined ? "" : ` ${only}`} in ${url}`)
          }
          return ExitCodes.success
        }))
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Lists the sessions in the tracker's store, by session id: each one's state (tracking, completed, failed, " +
    "timed_out, untracked), reference, latest progress, and outcome."
  ],
  [
    ["bankconnect track list", "every session"],
    ["bankconnect track list --state failed --json", "the failed ones, as JSON lines"]
  ]
)))

// --- remove

const remove = Command.make(
  "remove",
  { sessions, db, ...Shared.local },
  (args) =>
    Runner.run(
      args,
      withStore(args.db, (modules, store) =>
        Effect.gen(function*() {
          const output = yield* Output
          const tracker = yield* storeTracker(modules, store)
          for (const id of new Set(args.sessions)) {
            const previous = yield* tracker.get(id)
            const untracked = yield* tracker.untrack(id)
            const was = Option.getOrNull(Option.map(previous, (session) => session.state))
            if (args.json) {
              yield* output.out(JSON.stringify({ type: "removed", session_id: id, untracked, previous_state: was }))
            } else {
              yield* output.out(
                untracked
                  ? `untracked session ${id} (its state was ${was})`
                  : was === null
                  ? `session ${id} is not in the store: nothing to untrack`
                  : `session ${id} was already untracked`
              )
            }
          }
          return ExitCodes.success
        }))
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Stops tracking sessions: they are no longer polled (a running `bankconnect track run` notices within " +
    "about an interval) and emit no more events. Their records stay in the store, untracked; `track add` " +
    "tracks one again. A session not in the store is not an error."
  ],
  [["bankconnect track remove 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "stop tracking one session"]]
)))

// --- run

/** Every session tracking in the store, by id. */
const trackingIds = (store: TrackerStore.Service) =>
  Effect.gen(function*() {
    const ids = new Set<string>()
    let after: string | undefined = undefined
    while (true) {
      const page: ReadonlyArray<TrackerStore.SessionRecord> = yield* store.list({
        state: "tracking",
        after,
        limit: 1000
      })
      for (const record of page) ids.add(record.sessionId)
      if (page.length < 1000) return ids
      after = page[page.length - 1]!.sessionId
    }
  })

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

const isOutcome = (event: TrackerEvent.TrackerEvent): event is TrackerEvent.Outcome =>
  event._tag === "Completed" || event._tag === "Failed" || event._tag === "TimedOut"

const runCommand = Command.make(
  "run",
  {
    interval,
    listen,
    host: Shared.host,
    secret: Shared.secret,
    fallbackInterval,
    untilDone,
    db,
    ...Shared.api
  },
  (args) =>
    Runner.run(
      args,
      Effect.gen(function*() {
        const output = yield* Output
        if (Option.isSome(args.secret)) yield* output.addSecret(Redacted.value(args.secret.value))
        const modules = yield* load
        const client = yield* Credentials.clientLayer(args, modules.RateLimit.observe)
        return yield* withStore(args.db, (_, store, url) =>
          Effect.gen(function*() {
            const printed = new Set<string>()
            const codes: Array<ExitCodes.ExitCode> = []
            const tally = { completed: 0, accountFailed: 0, failed: 0, timedOut: 0, untracked: 0 }
            const emit = (lines: ReadonlyArray<string>, at: DateTime.Utc) =>
              output.out(lines.map((line, i) => `${i === 0 ? Render.clock(at) : "        "} ${line}`).join("\n"))

            // the tracker's handler: every event, at least once, after it is stored (so none is
            // lost to a restart); each printed once in this process
            const handler = (event: TrackerEvent.TrackerEvent) =>
              Effect.suspend(() => {
                if (printed.has(event.id)) return Effect.void
                printed.add(event.id)
                if (isOutcome(event)) {
                  const code = Render.exitCodeOf(event)
                  codes.push(code)
                  if (event._tag === "Completed") tally.completed++
                  if (code === ExitCodes.accountFailed) tally.accountFailed++
                  if (event._tag === "Failed") tally.failed++
                  if (event._tag === "TimedOut") tally.timedOut++
                }
                return args.json ? output.out(JSON.stringify(Render.json(event))) : emit(Render.lines(event), event.at)
              })

            let current: Tracker.Service | undefined = undefined
            const server = Option.isNone(args.listen) ? undefined : yield* WebhookServer.serve({
              port: args.listen.value,
              host: args.host,
              secret: Option.getOrUndefined(args.secret),
              onEvent: (event) => current === undefined ? Effect.void : current.onEvent(event)
            })
            if (server !== undefined && args.json) {
              yield* output.out(JSON.stringify({ type: "listening", url: server.url, port: server.port }))
            }

            // picks up sessions added by `track add` meanwhile, and notices `track remove`
            const tick = Duration.clamp(args.interval, { minimum: Duration.millis(200), maximum: Duration.seconds(2) })

            const generation = (known: Set<string>) =>
              Effect.gen(function*() {
                const tracker = yield* modules.Tracker.make({
                  interval: args.interval,
                  fallbackInterval: server === undefined ? undefined : args.fallbackInterval,
                  handler
                })
                current = tracker
                yield* Effect.addFinalizer(() =>
                  Effect.sync(() => {
                    current = undefined
                  })
                )
                if (server !== undefined) {
                  yield* tracker.attachReceiver
                  // a webhook that came while the tracker restarted
                  for (const id of known) {
                    const kept = yield* server.latestEnrichment(id)
                    if (Option.isSome(kept)) yield* tracker.onEvent(kept.value)
                  }
                }
                while (true) {
                  yield* Effect.sleep(tick)
                  const tracking = yield* trackingIds(store)
                  for (const id of tracking) if (!known.has(id)) return "restart" as const
                  for (const id of known) {
                    if (tracking.has(id)) continue
                    known.delete(id)
                    const record = yield* store.get(id)
                    if (Option.isNone(record) || record.value.state !== "untracked") continue
                    // untracked by `track remove`: this tracker stops polling it too
                    yield* tracker.untrack(id)
                    tally.untracked++
                    const at = DateTime.unsafeMake(record.value.updatedAt)
                    yield* args.json
                      ? output.out(JSON.stringify({
                        type: "untracked",
                        session_id: id,
                        reference: record.value.reference,
                        at: DateTime.formatIso(at)
                      }))
                      : emit([
                        `session ${id}${
                          record.value.reference === null ? "" : ` (${record.value.reference})`
                        }: untracked (track remove), no longer polled`
                      ], at)
                  }
                  if (args.untilDone && tracking.size === 0 && (yield* store.outboxCounts).pending === 0) {
                    return "done" as const
                  }
                }
              }).pipe(
                Effect.provideService(modules.TrackerStore.TrackerStore, store),
                Effect.scoped
              )

            let first = true
            while (true) {
              const known = yield* trackingIds(store)
              if (first) {
                first = false
                if (args.untilDone && known.size === 0 && (yield* store.outboxCounts).pending === 0) {
                  yield* output.err(`no session is tracking in ${url}: nothing to do (add some with \`track add\`)`)
                  return ExitCodes.success
                }
                // refused credentials would end every session failed (an API error code): one call first
                const probe = known.values().next()
                if (probe.done !== true) {
                  const api = yield* BankConnectClient.BankConnectClient
                  yield* api.getProgress(probe.value).pipe(
                    Effect.catchAll((error) => error._tag === "AccessDenied" ? Effect.fail(error) : Effect.void)
                  )
                }
                if (!args.json) {
                  const polling = server === undefined
                    ? `polling every ${Duration.format(args.interval)}`
                    : `webhooks on ${server.url}, polling every ${
                      Duration.format(args.fallbackInterval)
                    } as the fallback`
                  yield* output.err(
                    `tracking ${plural(known.size, "session")} in ${url}: ${polling}; ${
                      args.untilDone ? "until none is left tracking" : "Ctrl-C stops it"
                    }`
                  )
                }
              } else if (!args.json) {
                yield* output.err(`sessions were added: tracking ${plural(known.size, "session")}`)
              }
              const outcome: "restart" | "done" = yield* generation(known)
              if (outcome === "done") break
            }
            const code = ExitCodes.combine(codes)
            if (args.json) {
              yield* output.out(JSON.stringify({
                type: "done",
                completed: tally.completed,
                account_failed: tally.accountFailed,
                failed: tally.failed,
                timed_out: tally.timedOut,
                untracked: tally.untracked,
                exit_code: code
              }))
            } else {
              yield* output.out(
                `done, no session left tracking: ${tally.completed} completed (${tally.accountFailed} with a failed ` +
                  `account), ${tally.failed} failed, ${tally.timedOut} timed out${
                    tally.untracked === 0 ? "" : `, ${tally.untracked} untracked`
                  }`
              )
            }
            return code
          }).pipe(Effect.provide(client)))
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Runs the fleet tracker on its store: one scheduler polls every session tracking (every --interval), a " +
    "429 pauses them all, and each change is stored with its events, printed as they are stored: a session's " +
    "progress, its completion with each account's typed failure, its failure (an API error), its deadline " +
    "passing. With --listen it runs a webhook receiver, so completion comes webhook first (register its public " +
    "URL with `bankconnect webhook set`). Sessions added or removed with `track add` / `track remove` while it " +
    "runs are picked up within about an interval. Ctrl-C stops it (exit 0); with --until-done it stops once no " +
    "session is left tracking: exit 0 when every account of every session completed, 3 when one failed, 1 " +
    "when a session failed, 4 when one timed out. Needs the credentials, as the other API commands."
  ],
  [
    ["bankconnect track run", "poll every 2 seconds until Ctrl-C"],
    ["bankconnect track run --until-done --json", "until every session ended, JSON lines; exit 0, 3, 1 or 4"],
    [
      "bankconnect track run --listen 8080 --secret \"$WEBHOOK_SECRET\" --fallback-interval 1m",
      "webhook first, polling every minute as the fallback"
    ]
  ]
)))

/** The command: `track` and its subcommands. */
export const command = Command.make("track", {}, () =>
  Runner.run(
    { json: false, verbose: false },
    Effect.fail(
      new Errors.UsageError({
        message: "a subcommand is missing: add, list, remove or run",
        hint: "see bankconnect track --help"
      })
    )
  )).pipe(
    Command.withDescription(Help.describe(
      [
        "The fleet tracker (@effect-bankconnect/tracker) on its libsql store: add sessions, list and remove " +
        "them, and run the tracker, which polls them all on one scheduler (webhook first with --listen) and " +
        "prints each event. The store is --db, or BANKCONNECT_TRACKER_DATABASE_URL, default " +
        "file:bankconnect-tracker.db. One `track run` per store."
      ],
      [
        ["bankconnect track add s-1 s-2 --reference application-42", "add two sessions"],
        ["bankconnect track run --until-done", "poll them until both ended"],
        ["bankconnect track list --json", "where each stands, as JSON lines"]
      ]
    )),
    Command.withSubcommands([add, list, remove, runCommand])
  )
