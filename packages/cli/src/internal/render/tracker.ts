/**
 * The fleet tracker's sessions and events in words and as JSON lines: what `track list`
 * prints for each stored session and `track run` for each event. Types only from the
 * tracker package, which the `track` commands load when they run.
 */
import * as Progress from "@effect-bankconnect/client/Progress"
import type * as TrackedSession from "@effect-bankconnect/tracker/TrackedSession"
import type * as TrackerEvent from "@effect-bankconnect/tracker/TrackerEvent"
import * as DateTime from "effect/DateTime"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Format from "./format.js"
import * as Json from "./json.js"

const iso = (at: DateTime.Utc | null): string | null => (at === null ? null : DateTime.formatIso(at))

/** `14:02:07`: an event's time on this machine's clock. */
export const clock = (at: DateTime.Utc): string => new Date(DateTime.toEpochMillis(at)).toTimeString().slice(0, 8)

/** Whether an account of the outcome failed. */
const accountFailed = (account: TrackerEvent.AccountOutcome) => account.status === "failed" || account.failure !== null

/** Whether a completed session has a failed account. */
export const hasFailedAccount = (event: TrackerEvent.Completed): boolean => event.accounts.some(accountFailed)

/** The exit code an outcome stands for: 0, 3 (a failed account), 1 (`Failed`), 4 (`TimedOut`). */
export const exitCodeOf = (outcome: TrackerEvent.Outcome): ExitCodes.ExitCode => {
  switch (outcome._tag) {
    case "Completed":
      return hasFailedAccount(outcome) ? ExitCodes.accountFailed : ExitCodes.success
    case "Failed":
      return ExitCodes.failure
    case "TimedOut":
      return ExitCodes.deadlinePassed
  }
}

/** `session s-1 (application-42)`. */
const sessionName = (sessionId: string, reference: string | null) =>
  `session ${sessionId}${reference === null ? "" : ` (${reference})`}`

const accountLine = (account: TrackerEvent.AccountOutcome) => {
  const failure = account.failure
  return `  account ${Format.accountName({ account_id: account.accountId, bank_name: account.bankName })}: ${
    failure === null ? account.status : `failed ${Format.describeFailure(failure)}`
  }`
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

/**
 * A snapshot in a few words, with each statement's stages done:
 * `processing, 2 statements (1 completed, 1 running), stages 4/4 2/4`.
 */
const progressText = (progress: Progress.SessionProgress) =>
  `${progress.session_progress}, ${Format.counts(progress)}${
    progress.progress.length === 0
      ? ""
      : `, stages ${progress.progress.map((statement) => `${Format.stagesDone(statement)}/4`).join(" ")}`
  }`

/** An event in words: a head line, and for `Completed` a line per account. */
export const lines = (event: TrackerEvent.TrackerEvent): ReadonlyArray<string> => {
  const name = sessionName(event.sessionId, event.reference)
  switch (event._tag) {
    case "Tracked":
      return [`${name}: tracked${event.deadline === null ? "" : `, deadline ${DateTime.formatIso(event.deadline)}`}`]
    case "ProgressChanged":
      return [`${name}: ${progressText(event.progress)}`]
    case "Completed":
      return [
        `${name}: ${hasFailedAccount(event) ? "completed with a failed account" : "completed"} (via ${event.via}), ${
          plural(event.accounts.length, "account")
        }, insights available: ${Format.yesNo(event.insightsAvailable)}`,
        ...event.accounts.map(accountLine)
      ]
    case "Failed": {
      const described = Errors.describe(event.error)
      return [`${name}: failed ${described.error}: ${described.message}; ${described.hint}`]
    }
    case "TimedOut":
      return [`${name}: timed out, its deadline ${DateTime.formatIso(event.deadline)} passed`]
  }
}

const statementsJson = (progress: Progress.SessionProgress) => Json.progress(progress).statements

/** An event as a JSON line: `{"type":"tracker_event","event":"Completed",...}`. */
export const json = (event: TrackerEvent.TrackerEvent) => {
  const common = {
    type: "tracker_event" as const,
    event: event._tag,
    id: event.id,
    session_id: event.sessionId,
    seq: event.seq,
    reference: event.reference,
    at: DateTime.formatIso(event.at)
  }
  switch (event._tag) {
    case "Tracked":
      return { ...common, deadline: iso(event.deadline) }
    case "ProgressChanged":
      return {
        ...common,
        session_progress: event.progress.session_progress,
        statements: statementsJson(event.progress)
      }
    case "Completed":
      return {
        ...common,
        result: hasFailedAccount(event) ? "failed" as const : "completed" as const,
        via: event.via,
        insights_available: event.insightsAvailable,
        statements: {
          completed: Progress.completedStatements(event.progress).length,
          failed: Progress.failedStatements(event.progress).length
        },
        accounts: event.accounts.map((account) => ({
          account_id: account.accountId,
          bank_name: account.bankName,
          account_status: account.status,
          failure: account.failure === null ? null : Format.failureJson(account.failure)
        }))
      }
    case "Failed": {
      const described = Errors.describe(event.error)
      return {
        ...common,
        error: described.error,
        code: described.code ?? null,
        status: described.status ?? null,
        message: described.message,
        hint: described.hint
      }
    }
    case "TimedOut":
      return { ...common, deadline: DateTime.formatIso(event.deadline) }
  }
}

/** What a stored session's state says, after the state itself. */
const detail = (session: TrackedSession.TrackedSession): string => {
  const outcome = session.outcome
  if (outcome !== null) {
    switch (outcome._tag) {
      case "Completed": {
        const failed = outcome.accounts.filter(accountFailed).length
        return `via ${outcome.via}, ${plural(outcome.accounts.length, "account")}${
          failed === 0 ? "" : ` (${failed} failed)`
        }`
      }
      case "Failed": {
        const described = Errors.describe(outcome.error)
        return `${described.error}: ${described.message}`
      }
      case "TimedOut":
        return `its deadline ${DateTime.formatIso(outcome.deadline)} passed`
    }
  }
  if (session.state !== "tracking") return session.progress === null ? "" : progressText(session.progress)
  return session.progress === null ? "not polled yet" : progressText(session.progress)
}

/** A stored session in one line: `s-1  tracking  (application-42)  processing, 1 statement (1 running)`. */
export const sessionLine = (session: TrackedSession.TrackedSession): string =>
  [
    session.sessionId,
    session.state,
    ...(session.reference === null ? [] : [`(${session.reference})`]),
    ...(session.deadline === null || session.state !== "tracking"
      ? []
      : [`deadline ${DateTime.formatIso(session.deadline)}`]),
    detail(session)
  ].filter((part) => part !== "").join("  ")

/** A stored session as a JSON line: `{"type":"session",...}`. */
export const sessionJson = (session: TrackedSession.TrackedSession) => ({
  type: "session" as const,
  session_id: session.sessionId,
  reference: session.reference,
  state: session.state,
  tracked_at: DateTime.formatIso(session.trackedAt),
  updated_at: DateTime.formatIso(session.updatedAt),
  deadline: iso(session.deadline),
  session_progress: session.progress === null ? null : session.progress.session_progress,
  statements: session.progress === null ? null : statementsJson(session.progress),
  outcome: session.outcome === null ? null : json(session.outcome)
})
