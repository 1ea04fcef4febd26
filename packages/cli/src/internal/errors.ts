/**
 * Every failure of a command as one line that says what happened and what to do, its JSON
 * line, and its exit code. One place decides them; the commands only fail.
 */
import * as BankConnectError from "@effect-bankconnect/client/BankConnectError"
import type * as Completion from "@effect-bankconnect/client/Completion"
import type * as WebhookServer from "@effect-bankconnect/client/WebhookServer"
import type * as Simulator from "@effect-bankconnect/simulator/Simulator"
import type * as TrackerError from "@effect-bankconnect/tracker/TrackerError"
import * as Schema from "effect/Schema"
import * as ExitCodes from "./exitCodes.js"

/**
 * Bad usage found after parsing: missing or invalid credentials, an unreadable scenario file,
 * an invalid flag combination.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String,
  hint: Schema.optional(Schema.String)
}) {}

/** A file could not be read or written. */
export class FileError extends Schema.TaggedError<FileError>()("FileError", {
  path: Schema.String,
  message: Schema.String
}) {}

/** Everything a command may fail with. */
export type CliError =
  | BankConnectError.BankConnectError
  | Completion.CompletionTimeout
  | WebhookServer.ServeError
  | Simulator.StartError
  | Simulator.ScenarioError
  | TrackerError.TrackerStoreError
  | UsageError
  | FileError

/** A failure, described. */
export interface Described {
  /** The error's `_tag`. */
  readonly error: string
  /** The API's error code, when there is one. */
  readonly code: string | undefined
  /** The HTTP status, when there is one. */
  readonly status: number | undefined
  readonly sessionId: string | undefined
  /** What happened. */
  readonly message: string
  /** What to do. */
  readonly hint: string
  readonly exitCode: ExitCodes.ExitCode
}

/** One line: whitespace collapsed, cut to `max` characters. */
export const oneLine = (text: string, max = 400): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

const credentialsHint =
  "check BANKCONNECT_API_KEY and BANKCONNECT_SERVER_HASH (or --api-key and --server-hash), and that both are " +
  "for the environment BANKCONNECT_BASE_URL points at (DEV or PROD)"

const baseUrlHint = "check BANKCONNECT_BASE_URL (or --base-url) and the network; --verbose shows each retry"

const session = (id: string | undefined) => (id === undefined ? "the session" : `session ${id}`)

const describeApi = (error: BankConnectError.ApiError): Omit<Described, "error" | "exitCode"> => {
  const base = {
    code: error.code,
    status: error.status,
    sessionId: error.sessionId
  }
  const answered = `(HTTP ${error.status} ${error.code})`
  switch (error._tag) {
    case "AccessDenied":
      return { ...base, message: `BankConnect refused the credentials ${answered}`, hint: credentialsHint }
    case "SessionNotFound":
      return {
        ...base,
        message: `${session(error.sessionId)} was not found ${answered}`,
        hint: "check the session id, and that the session was made with these credentials (DEV and PROD keys " +
          "see different sessions)"
      }
    case "SessionDeleted":
      return { ...base, message: `${session(error.sessionId)} was deleted ${answered}`, hint: "start a new session" }
    case "ProcessingNotRequested":
      return {
        ...base,
        message: `processing was not requested for ${session(error.sessionId)} ${answered}`,
        hint: `run \`bankconnect initiate ${error.sessionId ?? "<session>"}\` once the statements are uploaded`
      }
    case "ProcessingNotCompleted":
      return {
        ...base,
        message: `${session(error.sessionId)} is still processing ${answered}`,
        hint: `wait for it with \`bankconnect await ${error.sessionId ?? "<session>"}\``
      }
    case "DuplicateProcessingRequest":
      return {
        ...base,
        message: `processing was already requested for ${session(error.sessionId)} ${answered}`,
        hint: `watch it with \`bankconnect watch ${error.sessionId ?? "<session>"}\``
      }
    case "UnparsableStatements":
      return {
        ...base,
        message: `the statements of ${session(error.sessionId)} cannot be read ${answered}`,
        hint: "ask the customer for other statements"
      }
    default: {
      const transient = error.status === 429 || error.status >= 500
      return {
        ...base,
        message: `BankConnect answered ${answered}: ${oneLine(error.message, 240)}`,
        hint: transient
          ? "BankConnect is busy or down: try again later; --verbose shows each retry"
          : `see BankConnect's documentation of ${error.code}`
      }
    }
  }
}

/** Describes a failure: what happened, what to do, the exit code. */
export const describe = (error: CliError): Described => {
  const none = { code: undefined, status: undefined, sessionId: undefined }
  const failed = (message: string, hint: string, exitCode: ExitCodes.ExitCode = ExitCodes.failure): Described => ({
    error: error._tag,
    ...none,
    message,
    hint,
    exitCode
  })
  if (BankConnectError.isApiError(error)) {
    return { error: error._tag, ...describeApi(error), exitCode: ExitCodes.failure }
  }
  switch (error._tag) {
    case "TransportError":
      return {
        ...failed(
          error.reason === "Timeout"
            ? `no answer in time, after the retries: ${oneLine(error.message, 300)}`
            : error.reason === "Misconfigured"
            ? `the request could not be sent: ${oneLine(error.message, 300)}`
            : `no answer, after the retries: ${oneLine(error.message, 300)}`,
          baseUrlHint
        ),
        sessionId: error.sessionId
      }
    case "InvalidResponse":
      return {
        ...failed(
          `an unexpected answer (HTTP ${error.status}, ${error.reason}) from ${error.url}: ${
            oneLine(error.message, 240)
          }`,
          "check that BANKCONNECT_BASE_URL (or --base-url) points at the BankConnect API"
        ),
        status: error.status,
        sessionId: error.sessionId
      }
    case "InvalidArgument":
      return failed(`invalid ${error.argument}: ${oneLine(error.message, 240)}`, "see --help", ExitCodes.usage)
    case "ReportLinkExpired":
      return failed(oneLine(error.message), "fetch the insights again for fresh links")
    case "CompletionTimeout":
      return {
        ...failed(
          oneLine(error.message),
          `run \`bankconnect await ${error.sessionId}\` again, or give a longer --deadline`,
          ExitCodes.deadlinePassed
        ),
        sessionId: error.sessionId
      }
    case "ServeError":
      return failed(oneLine(error.message, 300), "pick another port (0 picks a free one)")
    case "StartError":
      return failed(oneLine(error.message), "pick another --port (0 picks a free one)")
    case "ScenarioError":
      return failed(oneLine(error.message), "fix the scenario file (see the simulator's README)", ExitCodes.usage)
    case "TrackerStoreError":
      return failed(
        oneLine(error.message, 300),
        error.operation === "open" || error.operation === "migrate"
          ? "check --db (or BANKCONNECT_TRACKER_DATABASE_URL): a file: URL or path whose directory exists and is " +
            "writable; --verbose logs the cause"
          : "check the tracker's database (--db or BANKCONNECT_TRACKER_DATABASE_URL); --verbose logs the cause"
      )
    case "UsageError":
      return failed(oneLine(error.message), error.hint ?? "see --help", ExitCodes.usage)
    case "FileError":
      return failed(`${error.path}: ${oneLine(error.message, 240)}`, "check the path and its permissions")
  }
}

/** The line printed on stderr. */
export const text = (described: Described): string =>
  `bankconnect: ${described.error}: ${described.message}; ${described.hint}`

/** The JSON line printed on stdout with `--json`. */
export const json = (described: Described) => ({
  type: "error" as const,
  error: described.error,
  code: described.code ?? null,
  status: described.status ?? null,
  session_id: described.sessionId ?? null,
  message: described.message,
  hint: described.hint,
  exit_code: described.exitCode
})
