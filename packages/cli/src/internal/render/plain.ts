/**
 * Plain lines for `watch` off a terminal (or with `--plain`): a line for each change only,
 * each starting with the session id, in ASCII, for logs and `grep`.
 */
import type * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import * as Format from "./format.js"

const statementKey = (statement: Progress.StatementProgress, index: number) => statement.statement_id ?? `#${index}`

/** The lines for what changed between two snapshots of a session (every line for the first). */
export const changes = (
  previous: Progress.SessionProgress | undefined,
  next: Progress.SessionProgress
): ReadonlyArray<string> => {
  const id = next.session_id
  const out: Array<string> = []
  const head = `${next.session_progress}: ${Format.counts(next)}`
  if (previous === undefined || `${previous.session_progress}: ${Format.counts(previous)}` !== head) {
    out.push(`${id} ${head}`)
  }
  const before = new Map(
    (previous?.progress ?? []).map((statement, index) => [statementKey(statement, index), statement] as const)
  )
  next.progress.forEach((statement, index) => {
    const old = before.get(statementKey(statement, index))
    if (old !== undefined && Format.stagesText(old) === Format.stagesText(statement)) return
    const failed = Format.failedStage(statement)
    const note = failed === undefined
      ? ""
      : ` failed at ${Format.stageName(failed)}${statement.message === null ? "" : `: ${statement.message}`}`
    out.push(
      `${id} statement ${Format.statementId(statement, index)} ${Format.stagesDone(statement)}/4 ${
        Format.stagesText(statement)
      }${note}`
    )
  })
  return out
}

/** The lines of a completed session's outcome: the result, then each account. */
export const outcome = (
  sessionId: string,
  status: SessionStatus.SessionStatus,
  via?: "webhook" | "polling"
): ReadonlyArray<string> => [
  `${sessionId} ${Format.hasFailedAccount(status) ? "completed with a failed account" : "completed"}${
    via === undefined ? "" : ` (via ${via})`
  }: ${status.accounts.length} account${status.accounts.length === 1 ? "" : "s"}, insights available: ${
    Format.yesNo(status.insights_available)
  }`,
  ...status.accounts.map((account) =>
    `${sessionId} account ${Format.accountName(account)}: ${Format.accountOutcome(account)}`
  )
]
