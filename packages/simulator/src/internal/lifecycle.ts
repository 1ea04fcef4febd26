import type * as Scenario from "../Scenario.js"
import * as Banks from "./banks.js"
import * as Dates from "./dates.js"
import * as Faults from "./faults.js"
import * as Timeline from "./timeline.js"

/**
 * A session's life besides progress: its accounts and statements as the upload status,
 * session status, upload webhooks and `get_pdfs` show them, for scripted sessions and for
 * sessions whose statements were uploaded alike.
 */

/**
 * FNV-1a: a small, stable hash of a text.
 *
 * @internal
 */
export const hashText = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const holderNames = [
  "ANANDA P",
  "PRIYA SHARMA",
  "RAHUL VERMA",
  "MEENA IYER",
  "ARJUN NAIR",
  "KAVITA DESAI",
  "SURESH KUMAR",
  "FATIMA SHAIKH"
] as const

/** The account holder's name for a session (the same for all its accounts). @internal */
export const holderName = (sessionId: string): string => holderNames[hashText(sessionId) % holderNames.length]!

/** A 14-digit account number made from `key`. @internal */
export const accountNumberFor = (key: string): string => {
  const random = Faults.seededRandom(hashText(key))
  let digits = String(1 + Math.floor(random() * 9))
  while (digits.length < 14) digits += String(Math.floor(random() * 10))
  return digits
}

/** `XXXXXXXXXX5678`: all but the last four characters masked. @internal */
export const masked = (accountNumber: string): string =>
  "X".repeat(Math.max(0, accountNumber.length - 4)) + accountNumber.slice(-4)

/**
 * A statement as every call shows it.
 *
 * @internal
 */
export interface StatementView {
  readonly id: string
  readonly createdAt: number
  /** Month numbers, in order. */
  readonly months: ReadonlyArray<number>
  readonly fileName: string
  readonly password: string | null
  /** The uploaded PDF; `undefined` when a stub is served (scripted statements, `file_url`, purged). */
  readonly bytes: Uint8Array | undefined
  readonly isFraud: boolean
  /** It fails processing as `UNPARSABLE`, on its own or with its account. */
  readonly unparsable: boolean
}

/**
 * An account as every call shows it.
 *
 * @internal
 */
export interface AccountView {
  readonly id: string
  readonly bankName: string
  readonly accountNumber: string
  readonly name: string
  readonly source: "pdf" | "online" | "aa"
  readonly outcome: Scenario.Outcome
  readonly createdAt: number
  readonly lastUpdatedAt: number
  readonly statements: ReadonlyArray<StatementView>
}

const completed: Scenario.Outcome = { status: "completed" }
const unparsableOutcome: Scenario.Outcome = { status: "failed", errorCode: "UNPARSABLE" }

/** The months of the session's date range. @internal */
export const windowMonths = (session: Timeline.Session): Array<number> =>
  Dates.monthsBetween(Dates.monthOfDay(session.window.from), Dates.monthOfDay(session.window.to))

/**
 * How an uploaded account ends: `UNPARSABLE` when every statement of it is, else the
 * scenario's outcome for the account at its index, else completed.
 *
 * @internal
 */
export const intakeOutcome = (
  session: Timeline.Session,
  index: number,
  statements: ReadonlyArray<Timeline.IntakeStatement>
): Scenario.Outcome =>
  statements.length > 0 && statements.every((s) => s.unparsable)
    ? unparsableOutcome
    : session.scenario.accounts[index]?.outcome ?? completed

/** The statements of each uploaded account, in the accounts' order. @internal */
export const intakeGroups = (intake: Timeline.Intake) =>
  intake.accounts.map((account) => ({
    account,
    statements: intake.statements.filter((s) => s.accountId === account.id)
  }))

/**
 * The session's accounts and statements.
 *
 * @internal
 */
export const accountsOf = (session: Timeline.Session): ReadonlyArray<AccountView> => {
  const intake = session.intake
  if (intake !== undefined) {
    return intakeGroups(intake).map(({ account, statements }, index) => {
      const outcome = intakeOutcome(session, index, statements)
      const allFail = outcome.status === "failed" && outcome.errorCode === "UNPARSABLE"
      return {
        id: account.id,
        bankName: account.bankName,
        accountNumber: account.accountNumber,
        name: account.name,
        source: "pdf" as const,
        outcome,
        createdAt: account.createdAt,
        lastUpdatedAt: account.lastUpdatedAt,
        statements: statements.map((s) => ({
          id: s.id,
          createdAt: s.createdAt,
          months: s.months,
          fileName: s.fileName,
          password: s.password,
          bytes: s.bytes,
          isFraud: s.isFraud,
          unparsable: allFail || s.unparsable
        }))
      }
    })
  }
  const months = windowMonths(session)
  const name = holderName(session.id)
  return session.scenario.accounts.map((account, a) => {
    const id = session.accountIds[a] ?? ""
    const unparsable = account.outcome.status === "failed" && account.outcome.errorCode === "UNPARSABLE"
    return {
      id,
      bankName: account.bankName,
      accountNumber: accountNumberFor(id),
      name,
      source: account.source,
      outcome: account.outcome,
      createdAt: session.createdAt,
      lastUpdatedAt: session.createdAt,
      statements: (session.statementIds[a] ?? []).map((statementId) => ({
        id: statementId,
        createdAt: session.createdAt,
        months,
        fileName: `${statementId}_${account.bankName}.pdf`,
        password: null,
        bytes: undefined,
        isFraud: false,
        unparsable
      }))
    }
  })
}

/** The first and last day a statement covers, within the session's range. @internal */
export const statementRange = (session: Timeline.Session, months: ReadonlyArray<number>) => {
  const first = months[0] ?? Dates.monthOfDay(session.window.from)
  const last = months[months.length - 1] ?? Dates.monthOfDay(session.window.to)
  return {
    from: Math.max(session.window.from, Dates.firstDay(first)),
    to: Math.min(session.window.to, Dates.lastDay(last))
  }
}

/** The months an account's statements cover, in order. @internal */
export const accountMonths = (account: AccountView): Array<number> => {
  const months = new Set<number>()
  for (const statement of account.statements) for (const m of statement.months) months.add(m)
  return [...months].sort((a, b) => a - b)
}

/** The gaps of the session's range that `covered` months leave, as `YYYY-MM-DD` ranges. @internal */
export const missingData = (session: Timeline.Session, covered: ReadonlySet<number>) => {
  const gaps: Array<{ from_date: string; to_date: string }> = []
  let start: number | undefined
  const months = windowMonths(session)
  months.forEach((month, i) => {
    if (!covered.has(month) && start === undefined) start = month
    const next = months[i + 1]
    if (start !== undefined && (next === undefined || covered.has(next))) {
      gaps.push({
        from_date: Dates.isoDay(Math.max(session.window.from, Dates.firstDay(start))),
        to_date: Dates.isoDay(Math.min(session.window.to, Dates.lastDay(month)))
      })
      start = undefined
    }
  })
  return gaps
}

/** The window months none of `covered` has, as `YYYY-MM`. @internal */
export const missingMonths = (session: Timeline.Session, covered: ReadonlySet<number>): Array<string> =>
  windowMonths(session).filter((m) => !covered.has(m)).map(Dates.yearMonth)

/**
 * Whether the uploads meet the session's requirement: every month of its date range is
 * covered by some statement.
 *
 * @internal
 */
export const requirementMet = (session: Timeline.Session): boolean => {
  const covered = new Set<number>()
  for (const account of accountsOf(session)) for (const m of accountMonths(account)) covered.add(m)
  return windowMonths(session).every((m) => covered.has(m))
}

/**
 * The upload status: `COMPLETED` once processing was requested (or the requirement met and
 * its webhook sent), `EXPIRED` past the expiry without processing, `IN_PROGRESS` with
 * uploads, `NO_UPLOAD` without. Scripted sessions' statements count as uploaded.
 *
 * @internal
 */
export const uploadStatus = (session: Timeline.Session, now: number): string => {
  const intake = session.intake
  if (intake === undefined || session.startedAt !== undefined) return "COMPLETED"
  if (now >= intake.expiresAt) return "EXPIRED"
  if (intake.completedAt !== undefined) return "COMPLETED"
  return intake.statements.length > 0 ? "IN_PROGRESS" : "NO_UPLOAD"
}

/** Whether the session is past its expiry without processing. @internal */
export const isExpired = (session: Timeline.Session, now: number): boolean =>
  session.intake !== undefined && session.startedAt === undefined && now >= session.intake.expiresAt

const sessionDateRange = (session: Timeline.Session) => ({
  from_date: Dates.ddmmyyyy(session.window.from),
  to_date: Dates.ddmmyyyy(session.window.to)
})

const uploadStatement = (session: Timeline.Session, statement: StatementView) => {
  const range = statementRange(session, statement.months)
  return {
    statement_id: statement.id,
    statement_status: "completed",
    error_code: null,
    error_message: null,
    source: "pdf",
    upload_file_name: statement.fileName,
    statement_date_range: { from_date: Dates.ddmmyyyy(range.from), to_date: Dates.ddmmyyyy(range.to) },
    created_at: Dates.offsetMicros(statement.createdAt)
  }
}

const uploadAccount = (session: Timeline.Session, account: AccountView) => {
  const months = accountMonths(account)
  const missing = missingData(session, new Set(months))
  return {
    months,
    missing,
    status: missing.length === 0 ? "COMPLETED" : "PARTIAL"
  }
}

/**
 * The upload status call's body (2025 form): account numbers unmasked, `"error": {}`.
 *
 * @internal
 */
export const uploadStatusBody = (session: Timeline.Session, now: number) => ({
  session_id: session.id,
  session_date_range: sessionDateRange(session),
  upload_status: uploadStatus(session, now),
  session_expiry_timestamp: session.intake === undefined ? null : Dates.timestamp(session.intake.expiresAt),
  accounts: accountsOf(session).map((account) => {
    const { missing, months, status } = uploadAccount(session, account)
    return {
      account_id: account.id,
      account_number: account.accountNumber,
      bank_name: account.bankName,
      full_bank_name: Banks.fullName(account.bankName),
      name: "",
      account_type: "",
      account_status: status,
      months: months.map(Dates.yearMonth),
      missing_data: missing,
      created_at: Dates.timestamp(account.createdAt),
      last_updated_at: Dates.timestamp(account.lastUpdatedAt),
      statements: account.statements.map((statement) => uploadStatement(session, statement))
    }
  }),
  error: {}
})

/**
 * `SESSION_REQUIREMENT_COMPLETION_NOTIFICATION` or `SESSION_EXPIRY_NOTIFICATION`: the upload
 * status's accounts with masked numbers, as `bankconnect-api.md` shows.
 *
 * @internal
 */
export const uploadNotification = (session: Timeline.Session, event: "completion" | "expiry") => ({
  session_id: session.id,
  event_name: event === "completion" ? "SESSION_REQUIREMENT_COMPLETION_NOTIFICATION" : "SESSION_EXPIRY_NOTIFICATION",
  message: event === "completion" ? "Upload Completed" : "Session expired",
  accounts: accountsOf(session).map((account) => {
    const { missing, months, status } = uploadAccount(session, account)
    return {
      account_id: account.id,
      account_number: masked(account.accountNumber),
      bank_name: account.bankName,
      created_at: Dates.timestamp(account.createdAt),
      last_updated_at: Dates.timestamp(account.lastUpdatedAt),
      statements: account.statements.map((statement) => uploadStatement(session, statement)),
      account_status: status,
      months: months.map(Dates.yearMonth),
      missing_data: missing
    }
  }),
  session_date_range: sessionDateRange(session)
})

const unparsableMessage = "Failed to process because of an unparsable statement"

/**
 * The session status call's body (2025 form) for a completed session.
 *
 * @internal
 */
export const sessionStatusBody = (session: Timeline.Session) => {
  const accounts = accountsOf(session)
  return {
    session_id: session.id,
    insights_available: accounts.some((a) => a.outcome.status === "completed"),
    accounts: accounts.map((account) => ({
      account_id: account.id,
      account_number: masked(account.accountNumber),
      bank_name: account.bankName,
      name: account.name,
      account_category: "individual",
      account_type: "SAVINGS",
      full_bank_name: Banks.fullName(account.bankName),
      attempt_types: [account.source.toUpperCase()],
      account_status: account.outcome.status,
      error_code: account.outcome.status === "failed" ? account.outcome.errorCode : null,
      error_message: Timeline.errorMessage(account.outcome),
      created_at: Dates.timestamp(account.createdAt),
      last_updated_at: Dates.timestamp(account.lastUpdatedAt),
      statements: account.statements.map((statement) => ({
        statement_id: statement.id,
        statement_status: statement.unparsable ? "failed" : "completed",
        error_code: statement.unparsable ? "UNPARSABLE" : null,
        error_message: statement.unparsable ? unparsableMessage : null,
        source: account.source,
        created_at: Dates.isoMicros(statement.createdAt)
      }))
    }))
  }
}

/** How long a PDF is kept after its upload: 30 days, then `pdf_url` is `""`. @internal */
export const pdfRetentionMillis = 30 * 86_400_000

/**
 * The `get_pdfs` call's body; `link` signs a statement's PDF link.
 *
 * @internal
 */
export const getPdfsBody = (
  session: Timeline.Session,
  now: number,
  link: (statementId: string) => string
) => ({
  statements: accountsOf(session).flatMap((account) =>
    account.statements.map((statement) => ({
      statement_id: statement.id,
      account_id: account.id,
      bank_name: account.bankName,
      pdf_password: statement.password,
      pdf_url: now - statement.createdAt >= pdfRetentionMillis ? "" : link(statement.id),
      source: "PDF",
      message: statement.unparsable ? "Not a Statement" : "Success"
    }))
  )
})
