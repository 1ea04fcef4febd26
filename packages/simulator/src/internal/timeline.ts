import type * as Scenario from "../Scenario.js"

/**
 * A simulated session: its script, the ids it was given, and where it stands.
 *
 * @internal
 */
export interface Session {
  readonly id: string
  readonly scenario: Scenario.Scenario
  /** One id per account. */
  readonly accountIds: ReadonlyArray<string>
  /** Per account, one id per statement. */
  readonly statementIds: ReadonlyArray<ReadonlyArray<string>>
  readonly createdAt: number
  /** When processing began; `undefined` while it has not been requested. */
  readonly startedAt: number | undefined
  readonly deleted: boolean
  /** Made by the API's create call, or scripted (`createSession`, the control API). */
  readonly origin: "api" | "script"
  /** The customer id (`link_id`). */
  readonly linkId: string
  /** The session's date range, as epoch days. */
  readonly window: { readonly from: number; readonly to: number }
  /** The upload phase of a session made by the API or with state `upload`; `undefined` for scripted statements. */
  readonly intake: Intake | undefined
  /** Statements that fail processing as `UNPARSABLE` on their own (an upload scripted `unparsable`). */
  readonly unparsable: ReadonlySet<string> | undefined
}

/**
 * The uploads of a session in its upload phase. Mutable: uploads are added as they come (one
 * handler runs at a time).
 *
 * @internal
 */
export interface Intake {
  readonly mode: "pdf" | "aa" | "online"
  /** The bank the create call named (the catalogue's lower-case id). */
  readonly bankName: string | undefined
  readonly redirectUrl: string | undefined
  /** When uploads stop being taken, unless processing was requested before (Clock milliseconds). */
  readonly expiresAt: number
  /** How many PDFs were examined: the index of the next one in the scenario's `uploads`. */
  examined: number
  readonly accounts: Array<IntakeAccount>
  readonly statements: Array<IntakeStatement>
  /** When the upload requirement was met (or processing requested) and the completion webhook sent. */
  completedAt: number | undefined
  /** The bytes of the PDFs kept. */
  bytes: number
}

/** @internal */
export interface IntakeAccount {
  readonly id: string
  readonly bankName: string
  readonly accountNumber: string
  readonly name: string
  readonly createdAt: number
  lastUpdatedAt: number
}

/** @internal */
export interface IntakeStatement {
  readonly id: string
  readonly accountId: string
  readonly createdAt: number
  /** The months it covers, as month numbers (year × 12 + month − 1), in order. */
  readonly months: ReadonlyArray<number>
  readonly fileName: string
  readonly password: string | null
  readonly sha256: string
  /** The PDF as uploaded; `undefined` for a `file_url` (a stub is served) or once purged. */
  bytes: Uint8Array | undefined
  readonly isFraud: boolean
  readonly unparsable: boolean
}

const stageKeys = ["identity", "transaction", "processing", "fraud"] as const
const stageFields = ["identity_status", "transaction_status", "processing_status", "fraud_status"] as const

interface Statement {
  readonly id: string
  readonly account: Scenario.Account
  /** The stage index that fails, or `undefined` when the statement completes. */
  readonly failsAt: number | undefined
  /** The failure is the statement's own (`UNPARSABLE`), not its account's. */
  readonly ownFailure: boolean
  /** When each stage ends, relative to the session's start. */
  readonly ends: ReadonlyArray<number>
  /** When each stage starts, relative to the session's start. */
  readonly starts: ReadonlyArray<number>
}

/** An unparsable statement fails at transaction extraction; the other codes at processing. */
const failingStage = (outcome: Scenario.Outcome): number | undefined =>
  outcome.status === "completed" ? undefined : outcome.errorCode === "UNPARSABLE" ? 1 : 2

const statementsOf = (session: Session): ReadonlyArray<Statement> => {
  const { scenario } = session
  const out: Array<Statement> = []
  scenario.accounts.forEach((account, a) => {
    for (const id of session.statementIds[a] ?? []) {
      let at = out.length * scenario.staggerMillis
      const starts: Array<number> = []
      const ends: Array<number> = []
      for (const key of stageKeys) {
        starts.push(at)
        at += scenario.stageMillis[key]
        ends.push(at)
      }
      const ownFailure = session.unparsable?.has(id) === true
      out.push({ id, account, failsAt: ownFailure ? 1 : failingStage(account.outcome), ownFailure, starts, ends })
    }
  })
  return out
}

/** When a statement is done (completed or failed), relative to the session's start. */
const doneAt = (statement: Statement): number => statement.ends[statement.failsAt ?? 3] ?? 0

/** How long a session takes from its start, per session object (they are never mutated). */
const durations = new WeakMap<Session, number>()

/** How long the session takes from its start: when its last statement is done. */
const durationOf = (session: Session): number => {
  const known = durations.get(session)
  if (known !== undefined) return known
  // a loop, not `Math.max(...)`: spreading many statements would overflow the stack
  let duration = 0
  for (const statement of statementsOf(session)) duration = Math.max(duration, doneAt(statement))
  durations.set(session, duration)
  return duration
}

/**
 * When the progress API starts showing the session completed, or `undefined` while
 * processing has not been requested.
 *
 * @internal
 */
export const completesAt = (session: Session): number | undefined =>
  session.startedAt === undefined ? undefined : session.startedAt + durationOf(session)

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** `2023-11` as `Nov 2023`. */
const monthLabel = (yearMonth: string): string => {
  const [year, month] = yearMonth.split("-")
  return `${monthNames[Number(month) - 1]} ${year}`
}

const fixedMessages: Record<Scenario.AccountErrorCode, string> = {
  MISSING_TRANSACTIONS: "One or more transactions are missing in the specified date range",
  INCOMPLETE_MONTHS: "Insufficient data to generate report. There are no transactions for",
  NULL_ACCOUNT_NUMBER: "Account number is unavailable or unidentified",
  BALANCE_MISMATCH: "Calculated transaction balance does not match",
  INCOMPLETE_MONTHS_UPLOAD: "Statement(s) uploaded contain incomplete months. Missing data present for",
  INCOMPLETE_DATES_UPLOAD: "Statement(s) uploaded contain incomplete dates. Missing dates present for",
  UNPARSABLE: "Failed to process because of an unparsable statement"
}

/**
 * The error message BankConnect sends for a failed account, with the data of its code
 * written in as the API writes it.
 *
 * @internal
 */
export const errorMessage = (outcome: Scenario.Outcome): string | null => {
  if (outcome.status === "completed") return null
  if (outcome.errorMessage !== undefined) return outcome.errorMessage
  const text = fixedMessages[outcome.errorCode]
  switch (outcome.errorCode) {
    case "INCOMPLETE_MONTHS":
    case "INCOMPLETE_MONTHS_UPLOAD":
      return `${text} ${(outcome.months ?? ["2023-11", "2023-12"]).map(monthLabel).join(", ")}`
    case "INCOMPLETE_DATES_UPLOAD": {
      const dates = outcome.dates ?? { "2024-01": [1, 2, 3, 4] }
      const body = Object.entries(dates).map(([month, days]) => `"${monthLabel(month)}": [${days.join(", ")}]`)
      return `${text} {${body.join(", ")}}`
    }
    default:
      return text
  }
}

/**
 * The progress API's body for the session at `now`.
 *
 * @internal
 */
export const progressBody = (session: Session, now: number) => {
  const elapsed = now - (session.startedAt ?? now)
  const progress = statementsOf(session).map((statement) => {
    const body: Record<string, string | null> = {}
    stageFields.forEach((field, k) => {
      const failed = statement.failsAt === k
      const after = statement.failsAt !== undefined && k > statement.failsAt
      body[field] = after || elapsed < (statement.starts[k] ?? 0)
        ? null
        : elapsed >= (statement.ends[k] ?? 0)
        ? failed ? "failed" : "completed"
        : "processing"
    })
    const failed = statement.failsAt !== undefined && elapsed >= doneAt(statement)
    return {
      ...body,
      statement_id: statement.id,
      message: failed
        ? statement.ownFailure ? fixedMessages.UNPARSABLE : errorMessage(statement.account.outcome)
        : null,
      source: statement.account.source
    }
  })
  const end = completesAt(session)
  return {
    session_id: session.id,
    session_progress: end !== undefined && now >= end ? "completed" : "processing",
    progress
  }
}

const accountStatus = (outcome: Scenario.Outcome) => outcome.status === "completed" ? "completed" : "failed"

/**
 * The `ENRICHMENT_NOTIFICATION` for a completed session, in the scenario's form.
 *
 * @internal
 */
export const enrichmentNotification = (session: Session) => {
  const { accounts, webhook } = session.scenario
  const none = webhook.form === "newer" ? "" : null
  const body = accounts.map((account, a) => {
    const core = {
      bank_name: account.bankName,
      account_id: session.accountIds[a],
      account_status: accountStatus(account.outcome),
      error_code: account.outcome.status === "failed" ? account.outcome.errorCode : none,
      error_message: errorMessage(account.outcome) ?? none
    }
    return webhook.form === "older" ? core : {
      ...core,
      name: "ACCOUNT HOLDER",
      account_category: "individual",
      attempt_types: [account.source.toUpperCase()]
    }
  })
  const head = { session_id: session.id, event_name: "ENRICHMENT_NOTIFICATION" }
  return webhook.form === "older"
    ? { ...head, accounts: body }
    : { ...head, insights_available: accounts.some((a) => a.outcome.status === "completed"), accounts: body }
}

/**
 * Whether any of the session's statements come through net banking, the only ones
 * `webhook_mode` 0 notifies for.
 *
 * @internal
 */
export const isNetBanking = (session: Session): boolean =>
  session.intake?.mode === "online" || session.scenario.accounts.some((account) => account.source === "online")
