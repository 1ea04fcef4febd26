/**
 * The JSON lines `--json` prints, one object per line, each with a `type`. The README
 * documents every shape; these builders are the only place they are made.
 */
import * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import * as Format from "./format.js"

/** `{"type":"progress", ...}`: one snapshot, its statements and their four stages. */
export const progress = (snapshot: Progress.SessionProgress) => ({
  type: "progress" as const,
  session_id: snapshot.session_id,
  session_progress: snapshot.session_progress,
  statements: snapshot.progress.map((statement) => ({
    statement_id: statement.statement_id,
    source: statement.source,
    outcome: Progress.outcome(statement),
    stages_completed: Format.stagesDone(statement),
    identity_status: statement.identity_status,
    transaction_status: statement.transaction_status,
    processing_status: statement.processing_status,
    fraud_status: statement.fraud_status,
    message: statement.message
  }))
})

/** `completed` when no account failed, else `failed`. */
export const result = (status: SessionStatus.SessionStatus): "completed" | "failed" =>
  Format.hasFailedAccount(status) ? "failed" : "completed"

/** `{"type":"status", ...}`: the session status, each account with its typed failure and statements. */
export const status = (status: SessionStatus.SessionStatus) => ({
  type: "status" as const,
  session_id: status.session_id,
  result: result(status),
  insights_available: status.insights_available,
  accounts: status.accounts.map(Format.accountJson)
})

/** `{"type":"outcome", ...}`: a completed session (`await`, `watch`). */
export const outcome = (
  snapshot: Progress.SessionProgress,
  sessionStatus: SessionStatus.SessionStatus,
  via: "webhook" | "polling"
) => ({
  type: "outcome" as const,
  session_id: snapshot.session_id,
  result: result(sessionStatus),
  via,
  insights_available: sessionStatus.insights_available,
  statements: {
    completed: Progress.completedStatements(snapshot).length,
    failed: Progress.failedStatements(snapshot).length
  },
  accounts: sessionStatus.accounts.map(Format.accountJson)
})
