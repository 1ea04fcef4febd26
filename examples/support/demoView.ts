/**
 * What the demo shows: per session and statement, each stage's status; the webhooks as
 * they arrive; each session's outcome. `render` is pure; `makeDisplay` draws it in place
 * on a terminal, or prints plain lines of what changed otherwise.
 */
import { type Completion, Progress, type Webhook } from "@effect-bankconnect/client"

export interface SessionView {
  /** A short name, such as `A`. */
  readonly tag: string
  readonly sessionId: string
  readonly progress: Progress.SessionProgress | undefined
  readonly result: Completion.Result | undefined
}

export interface View {
  readonly header: ReadonlyArray<string>
  readonly sessions: ReadonlyArray<SessionView>
  readonly events: ReadonlyArray<string>
}

const mark = (status: string | null) =>
  status === "completed" ? "done" : status === "failed" ? "FAILED" : status === null ? "-" : status

const short = (id: string | null) => (id ?? "(no id)").slice(0, 8)

const monthLabel = (m: Webhook.YearMonth) =>
  new Date(Date.UTC(m.year, m.month - 1)).toLocaleString("en", { month: "short", year: "numeric", timeZone: "UTC" })

/** One line per account of a completed session: its outcome, and why it failed. */
export const outcomeLines = (result: Completion.Result): ReadonlyArray<string> => {
  const head = `completed, seen by ${result.via}${result.via === "webhook" ? " (confirmed by one progress call)" : ""}`
  const accounts = result.webhook._tag === "Some" ? result.webhook.value.accounts : []
  return [
    head,
    ...accounts.map((account) => {
      const failure = account.failure
      if (failure === null) return `account ${account.bank_name ?? ""} ${short(account.account_id)}: completed`
      const detail = failure._tag === "IncompleteMonths" || failure._tag === "IncompleteMonthsUpload"
        ? `: no transactions for ${failure.months.map(monthLabel).join(", ")}`
        : ""
      return `account ${account.bank_name ?? ""} ${short(account.account_id)}: FAILED ${failure.code}${detail}`
    })
  ]
}

/** Statement lines, each stage's status in order. */
const statementLines = (tag: string, progress: Progress.SessionProgress) =>
  progress.progress.map((statement) =>
    (`    ${tag} statement ${short(statement.statement_id)}  ` +
      Progress.stages.map((stage) => `${stage.replace("_status", "")} ${mark(statement[stage]).padEnd(10)}`).join(" "))
      .trimEnd()
  )

export const render = (view: View): ReadonlyArray<string> => [
  ...view.header,
  "",
  ...view.sessions.flatMap((session) => [
    `  session ${session.tag} ${session.sessionId}: ${
      session.progress === undefined ? "starting" : Progress.summary(session.progress).replace(/^session \S+: /, "")
    }`,
    ...(session.progress === undefined ? [] : statementLines(session.tag, session.progress)),
    ...(session.result === undefined ? [] : outcomeLines(session.result).map((line) => `    ${session.tag} => ${line}`))
  ]),
  "",
  ...view.events.map((event) => `  ${event}`)
]

export interface Display {
  readonly draw: (view: View) => void
  readonly finish: () => void
}

/** In place on a terminal: each draw replaces the previous one. */
const live = (out: NodeJS.WriteStream): Display => {
  let height = 0
  return {
    draw: (view) => {
      const lines = render(view)
      out.write((height > 0 ? `\x1b[${height}F\x1b[J` : "") + lines.join("\n") + "\n")
      height = lines.length
    },
    finish: () => {}
  }
}

/** Plain lines: the header once, then each line that was not shown before. */
const plain = (write: (line: string) => void): Display => {
  const shown = new Set<string>()
  return {
    draw: (view) => {
      for (const line of render(view)) {
        if (line === "" || shown.has(line)) continue
        shown.add(line)
        write(line.trimStart())
      }
    },
    finish: () => {}
  }
}

/** Live on a terminal, plain when output is not a terminal or `CI=true`. */
export const makeDisplay = (): Display =>
  process.stdout.isTTY === true && process.env.CI !== "true"
    ? live(process.stdout)
    : plain((line) => process.stdout.write(`${line}\n`))
