/**
 * A local BankConnect API on 127.0.0.1: the same paths, headers and bodies as the real
 * one, for a session's whole life (create, upload, upload status, initiate, progress,
 * session status, insights, reports, PDFs, delete), sessions scripted by {@link Scenario},
 * progress, expiries and links that move on Effect's `Clock` (so an in-process simulator
 * follows `TestClock`), webhook delivery with retries, and faults.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as Api from "./internal/api.js"
import * as Control from "./internal/control.js"
import * as Create from "./internal/create.js"
import * as Dates from "./internal/dates.js"
import * as Lifecycle from "./internal/lifecycle.js"
import * as Responses from "./internal/responses.js"
import { jsonBytes, Store } from "./internal/store.js"
import * as Timeline from "./internal/timeline.js"
import * as Webhooks from "./internal/webhooks.js"
import * as Limits from "./Limits.js"
import * as Scenario from "./Scenario.js"

/**
 * The webhook URL registered through `update_webhook` (one per server, as one per API key).
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookRegistration {
  readonly url: string
  /** 0: net-banking sessions only (the API's default); 1: all sessions. */
  readonly mode: 0 | 1
}

/**
 * One call the API received, after faults and authentication.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  /** When it arrived (Clock milliseconds). */
  readonly at: number
  readonly method: string
  /** The path, without the query. */
  readonly path: string
  readonly sessionId: string | undefined
  /** The status answered, or `"dropped"` when the connection was closed instead. */
  readonly status: number | "dropped"
  /** The fault the call met, if any. */
  readonly fault: "drop" | "error" | "rateLimit" | "nonJson" | undefined
  /**
   * Whether the credentials were right (never their values): both headers; for the create
   * call, the API key in the header or the body; for an upload, the `x-api-key` header; for a
   * report or PDF link, its signature.
   */
  readonly authorized: boolean
  /** The `error.code` answered, for an error with one. Since 0.3.0. */
  readonly errorCode?: string | undefined
  /**
   * The call's `x-simulator-client` header, if it has one: tests with several clients
   * (replicas, say) tell them apart in the log with it. Since 0.3.0.
   */
  readonly client?: string | undefined
}

/**
 * One attempt to deliver a webhook.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookAttempt {
  /** When the attempt ended (Clock milliseconds). */
  readonly at: number
  readonly sessionId: string
  /** The URL posted to; `null` when none was registered. */
  readonly url: string | null
  /** Which copy of the notification (1, or more with duplicates). */
  readonly copy: number
  /** 1 for the first attempt of a copy, then one more per retry. */
  readonly attempt: number
  readonly outcome: "delivered" | "failed" | "skipped"
  /** The receiver's status, when it answered. */
  readonly status?: number
  /** Why it failed or was skipped. */
  readonly detail?: string
  readonly payload: unknown
}

/**
 * Where a simulated session stands now.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionInfo {
  readonly sessionId: string
  readonly state: "not_requested" | "processing" | "completed" | "deleted"
  readonly accountIds: ReadonlyArray<string>
  readonly statementIds: ReadonlyArray<ReadonlyArray<string>>
  readonly createdAt: number
  /** When processing began, once it has. */
  readonly startedAt: number | undefined
  /** When the progress API shows it completed, once processing has begun. */
  readonly completesAt: number | undefined
  readonly scenario: Scenario.Scenario
  /** The customer id (`link_id`). Since 0.3.0. */
  readonly linkId?: string
  /** Where it came from: the API's create call, or a scenario. Since 0.3.0. */
  readonly origin?: "api" | "script"
  /** When an upload session stops taking uploads, unless processing was requested before. Since 0.3.0. */
  readonly expiresAt?: number | undefined
}

/**
 * How the simulated account answers, and what sessions made by the API's create call
 * follow. Set with the options, `setSettings` or `PUT /__simulator/settings`.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings {
  /**
   * The scenario of each session made by `POST /session/` (v1 or v2): its `uploads`,
   * `accounts` (outcomes by account order), `insights`, `webhook`, `stageMillis`... Its
   * `sessionId` and `state` are not used (a new id; the upload state). Default `{}`.
   */
  readonly scenario?: Scenario.Input | undefined
  /** The modes the account may create sessions in; another is 403 `MODE_NOT_ENABLED`. Default all three. */
  readonly enabledModes?: ReadonlyArray<"pdf" | "aa" | "online"> | undefined
  /** The account has no credit: create answers 402 `PAYMENT_REQUIRED`, upload 402 `TRIAL_PERIOD_EXPIRED`. */
  readonly outOfCredit?: boolean | undefined
  /**
   * The status of `DUPLICATE_PROCESSING_REQUEST`: 400 (2025 docs) or 409 (2024 docs). Default:
   * 400 for sessions made by the API, 409 for scripted ones (as 0.2 answered); a scenario's
   * `duplicateProcessingStatus` comes first.
   */
  readonly duplicateProcessingStatus?: 400 | 409 | undefined
}

/**
 * A scenario, faults or a session id the simulator cannot take.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScenarioError extends Schema.TaggedError<ScenarioError>()("ScenarioError", {
  message: Schema.String
}) {}

/**
 * The simulator could not start (the port is taken, say).
 *
 * @since 0.1.0
 * @category errors
 */
export class StartError extends Schema.TaggedError<StartError>()("StartError", {
  message: Schema.String
}) {}

/**
 * A running simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL a client takes, such as `http://127.0.0.1:4010/bank-connect`. */
  readonly baseUrl: string
  /** The server's origin, such as `http://127.0.0.1:4010`; control is under `/__simulator/`. */
  readonly url: string
  readonly port: number
  readonly apiKey: string
  readonly serverHash: string
  /**
   * Creates a session from a scenario (every field optional). Fails with `ScenarioError`
   * naming the limit past `Limits.maxSessions` sessions or `Limits.maxStoredSessionBytes`.
   */
  readonly createSession: (scenario?: Scenario.Input) => Effect.Effect<SessionInfo, ScenarioError>
  /** Every session, oldest first. */
  readonly sessions: Effect.Effect<ReadonlyArray<SessionInfo>>
  /** Where a session stands now. */
  readonly session: (sessionId: string) => Effect.Effect<Option.Option<SessionInfo>>
  /** Marks a session deleted: `SESSION_DELETED` from then on, and no webhook. */
  readonly deleteSession: (sessionId: string) => Effect.Effect<void, ScenarioError>
  /** Sets the faults of the calls whose session has none of its own. */
  readonly setFaults: (faults: typeof Scenario.Faults.Encoded) => Effect.Effect<void, ScenarioError>
  /** The registered webhook, if any. */
  readonly webhook: Effect.Effect<Option.Option<WebhookRegistration>>
  /** The calls received, oldest first (the newest `maxLogEntries`, at most `Limits.maxLogBytes` of them). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** The webhook delivery attempts, oldest first (the newest `maxLogEntries`, at most `Limits.maxLogBytes`). */
  readonly webhookAttempts: Effect.Effect<ReadonlyArray<WebhookAttempt>>
  /** Clears both logs. */
  readonly clearLogs: Effect.Effect<void>
  /** The settings now, with their defaults. Since 0.3.0. */
  readonly settings: Effect.Effect<Settings>
  /**
   * Changes the settings given, keeping the others. Fails with `ScenarioError` for an invalid
   * one (nothing changes then). Since 0.3.0.
   */
  readonly setSettings: (settings: Settings) => Effect.Effect<void, ScenarioError>
}

/**
 * The simulator service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Simulator extends Context.Tag("@effect-bankconnect/simulator/Simulator")<Simulator, Service>() {}

/**
 * The simulator's settings; every one has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Settings {
  /** Default 0: a free port chosen by the system. The command's default is 4010. */
  readonly port?: number | undefined
  /** Default `"127.0.0.1"`. */
  readonly host?: string | undefined
  /** The `x-api-key` it accepts. Default `"sim-api-key"`. */
  readonly apiKey?: string | undefined
  /** The `server-hash` it accepts. Default `"sim-server-hash"`. */
  readonly serverHash?: string | undefined
  /**
   * How a missing or wrong credential is answered: `"envelope"` (default), 403 with
   * `ACCESS_DENIED`; `"detail"`, 401 with DRF's `{"detail": ...}`.
   */
  readonly accessDenied?: "envelope" | "detail" | undefined
  /** Server-wide faults. Default none. */
  readonly faults?: typeof Scenario.Faults.Encoded | undefined
  readonly webhooks?: {
    /** Retries of a delivery answered with anything but 200. Default 3. */
    readonly retries?: number | undefined
    /** The first retry's wait, doubling after. Default `"1 second"`. */
    readonly backoff?: Duration.DurationInput | undefined
    /** The limit on one delivery attempt. Default `"5 seconds"`. */
    readonly timeout?: Duration.DurationInput | undefined
    /** Sent as the `x-secret-key` header when set. */
    readonly secret?: string | undefined
  } | undefined
  /**
   * Seeds the fault draws and (since 0.3.0) the ids the simulator makes (sessions, accounts,
   * statements) and the key its links are signed with, so a run can be repeated byte for
   * byte. Default random.
   */
  readonly seed?: number | undefined
  /**
   * How many entries each log keeps: an integer, 0 or more. Default 10,000
   * (`Limits.defaultMaxLogEntries`); each log also keeps at most `Limits.maxLogBytes`.
   */
  readonly maxLogEntries?: number | undefined
}

/**
 * The default credentials.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = { apiKey: "sim-api-key", serverHash: "sim-server-hash" } as const

const decodeWith = <A, I>(schema: Schema.Schema<A, I>, what: string) => {
  const decode = Schema.decodeUnknown(schema, { onExcessProperty: "error" })
  return (input: unknown) =>
    Effect.mapError(
      decode(input),
      (error) => new ScenarioError({ message: `Invalid ${what}: ${Responses.formatParseError(error)}` })
    )
}

const decodeScenario = decodeWith(Scenario.Scenario, "scenario")
const decodeFaults = decodeWith(Scenario.Faults, "faults")
const decodeMaxLogEntries = decodeWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), "maxLogEntries")

/** Room for what changes in a session's listing after it is created: its state, start and end. */
const sessionSlack = 100

const infoOf = (session: Timeline.Session, now: number): SessionInfo => {
  const completesAt = Timeline.completesAt(session)
  const intake = session.intake
  const uploaded = intake !== undefined && session.startedAt === undefined
    ? Lifecycle.intakeGroups(intake)
    : undefined
  return {
    sessionId: session.id,
    state: session.deleted
      ? "deleted"
      : session.startedAt === undefined
      ? "not_requested"
      : completesAt !== undefined && now >= completesAt
      ? "completed"
      : "processing",
    accountIds: uploaded === undefined ? session.accountIds : uploaded.map((g) => g.account.id),
    statementIds: uploaded === undefined
      ? session.statementIds
      : uploaded.map((g) => g.statements.map((statement) => statement.id)),
    createdAt: session.createdAt,
    startedAt: session.startedAt,
    completesAt,
    scenario: session.scenario,
    linkId: session.linkId,
    origin: session.origin,
    expiresAt: intake?.expiresAt
  }
}

const allModes = ["pdf", "aa", "online"] as const

const decodeModes = decodeWith(
  Schema.Array(Schema.Literal(...allModes)).pipe(Schema.maxItems(allModes.length)),
  "enabledModes"
)
const decodeDuplicateStatus = decodeWith(Schema.UndefinedOr(Schema.Literal(400, 409)), "duplicateProcessingStatus")
const decodeOutOfCredit = decodeWith(Schema.Boolean, "outOfCredit")

/**
 * Starts a simulator for the life of the scope, with a webhook client of its own.
 *
 * @example
 * ```ts
 * import { Simulator } from "@effect-bankconnect/simulator"
 * import { Effect } from "effect"
 *
 * const progress = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
 *   const sim = yield* Simulator.make()
 *   const { sessionId } = yield* sim.createSession({ accounts: [{ statements: 2 }] })
 *   const response = yield* Effect.promise(() =>
 *     fetch(`${sim.baseUrl}/v1/session_data/${sessionId}/progress/`, {
 *       headers: { "x-api-key": sim.apiKey, "server-hash": sim.serverHash }
 *     })
 *   )
 *   return yield* Effect.promise(() => response.json())
 * })))
 *
 * assert.strictEqual(progress.progress.length, 2)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, StartError | ScenarioError, Scope.Scope> =>
  Effect.gen(function*() {
    const apiKey = options.apiKey ?? defaults.apiKey
    const serverHash = options.serverHash ?? defaults.serverHash
    let scenarioInput: Scenario.Input = options.scenario ?? {}
    const store = new Store({
      faults: yield* decodeFaults(options.faults ?? {}),
      seed: options.seed,
      maxLogEntries: yield* decodeMaxLogEntries(options.maxLogEntries ?? Limits.defaultMaxLogEntries),
      settings: {
        scenario: yield* decodeScenario(scenarioInput),
        enabledModes: yield* decodeModes(options.enabledModes ?? allModes),
        outOfCredit: yield* decodeOutOfCredit(options.outOfCredit ?? false),
        duplicateProcessingStatus: yield* decodeDuplicateStatus(options.duplicateProcessingStatus)
      }
    })
    const webhooks = Webhooks.make(
      store,
      yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer),
      yield* FiberMap.make<string>(),
      {
        retries: Math.max(0, Math.floor(options.webhooks?.retries ?? 3)),
        backoff: Duration.decode(options.webhooks?.backoff ?? "1 second"),
        timeout: Duration.decode(options.webhooks?.timeout ?? "5 seconds"),
        secret: options.webhooks?.secret
      }
    )

    /** Keeps a new session, within the limits, and schedules its webhooks. */
    const register = (session: Timeline.Session) =>
      Effect.gen(function*() {
        if (store.sessions.has(session.id)) {
          return yield* new ScenarioError({ message: `Session ${session.id} already exists` })
        }
        if (store.sessions.size >= Limits.maxSessions) {
          return yield* new ScenarioError({
            message: `The simulator keeps at most ${Limits.maxSessions} sessions (Limits.maxSessions); ` +
              "restart it for more"
          })
        }
        const info = infoOf(session, session.createdAt)
        const bytes = jsonBytes(info) + sessionSlack
        if (store.sessionBytes + bytes > Limits.maxStoredSessionBytes) {
          return yield* new ScenarioError({
            message: `The sessions kept would take more than ${Limits.maxStoredSessionBytes} bytes ` +
              `(Limits.maxStoredSessionBytes); this one takes ${bytes}, ${store.sessionBytes} are taken`
          })
        }
        store.sessions.set(session.id, session)
        store.sessionBytes += bytes
        if (!session.deleted) {
          yield* webhooks.schedule(session)
          yield* webhooks.scheduleExpiry(session)
        }
        return info
      })

    /** A new session of `scenario` at `now`; `request` for one made by the API's create call. */
    const newSession = (
      scenario: Scenario.Scenario,
      now: number,
      request: Create.CreateRequest | undefined
    ): Timeline.Session => {
      const today = Dates.dayAt(now)
      const window = request !== undefined
        ? { from: request.from, to: request.to }
        : scenario.dateRange !== undefined
        ? {
          from: Dates.parseIsoDay(scenario.dateRange.fromDate) ?? today,
          to: Dates.parseIsoDay(scenario.dateRange.toDate) ?? today
        }
        : { from: Dates.minusMonths(today, 6), to: today }
      const uploads = request !== undefined || scenario.state === "upload"
      const minutes = request?.expiryMinutes ?? scenario.expiryMinutes ?? Create.defaultExpiryMinutes
      return {
        id: (request === undefined ? scenario.sessionId : undefined) ?? store.uuid(),
        scenario,
        accountIds: uploads ? [] : scenario.accounts.map(() => store.uuid()),
        statementIds: uploads
          ? []
          : scenario.accounts.map((account) => Array.from({ length: account.statements }, () => store.uuid())),
        createdAt: now,
        startedAt: scenario.state === "processing" && !uploads ? now : undefined,
        deleted: scenario.state === "deleted" && request === undefined,
        origin: request === undefined ? "script" : "api",
        linkId: request?.linkId ?? scenario.linkId ?? "simulator",
        window,
        intake: uploads
          ? {
            mode: request?.mode ?? "pdf",
            bankName: request?.bankName,
            redirectUrl: request?.redirectUrl,
            expiresAt: now + minutes * 60_000,
            examined: 0,
            accounts: [],
            statements: [],
            completedAt: undefined,
            bytes: 0
          }
          : undefined,
        unparsable: undefined
      }
    }

    const createSession = (input: Scenario.Input = {}) =>
      Effect.gen(function*() {
        const scenario = yield* decodeScenario(input)
        return yield* register(newSession(scenario, yield* Clock.currentTimeMillis, undefined))
      })

    const createFromApi = (request: Create.CreateRequest) =>
      Effect.gen(function*() {
        const session = newSession(
          { ...store.settings.scenario, state: "upload" },
          yield* Clock.currentTimeMillis,
          request
        )
        yield* Effect.mapError(register(session), (error) => error.message)
        return session
      })

    const session = (sessionId: string) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => Option.map(Option.fromNullable(store.sessions.get(sessionId)), (s) => infoOf(s, now))
      )

    /** Marks a session deleted, stops its webhooks and drops its PDFs. */
    const remove = (sessionId: string) =>
      Effect.gen(function*() {
        store.update(sessionId, (s) => ({ ...s, deleted: true }))
        const intake = store.sessions.get(sessionId)?.intake
        if (intake !== undefined) {
          for (const statement of intake.statements) statement.bytes = undefined
          store.uploadBytes -= intake.bytes
          intake.bytes = 0
        }
        yield* webhooks.cancel(sessionId)
      })

    const deleteSession = (sessionId: string) =>
      Effect.gen(function*() {
        if (!store.sessions.has(sessionId)) return yield* new ScenarioError({ message: `No session ${sessionId}` })
        yield* remove(sessionId)
      })

    const initiate = (sessionId: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const current = store.sessions.get(sessionId)
        if (current === undefined) return
        const intake = current.intake
        let started: Timeline.Session = { ...current, startedAt: now }
        if (intake !== undefined) {
          // the uploads become the accounts and statements that processing runs on
          const groups = Lifecycle.intakeGroups(intake)
          const accounts = groups.map(({ account, statements }, i) =>
            Scenario.Account.make({
              statements: statements.length,
              bankName: account.bankName,
              source: intake.mode === "online" ? "online" : "pdf",
              outcome: Lifecycle.intakeOutcome(current, i, statements)
            })
          )
          started = {
            ...started,
            scenario: { ...current.scenario, accounts: accounts as unknown as Scenario.Scenario["accounts"] },
            accountIds: groups.map((g) => g.account.id),
            statementIds: groups.map((g) => g.statements.map((statement) => statement.id)),
            unparsable: new Set(intake.statements.filter((st) => st.unparsable).map((st) => st.id))
          }
        }
        store.sessions.set(sessionId, started)
        if (intake !== undefined) {
          yield* webhooks.cancelExpiry(sessionId)
          if (intake.completedAt === undefined) {
            intake.completedAt = now
            yield* webhooks.notifyCompletion(sessionId)
          }
        }
        yield* webhooks.schedule(started)
      })

    const uploaded = (sessionId: string) =>
      Effect.gen(function*() {
        const current = store.sessions.get(sessionId)
        const intake = current?.intake
        if (current === undefined || intake === undefined || intake.completedAt !== undefined) return
        if (!Lifecycle.requirementMet(current)) return
        intake.completedAt = yield* Clock.currentTimeMillis
        yield* webhooks.notifyCompletion(sessionId)
      })

    const setSettings = (settings: Settings) =>
      Effect.gen(function*() {
        const scenario = settings.scenario === undefined ? undefined : yield* decodeScenario(settings.scenario)
        const enabledModes = settings.enabledModes === undefined ? undefined : yield* decodeModes(settings.enabledModes)
        const outOfCredit = settings.outOfCredit === undefined
          ? undefined
          : yield* decodeOutOfCredit(settings.outOfCredit)
        const duplicate = settings.duplicateProcessingStatus === undefined
          ? undefined
          : yield* decodeDuplicateStatus(settings.duplicateProcessingStatus)
        if (settings.scenario !== undefined) scenarioInput = settings.scenario
        store.settings = {
          scenario: scenario ?? store.settings.scenario,
          enabledModes: enabledModes ?? store.settings.enabledModes,
          outOfCredit: outOfCredit ?? store.settings.outOfCredit,
          duplicateProcessingStatus: duplicate ?? store.settings.duplicateProcessingStatus
        }
      })

    const context = yield* Layer.build(
      NodeHttpServer.layer(createServer, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 })
    ).pipe(
      Effect.mapError((error) => new StartError({ message: `The simulator could not start: ${error.message}` }))
    )
    const server = Context.get(context, HttpServer.HttpServer)
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const url = `http://${options.host ?? "127.0.0.1"}:${port}`

    const service: Service = {
      baseUrl: `${url}/bank-connect`,
      url,
      port,
      apiKey,
      serverHash,
      createSession,
      sessions: Effect.map(
        Clock.currentTimeMillis,
        (now) => Array.from(store.sessions.values(), (s) => infoOf(s, now))
      ),
      session,
      deleteSession,
      setFaults: (faults) =>
        Effect.map(decodeFaults(faults), (decoded) => {
          store.faults = decoded
        }),
      webhook: Effect.sync(() => Option.fromNullable(store.webhook)),
      requests: Effect.sync(() => store.requests.all()),
      webhookAttempts: Effect.sync(() => store.webhookAttempts.all()),
      clearLogs: Effect.sync(() => {
        store.requests.clear()
        store.webhookAttempts.clear()
      }),
      settings: Effect.sync(() => ({
        scenario: scenarioInput,
        enabledModes: store.settings.enabledModes,
        outOfCredit: store.settings.outOfCredit,
        duplicateProcessingStatus: store.settings.duplicateProcessingStatus
      })),
      setSettings
    }

    const app = Control.router(service).pipe(
      Api.withRoutes({
        store,
        apiKey,
        serverHash,
        accessDenied: options.accessDenied ?? "envelope",
        origin: url,
        initiate,
        create: createFromApi,
        uploaded,
        remove
      }),
      Responses.withFallbacks
    )
    // the server's own spans record request headers: keep the credentials out of them
    yield* Effect.locallyWith(
      server.serve(app),
      Headers.currentRedactedNames,
      (names) => [...names, "x-api-key", "server-hash"]
    )
    return service
  })

/**
 * The simulator as a layer: started when the layer is built, stopped when it is released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Simulator, StartError | ScenarioError> =>
  Layer.scoped(Simulator, make(options))
