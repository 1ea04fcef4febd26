import * as Limits from "../Limits.js"
import * as Dates from "./dates.js"
import * as Faults from "./faults.js"
import * as Lifecycle from "./lifecycle.js"
import type * as Timeline from "./timeline.js"

/**
 * The insights call's body, made up from the session and its scenario's `insights`
 * settings: the same seed, session and clock give the same body, byte for byte. Money is
 * drawn from the seeded generator; nothing reads the wall clock or `Math.random`.
 */

type Kind =
  | "salary"
  | "rent"
  | "emi"
  | "loan"
  | "upi_debit"
  | "upi_credit"
  | "self"
  | "atm"
  | "neft_credit"
  | "bill"

interface Txn {
  readonly transaction_type: "credit" | "debit"
  readonly transaction_note: string
  readonly chq_num: string
  readonly amount: number
  readonly balance: number
  readonly date: string
  readonly hash: string
  readonly category: string
  readonly metadata: {
    readonly unclean_merchant: string
    readonly transaction_channel: string
    readonly description: string
  }
}

interface Made {
  readonly txn: Txn
  readonly kind: Kind
  readonly day: number
  readonly month: number
}

const merchants = ["SWIGGY", "ZOMATO", "AMAZON", "FLIPKART", "BIGBASKET", "UBER", "OLA", "MYNTRA", "DMART"] as const
const categories: Record<string, string> = {
  SWIGGY: "Food",
  ZOMATO: "Food",
  AMAZON: "Shopping",
  FLIPKART: "Shopping",
  BIGBASKET: "Groceries",
  UBER: "Travel",
  OLA: "Travel",
  MYNTRA: "Shopping",
  DMART: "Groceries"
}
const people = ["RAVI KUMAR", "SNEHA PATIL", "AMIT SINGH", "POOJA REDDY", "VIKRAM JOSHI"] as const
const billers = ["JIO PREPAID", "AIRTEL POSTPAID", "BESCOM", "TATA POWER", "ACT FIBERNET"] as const
const employer = "ACME TECHNOLOGIES PVT LTD"
const lender = "BAJAJ FINANCE"

const money = (x: number) => Math.round(x * 100) / 100

const hex8 = (random: () => number) => Math.floor(random() * 4294967296).toString(16).padStart(8, "0")

const pick = <A>(random: () => number, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

const flat = (txn: Txn) => ({
  transaction_type: txn.transaction_type,
  transaction_note: txn.transaction_note,
  chq_num: txn.chq_num,
  amount: txn.amount,
  balance: txn.balance,
  date: txn.date,
  hash: txn.hash,
  category: txn.category,
  transaction_channel: txn.metadata.transaction_channel,
  merchant_category: txn.category,
  description: txn.metadata.description
})

/** What one kind of transaction looks like: its type, note, category, channel and description. */
const describe = (kind: Kind, random: () => number, name: string, upiRef: string) => {
  switch (kind) {
    case "salary":
      return ["credit", `NEFT/SALARY/${employer}`, "Salary", employer, "Other", "salary"] as const
    case "rent":
      return ["debit", `IMPS/RENT/${pick(random, people)}`, "Rent", "RENT", "net_banking_transfer", "rent"] as const
    case "emi":
      return ["debit", `ACH/${lender}/EMI`, "EMI", lender, "auto_debit_payment", "lender_transaction"] as const
    case "loan":
      return [
        "credit",
        "MUTHOOT FINANCE/GOLDEN GROWTH",
        "Loan Disbursed",
        "MUTHOOT FINANCE",
        "Other",
        "lender_transaction"
      ] as const
    case "upi_debit": {
      const merchant = pick(random, merchants)
      return ["debit", `UPI/P2M/${upiRef}/${merchant}/UPI`, categories[merchant]!, merchant, "upi", ""] as const
    }
    case "upi_credit": {
      const person = pick(random, people)
      return ["credit", `UPI/P2A/${upiRef}/${person}/UPI`, "Transfers", person, "upi", ""] as const
    }
    case "self":
      return ["debit", `UPI/P2A/${upiRef}/${name} /UPI/SELF`, "Self Transfer", name, "upi", "self_transfer"] as const
    case "atm":
      return ["debit", `ATM WDL/${upiRef.slice(0, 6)}`, "Cash Withdrawal", "ATM", "cash_withdrawl", ""] as const
    case "neft_credit": {
      const person = pick(random, people)
      return [
        "credit",
        `NEFT/${person}/${upiRef.slice(0, 8)}`,
        "Transfers",
        person,
        "net_banking_transfer",
        ""
      ] as const
    }
    case "bill": {
      const biller = pick(random, billers)
      return ["debit", `BILLPAY/${biller}`, "Bills", biller, "bill_payment", ""] as const
    }
  }
}

const amountOf = (kind: Kind, random: () => number, salary: number): number => {
  switch (kind) {
    case "salary":
      return salary
    case "rent":
      return money(salary * 0.3)
    case "emi":
      return money(salary * 0.12)
    case "loan":
      return money(10_000 + random() * 40_000)
    case "upi_debit":
      return money(50 + random() * 2_500)
    case "upi_credit":
      return money(100 + random() * 5_000)
    case "self":
      return money(500 + random() * 8_000)
    case "atm":
      return 500 * (1 + Math.floor(random() * 10))
    case "neft_credit":
      return money(1_000 + random() * 15_000)
    case "bill":
      return money(200 + random() * 2_000)
  }
}

const randomKinds: ReadonlyArray<Kind> = [
  "upi_debit",
  "upi_debit",
  "upi_debit",
  "upi_debit",
  "upi_credit",
  "self",
  "atm",
  "neft_credit",
  "bill",
  "bill"
]

/** The span of an account's data: its months, first and last day. */
interface Span {
  readonly months: ReadonlyArray<number>
  readonly start: number
  readonly end: number
}

const spanOf = (session: Timeline.Session): Span => {
  const windowMonths = Lifecycle.windowMonths(session)
  const count = session.scenario.insights?.months ?? Math.min(windowMonths.length, 12)
  const last = Dates.monthOfDay(session.window.to)
  const first = last - count + 1
  const months = Dates.monthsBetween(first, last)
  const start = first === Dates.monthOfDay(session.window.from) ? session.window.from : Dates.firstDay(first)
  return { months, start: Math.min(start, session.window.to), end: session.window.to }
}

/** The transactions of one account, oldest first, with their balances. */
const transactions = (
  random: () => number,
  span: Span,
  count: number,
  name: string,
  opening: number
): Array<Made> => {
  const salary = money(25_000 + random() * 75_000)
  const fixedPerMonth = count >= 3 * span.months.length ? 3 : count >= span.months.length ? 1 : 0
  const events: Array<{ day: number; kind: Kind }> = []
  for (const month of span.months) {
    const first = Math.max(span.start, Dates.firstDay(month))
    const last = Math.min(span.end, Dates.lastDay(month))
    if (fixedPerMonth === 0 || first > last) continue
    const at = (dayOfMonth: number) => Math.min(last, Math.max(first, Dates.firstDay(month) + dayOfMonth - 1))
    events.push({ day: at(1), kind: "salary" })
    if (fixedPerMonth === 3) {
      events.push({ day: at(5), kind: "rent" })
      events.push({ day: at(7), kind: "emi" })
    }
  }
  const spanDays = span.end - span.start + 1
  for (let i = events.length; i < count; i++) {
    const kind: Kind = random() < 0.01 ? "loan" : pick(random, randomKinds)
    events.push({ day: span.start + Math.floor(random() * spanDays), kind })
  }
  events.sort((a, b) => a.day - b.day)
  let balance = opening
  return events.map(({ day, kind }) => {
    const upiRef = String(100_000_000_000 + Math.floor(random() * 899_999_999_999))
    const [type, note, category, merchant, channel, description] = describe(kind, random, name, upiRef)
    const amount = amountOf(kind, random, salary)
    balance = money(type === "credit" ? balance + amount : balance - amount)
    return {
      kind,
      day,
      month: Dates.monthOfDay(day),
      txn: {
        transaction_type: type,
        transaction_note: note,
        chq_num: "",
        amount,
        balance,
        date: Dates.dayTimestamp(day),
        hash: hex8(random) + hex8(random) + hex8(random) + hex8(random),
        category,
        metadata: { unclean_merchant: merchant, transaction_channel: channel, description }
      }
    }
  })
}

type Metrics = Record<string, Record<string, unknown>>

const numericMetrics = [
  "total_credit",
  "total_debit",
  "cnt_credit",
  "cnt_debit",
  "cnt_transactions",
  "opening_balance",
  "closing_balance",
  "min_bal",
  "max_bal",
  "avg_bal",
  "net_cash_inflow",
  "total_salary",
  "cnt_salary",
  "total_emi",
  "cnt_emi",
  "total_upi_credit",
  "cnt_upi_credit",
  "total_upi_debit",
  "cnt_upi_debit",
  "total_self_transfer",
  "total_atm_withdrawal",
  "cnt_atm_withdrawal",
  "total_loan_credit",
  "avg_credit_amount",
  "avg_debit_amount",
  "max_credit",
  "max_debit",
  "cnt_bounce",
  "total_bounce"
] as const

/** Per month: the EOD balances (index = day − 1, null outside the data) and the metrics. */
const monthly = (made: ReadonlyArray<Made>, span: Span, opening: number) => {
  const metrics: Metrics = {}
  for (const name of numericMetrics) metrics[name] = {}
  for (const name of ["no_of_days_to_serve_cc_interest", "start_date", "transaction_start_date"]) metrics[name] = {}
  metrics.highest_salary_date = {}
  metrics.loan_emi = {}
  const eod: Record<string, Array<number | null>> = {}
  const starts: Array<string> = []
  let i = 0
  let balance = opening
  for (const month of span.months) {
    const first = Math.max(span.start, Dates.firstDay(month))
    const last = Math.min(span.end, Dates.lastDay(month))
    const key = Dates.monYyyy(month)
    const days: Array<number | null> = Array.from(
      { length: Dates.lastDay(month) - Dates.firstDay(month) + 1 },
      () => null
    )
    const open = balance
    let credit = 0, debit = 0, nCredit = 0, nDebit = 0, salary = 0, nSalary = 0, emi = 0, nEmi = 0
    let upiCredit = 0, nUpiCredit = 0, upiDebit = 0, nUpiDebit = 0, self = 0, atm = 0, nAtm = 0, loan = 0
    let maxCredit = 0, maxDebit = 0, eodSum = 0, eodDays = 0
    let min = Infinity, max = -Infinity
    let salaryDate: string | null = null
    let salaryTop = 0
    const emis: Array<{ date: string; amount: number }> = []
    for (let day = first; day <= last; day++) {
      for (; i < made.length && made[i]!.day === day; i++) {
        const { kind, txn } = made[i]!
        balance = txn.balance
        if (txn.transaction_type === "credit") {
          credit += txn.amount
          nCredit++
          maxCredit = Math.max(maxCredit, txn.amount)
        } else {
          debit += txn.amount
          nDebit++
          maxDebit = Math.max(maxDebit, txn.amount)
        }
        if (kind === "salary") {
          salary += txn.amount
          nSalary++
          if (txn.amount >= salaryTop) {
            salaryTop = txn.amount
            salaryDate = Dates.isoDay(day)
          }
        }
        if (kind === "emi") {
          emi += txn.amount
          nEmi++
          emis.push({ date: txn.date, amount: txn.amount })
        }
        if (kind === "upi_credit") {
          upiCredit += txn.amount
          nUpiCredit++
        }
        if (kind === "upi_debit" || kind === "self") {
          upiDebit += txn.amount
          nUpiDebit++
        }
        if (kind === "self") self += txn.amount
        if (kind === "atm") {
          atm += txn.amount
          nAtm++
        }
        if (kind === "loan") loan += txn.amount
        min = Math.min(min, txn.balance)
        max = Math.max(max, txn.balance)
      }
      days[day - Dates.firstDay(month)] = balance
      eodSum += balance
      eodDays++
      min = Math.min(min, balance)
      max = Math.max(max, balance)
    }
    eod[Dates.monYy(month)] = days
    if (first > last) continue
    starts.push(Dates.ddMonYy(first))
    const values: Record<(typeof numericMetrics)[number], number | null> = {
      total_credit: money(credit),
      total_debit: money(debit),
      cnt_credit: nCredit,
      cnt_debit: nDebit,
      cnt_transactions: nCredit + nDebit,
      opening_balance: open,
      closing_balance: balance,
      min_bal: money(min),
      max_bal: money(max),
      avg_bal: eodDays === 0 ? null : money(eodSum / eodDays),
      net_cash_inflow: money(credit - debit),
      total_salary: money(salary),
      cnt_salary: nSalary,
      total_emi: money(emi),
      cnt_emi: nEmi,
      total_upi_credit: money(upiCredit),
      cnt_upi_credit: nUpiCredit,
      total_upi_debit: money(upiDebit),
      cnt_upi_debit: nUpiDebit,
      total_self_transfer: money(self),
      total_atm_withdrawal: money(atm),
      cnt_atm_withdrawal: nAtm,
      total_loan_credit: money(loan),
      avg_credit_amount: nCredit === 0 ? null : money(credit / nCredit),
      avg_debit_amount: nDebit === 0 ? null : money(debit / nDebit),
      max_credit: nCredit === 0 ? null : maxCredit,
      max_debit: nDebit === 0 ? null : maxDebit,
      cnt_bounce: 0,
      total_bounce: 0
    }
    for (const name of numericMetrics) metrics[name]![key] = values[name]
    metrics.no_of_days_to_serve_cc_interest![key] = "0"
    metrics.start_date![key] = Dates.ddMonYyyy(first)
    metrics.transaction_start_date![key] = Dates.ddMonYy(first)
    metrics.highest_salary_date![key] = salaryDate
    metrics.loan_emi![key] = emis.length === 0 ? {} : { bajajfi: emis }
  }
  return { metrics, eod, starts }
}

/** The metrics of several accounts together: sums, except minimums, maximums and averages. */
const aggregate = (all: ReadonlyArray<Metrics>): Metrics => {
  const out: Metrics = {}
  for (const metrics of all) {
    for (const [name, byMonth] of Object.entries(metrics)) {
      const target = (out[name] ??= {})
      for (const [month, value] of Object.entries(byMonth)) {
        const before = target[month]
        if (typeof value !== "number") {
          if (name === "loan_emi") {
            const merged = { ...(before as Record<string, unknown> | undefined) }
            for (const [key, list] of Object.entries(value as Record<string, Array<unknown>>)) {
              merged[key] = [...((merged[key] as Array<unknown> | undefined) ?? []), ...list]
            }
            target[month] = merged
          } else if (before === undefined || before === null) {
            target[month] = value
          }
          continue
        }
        if (typeof before !== "number") target[month] = value
        else if (name.startsWith("min_")) target[month] = Math.min(before, value)
        else if (name.startsWith("max_")) target[month] = Math.max(before, value)
        else if (name.startsWith("avg_")) target[month] = money((before + value) / 2)
        else target[month] = money(before + value)
      }
    }
  }
  return out
}

const predictorNames: ReadonlyArray<readonly [string, string]> = [
  ["income", "total_credit"],
  ["expense", "total_debit"],
  ["avg_balance", "avg_bal"],
  ["opening_balance", "opening_balance"],
  ["closing_balance", "closing_balance"],
  ["min_balance", "min_bal"],
  ["max_balance", "max_bal"],
  ["credit_count", "cnt_credit"],
  ["debit_count", "cnt_debit"],
  ["salary", "total_salary"],
  ["emi", "total_emi"],
  ["upi_credit", "total_upi_credit"],
  ["upi_debit", "total_upi_debit"],
  ["net_cash_inflow", "net_cash_inflow"],
  ["bounce_count", "cnt_bounce"]
]

const predictors = (
  metrics: Metrics,
  span: Span,
  made: ReadonlyArray<Made>,
  fraud: boolean
): Record<string, number | string | boolean | null> => {
  const out: Record<string, number | string | boolean | null> = {}
  const last = span.months[span.months.length - 1] ?? 0
  for (let i = 0; i < 12; i++) out[`month_${i}`] = i < span.months.length ? Dates.monYy(last - i) : null
  for (const [name, metric] of predictorNames) {
    for (let i = 0; i < 12; i++) {
      const value = i < span.months.length ? metrics[metric]?.[Dates.monYyyy(last - i)] : undefined
      out[`${name}_${i}`] = typeof value === "number" ? value : null
    }
  }
  const salaries = made.filter((m) => m.kind === "salary").length
  const mean = (metric: string) => {
    const values = Object.values(metrics[metric] ?? {}).filter((v): v is number => typeof v === "number")
    return values.length === 0 ? null : money(values.reduce((a, b) => a + b, 0) / values.length)
  }
  out.author_fraud = fraud
  out.is_salaried = salaries > 0
  out.bank_connect_status = "Verified"
  out.salary_confidence_v2 = salaries >= span.months.length ? "Very High" : salaries > 0 ? "Medium" : "None"
  out.start_date = Dates.ddMonYy(span.start)
  out.end_date = Dates.ddMonYy(span.end)
  out.avg_monthly_income = mean("total_credit")
  out.avg_monthly_expense = mean("total_debit")
  out.avg_eod_balance = mean("avg_bal")
  out.total_transactions = made.length
  out.months_of_data = span.months.length
  return out
}

const topLists = (made: ReadonlyArray<Made>, span: Span) => {
  const byMonth = new Map<number, { credit: Array<Txn>; debit: Array<Txn> }>()
  for (const month of span.months) byMonth.set(month, { credit: [], debit: [] })
  for (const { month, txn } of made) byMonth.get(month)?.[txn.transaction_type].push(txn)
  const top = (type: "credit" | "debit") =>
    span.months.map((month) => ({
      month: Dates.monYy(month),
      data: [...(byMonth.get(month)?.[type] ?? [])]
        .sort((a, b) => b.amount - a.amount)
        .slice(0, 5)
        .map((txn) => ({ ...txn, date: Dates.ddMonYy(Dates.parseIsoDay(txn.date.slice(0, 10)) ?? 0) }))
    }))
  return [{ type: "top_5_debit", data: top("debit") }, { type: "top_5_credit", data: top("credit") }]
}

const recurring = (made: ReadonlyArray<Made>, accountId: string) => {
  const group = (kind: Kind, channel: string, note: string) => {
    const list = made.filter((m) => m.kind === kind)
    if (list.length < 2) return []
    const amounts = list.map((m) => m.txn.amount).sort((a, b) => a - b)
    return [{
      account_id: accountId,
      transaction_channel: channel,
      clean_transaction_note: note,
      median: amounts[Math.floor(amounts.length / 2)]!,
      start_date: list[0]!.txn.date,
      end_date: list[list.length - 1]!.txn.date,
      transactions: list.map((m) => flat(m.txn))
    }]
  }
  return {
    debit_transactions: [...group("emi", "AUTO_DEBIT_PAYMENT", lender), ...group("rent", "OTHER", "RENT")],
    credit_transactions: group("salary", "OTHER", employer)
  }
}

const expenseCategories = (made: ReadonlyArray<Made>) => {
  const totals = new Map<string, number>()
  let all = 0
  for (const { txn } of made) {
    if (txn.transaction_type !== "debit") continue
    totals.set(txn.category, (totals.get(txn.category) ?? 0) + txn.amount)
    all += txn.amount
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([category, total]) => ({ category, percentage: Math.round((100 * total) / all) }))
}

/**
 * The insights body of a completed session. `link` signs a path of the simulator's.
 *
 * @internal
 */
export const insightsBody = (session: Timeline.Session, link: (path: string) => string) => {
  const accounts = Lifecycle.accountsOf(session)
  const settings = session.scenario.insights
  const span = spanOf(session)
  const perAccount = Math.min(
    settings?.transactions ?? 4 * span.months.length,
    Math.floor(Limits.maxTransactionsPerSession / Math.max(1, accounts.length))
  )
  const seed = settings?.seed ?? Lifecycle.hashText(session.id)
  const allMetrics: Array<Metrics> = []
  const reports = `/__simulator/reports/${encodeURIComponent(session.id)}`
  const data = accounts.map((account, a) => {
    const random = Faults.seededRandom((seed + Math.imul(a + 1, 0x9e3779b1)) >>> 0)
    const unparsable = account.outcome.status === "failed" && account.outcome.errorCode === "UNPARSABLE"
    const opening = money(5_000 + random() * 45_000)
    const made = transactions(random, span, unparsable ? 0 : perAccount, account.name, opening)
    const { eod, metrics, starts } = monthly(made, span, opening)
    allMetrics.push(metrics)
    const fraudulent = account.statements.filter((s) => s.isFraud)
    const months = Lifecycle.accountMonths(account)
    const firstTxn = made[0]
    const lastTxn = made[made.length - 1]
    return {
      account_id: account.id,
      data: {
        account_details: {
          name: account.name,
          address: "12 MG ROAD, BENGALURU 560001",
          account_number: account.accountNumber,
          bank: account.bankName,
          account_category: "individual",
          ifsc: `${account.bankName.slice(0, 4).toUpperCase().padEnd(4, "X")}0001234`,
          micr: "560002001",
          credit_limit: null,
          od_limit: null,
          salary_confidence: made.some((m) => m.kind === "salary") ? "High" : null,
          account_opening_date: null,
          statements: account.statements.map((s) => s.id),
          months: months.map(Dates.yearMonth),
          uploaded_months: months.map(Dates.yearMonth),
          missing_data: Lifecycle.missingData(session, new Set(months)),
          account_date_range: { from_date: Dates.isoDay(span.start), to_date: Dates.isoDay(span.end) },
          transaction_date_range: {
            from_date: firstTxn === undefined ? null : Dates.isoDay(firstTxn.day),
            to_date: lastTxn === undefined ? null : Dates.isoDay(lastTxn.day)
          },
          country_code: "IN",
          currency_code: "INR",
          metadata_analysis: { name_matches: [] },
          dob: "",
          email: "",
          pan_number: "",
          phone_number: "",
          account_status: "",
          holder_type: ""
        },
        fraud: fraudulent.map((s) => ({
          statement_id: s.id,
          fraud_type: "author_fraud",
          transaction_hash: null,
          fraud_category: "metadata"
        })),
        fraud_details: { statement: [], account: [] },
        transactions: made.map((m) => m.txn),
        salary_transactions: made.filter((m) => m.kind === "salary").map((m) => ({
          ...m.txn,
          employer_name: employer,
          salary_month: Dates.monYyyy(m.month)
        })),
        lender_transactions: made.filter((m) => m.kind === "emi" || m.kind === "loan").map((m) => flat(m.txn)),
        self_and_sister_transactions: made.filter((m) => m.kind === "self").map((m) => flat(m.txn)),
        recurring_transactions: recurring(made, account.id),
        top_credits_debits: topLists(made, span),
        bounced_or_penal_transactions: [],
        statement_stats: account.statements.map((s) => {
          const range = Lifecycle.statementRange(session, s.months)
          const count = made.filter((m) => m.day >= range.from && m.day <= range.to).length
          return {
            statement_id: s.id,
            bank: account.bankName,
            source: "PDF",
            page_count: 1 + Math.floor(count / 30),
            transaction_count: count,
            from_date: Dates.dayTimestamp(range.from),
            to_date: Dates.dayTimestamp(range.to),
            upload_file_name: s.fileName,
            is_scanned_pdf: false
          }
        }),
        expense_categories: expenseCategories(made),
        monthly_analysis: metrics,
        predictors: predictors(metrics, span, made, fraudulent.length > 0),
        eod_balances: {
          Months_order: span.months.map(Dates.monYy),
          start_date: starts,
          ...eod,
          starting_balance: opening
        },
        score: 300 + Math.floor(random() * 600),
        xlsx_report_url: link(`${reports}/account_report_${encodeURIComponent(account.id)}.xlsx`)
      }
    }
  })
  return {
    session_id: session.id,
    link_id: session.linkId,
    session_date_range: { from_date: Dates.isoDay(session.window.from), to_date: Dates.isoDay(session.window.to) },
    accounts: data,
    aggregate_monthly_analysis: aggregate(allMetrics),
    aggregate_xlsx_report_url: link(`${reports}/entity_report_${encodeURIComponent(session.id)}.xlsx`),
    aggregate_xml_report_url: link(`${reports}/xml_report/entity_report_${encodeURIComponent(session.id)}.xml`)
  }
}
