/**
 * What the commands say about sessions, statements, accounts and failures, in words: shared
 * by the live view, the plain lines and the one-shot commands. No escape codes here.
 */
import * as Progress from "@effect-bankconnect/client/Progress"
import type * as SessionStatus from "@effect-bankconnect/client/SessionStatus"
import type * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** `Nov 2023`. */
export const monthName = (month: WebhookPayload.YearMonth): string =>
  `${monthNames[month.month - 1] ?? String(month.month)} ${month.year}`

/** `2023-11`. */
export const monthKey = (month: WebhookPayload.YearMonth): string =>
  `${month.year}-${String(month.month).padStart(2, "0")}`

/** `1-4, 9`: days as ranges. */
export const dayRanges = (days: ReadonlyArray<number>): string => {
  const sorted = Array.from(new Set(days)).sort((a, b) => a - b)
  const parts: Array<string> = []
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!
    let end = start
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!
    parts.push(start === end ? String(start) : `${start}-${end}`)
  }
  return parts.join(", ")
}

/** A typed account failure spelled out: the code and what it means, with its data. */
export const describeFailure = (failure: WebhookPayload.AccountFailure): string => {
  switch (failure._tag) {
    case "IncompleteMonths":
      return failure.months.length > 0
        ? `${failure.code}: no transactions for ${failure.months.map(monthName).join(", ")}`
        : `${failure.code}: ${failure.message}`
    case "IncompleteMonthsUpload":
      return failure.months.length > 0
        ? `${failure.code}: months not uploaded: ${failure.months.map(monthName).join(", ")}`
        : `${failure.code}: ${failure.message}`
    case "IncompleteDatesUpload":
      return failure.missing.length > 0
        ? `${failure.code}: days not uploaded: ${
          failure.missing.map((gap) => `${monthName(gap.month)} (${dayRanges(gap.days)})`).join(", ")
        }`
        : `${failure.code}: ${failure.message}`
    default:
      return failure.message === "" ? failure.code : `${failure.code}: ${failure.message}`
  }
}

/** A typed account failure as JSON. */
export const failureJson = (failure: WebhookPayload.AccountFailure) => ({
  tag: failure._tag,
  code: failure.code,
  message: failure.message,
  ...(failure._tag === "IncompleteMonths" || failure._tag === "IncompleteMonthsUpload"
    ? { months: failure.months.map(monthKey) }
    : {}),
  ...(failure._tag === "IncompleteDatesUpload"
    ? { missing: failure.missing.map((gap) => ({ month: monthKey(gap.month), days: gap.days })) }
    : {})
})

/** The stages' short names: `identity`, `transaction`, `processing`, `fraud`. */
export const stageName = (stage: Progress.Stage): string => stage.slice(0, stage.indexOf("_"))

/** How many of a statement's four stages completed. */
export const stagesDone = (statement: Progress.StatementProgress): number =>
  Progress.stages.filter((stage) => statement[stage] === "completed").length

/** The stage that failed, if one did. */
export const failedStage = (statement: Progress.StatementProgress): Progress.Stage | undefined =>
  Progress.stages.find((stage) => statement[stage] === "failed")

/** A statement's id for people (`null` in some answers). */
export const statementId = (statement: Progress.StatementProgress, index: number): string =>
  statement.statement_id ?? `statement ${index + 1}`

/** `identity:completed transaction:processing processing:- fraud:-`. */
export const stagesText = (statement: Progress.StatementProgress): string =>
  Progress.stages.map((stage) => `${stageName(stage)}:${statement[stage] ?? "-"}`).join(" ")

/** `3 statements: 1 completed, 1 failed, 1 running`. */
export const counts = (progress: Progress.SessionProgress): string => {
  const summary = Progress.summary(progress)
  const at = summary.indexOf(": ")
  const rest = at < 0 ? summary : summary.slice(at + 2)
  // `processing, 3 statements (1 completed, 1 running)` -> `3 statements (1 completed, 1 running)`
  return rest.slice(rest.indexOf(", ") + 2)
}

/** An account for people: `a-1 (sbi, XXXXXXXXXX5283)`. */
export const accountName = (account: {
  readonly account_id: string | null
  readonly bank_name: string | null
  readonly account_number?: string | null
}): string => {
  const details = [account.bank_name, account.account_number ?? null].filter((x): x is string => x !== null)
  return `${account.account_id ?? "(no id)"}${details.length > 0 ? ` (${details.join(", ")})` : ""}`
}

/** An account's outcome for people: `completed`, or `failed INCOMPLETE_MONTHS: no transactions for ...`. */
export const accountOutcome = (account: SessionStatus.Account): string => {
  const failure = account.failure
  if (failure !== null) return `failed ${describeFailure(failure)}`
  return account.account_status
}

/** A session status as JSON: accounts, typed failures, statements. */
export const accountJson = (account: SessionStatus.Account) => ({
  account_id: account.account_id,
  bank_name: account.bank_name,
  full_bank_name: account.full_bank_name,
  account_number: account.account_number,
  account_type: account.account_type,
  account_category: account.account_category,
  account_status: account.account_status,
  failure: account.failure === null ? null : failureJson(account.failure),
  statements: account.statements.map((statement) => ({
    statement_id: statement.statement_id,
    statement_status: statement.statement_status,
    error_code: statement.error_code,
    error_message: statement.error_message,
    source: statement.source
  }))
})

/** Whether a session status holds a failed account. */
export const hasFailedAccount = (status: SessionStatus.SessionStatus): boolean =>
  status.accounts.some((account) => account.failed)

/** `yes`, `no` or `unknown`. */
export const yesNo = (value: boolean | null): string => value === null ? "unknown" : value ? "yes" : "no"

/** A masked account number: the last four digits. */
export const mask = (number: string | null): string | null =>
  number === null ? null : number.length <= 4 ? number : `${"X".repeat(number.length - 4)}${number.slice(-4)}`

/** `1.2 s`, `45 ms`, `2 min 5 s`. */
export const elapsed = (millis: number): string => {
  if (millis < 1000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1000).toFixed(1)} s`
  const minutes = Math.floor(millis / 60_000)
  return `${minutes} min ${Math.round((millis % 60_000) / 1000)} s`
}
