/**
 * A session as a block of lines: a header, a progress bar per statement with its four
 * stages (and why one failed), and once it completed, each account's outcome and typed
 * failure. The live view redraws these in place; `progress` prints one. Colors and Unicode
 * only on a terminal; ids shortened on a narrow one.
 */
import * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import * as Format from "./format.js"

/** How to draw. */
export interface Style {
  /** ANSI colors. */
  readonly color: boolean
  /** Block characters and check marks; ASCII otherwise. */
  readonly unicode: boolean
  /** Statement and account ids cut to 8 characters (a narrow terminal). */
  readonly shortIds?: boolean | undefined
}

/** Where a session stands, as the view knows it. */
export interface SessionView {
  readonly sessionId: string
  readonly progress: Progress.SessionProgress | undefined
  readonly status: SessionStatus.SessionStatus | undefined
  /** The one-line error that ended its watch, if one did. */
  readonly error: string | undefined
  /** Whether the session status is read once the session completed (`watch`). */
  readonly confirming: boolean
}

const paint = (style: Style, code: string, text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text)
const green = (style: Style, text: string) => paint(style, "32", text)
const red = (style: Style, text: string) => paint(style, "31", text)
const yellow = (style: Style, text: string) => paint(style, "33", text)
const dim = (style: Style, text: string) => paint(style, "2", text)
const bold = (style: Style, text: string) => paint(style, "1", text)

const barWidth = 12

const shortId = (id: string, style: Style) => (style.shortIds === true && id.length > 9 ? `${id.slice(0, 8)}…` : id)

/** A bar of the statement's completed stages out of four. */
export const bar = (statement: Progress.StatementProgress, style: Style): string => {
  const done = Format.stagesDone(statement)
  const filled = Math.round((done / Progress.stages.length) * barWidth)
  const [full, empty] = style.unicode ? ["█", "░"] : ["#", "-"]
  const outcome = Progress.outcome(statement)
  const painted = outcome === "failed"
    ? red(style, full.repeat(filled))
    : outcome === "completed"
    ? green(style, full.repeat(filled))
    : full.repeat(filled)
  const open = style.unicode ? "" : "["
  const close = style.unicode ? "" : "]"
  return `${open}${painted}${dim(style, empty.repeat(barWidth - filled))}${close}`
}

const mark = (status: Progress.StageStatus | null, style: Style): string => {
  switch (status) {
    case "completed":
      return green(style, style.unicode ? "✔" : "done")
    case "failed":
      return red(style, style.unicode ? "✘" : "FAILED")
    case "processing":
      return yellow(style, style.unicode ? "…" : "running")
    case null:
      return dim(style, style.unicode ? "·" : "-")
    default:
      return status
  }
}

/** One statement's lines: its bar and stages, then why it failed. */
export const statementLines = (
  statement: Progress.StatementProgress,
  index: number,
  style: Style
): ReadonlyArray<string> => {
  const stages = Progress.stages.map((stage) => `${Format.stageName(stage)} ${mark(statement[stage], style)}`)
  const failed = Format.failedStage(statement)
  const id = shortId(Format.statementId(statement, index), style)
  return [
    `  ${id}  ${bar(statement, style)} ${Format.stagesDone(statement)}/4  ${stages.join(" ")}`,
    ...(failed === undefined ? [] : [
      `      ${
        red(style, `${Format.stageName(failed)} failed${statement.message === null ? "" : `: ${statement.message}`}`)
      }`
    ])
  ]
}

/** One account's lines, once the session completed: its outcome, then its typed failure. */
export const accountLines = (account: SessionStatus.Account, style: Style): ReadonlyArray<string> => {
  const name = Format.accountName({ ...account, account_id: shortId(account.account_id, style) })
  const failure = account.failure
  return failure === null
    ? [
      `  account ${name}: ${account.failed ? red(style, account.account_status) : green(style, account.account_status)}`
    ]
    : [`  account ${name}: ${red(style, "failed")}`, `      ${red(style, Format.describeFailure(failure))}`]
}

/** The session's header line. */
export const header = (view: SessionView, style: Style): string => {
  const id = bold(style, `session ${view.sessionId}`)
  if (view.error !== undefined) return `${id}  ${red(style, view.error)}`
  if (view.progress === undefined) return `${id}  ${dim(style, "waiting for the first snapshot…")}`
  const state = Progress.isComplete(view.progress)
    ? view.status === undefined
      ? view.confirming ? yellow(style, "completed, reading the status…") : green(style, "completed")
      : Format.hasFailedAccount(view.status)
      ? red(style, "completed, an account failed")
      : green(style, "completed")
    : yellow(style, view.progress.session_progress)
  return `${id}  ${state}  ${dim(style, Format.counts(view.progress))}`
}

/** The whole block. */
export const lines = (view: SessionView, style: Style): ReadonlyArray<string> => [
  header(view, style),
  ...(view.progress?.progress ?? []).flatMap((statement, index) => statementLines(statement, index, style)),
  ...(view.status?.accounts ?? []).flatMap((account) => accountLines(account, style))
]
