import { expect } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import { flatTxn, reportUrl, txn2025 } from "./fixtures.js"

/**
 * Where two decoded values differ, or `undefined` when they are the same: the same
 * prototypes (so the same classes) all the way down, the same own keys, equal leaves, and
 * Redacted values with equal contents. `toStrictEqual` is not enough here: Effect's
 * equality tester compares `Data.Class` instances by their fields only, whatever their
 * class, and every Redacted value looks alike to a structural comparison.
 */
export const difference = (actual: unknown, expected: unknown, path: string = "(root)"): string | undefined => {
  if (Redacted.isRedacted(expected) || Redacted.isRedacted(actual)) {
    return Redacted.isRedacted(actual) && Redacted.isRedacted(expected) &&
        Redacted.value(actual) === Redacted.value(expected)
      ? undefined
      : `${path}: Redacted values differ`
  }
  if (typeof expected !== "object" || expected === null || typeof actual !== "object" || actual === null) {
    return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} is not ${String(expected)}`
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: prototypes differ`
  const actualKeys = Reflect.ownKeys(actual).map(String).sort()
  const expectedKeys = Reflect.ownKeys(expected).map(String).sort()
  if (actualKeys.join("\u0000") !== expectedKeys.join("\u0000")) {
    return `${path}: keys [${actualKeys.join(", ")}] are not [${expectedKeys.join(", ")}]`
  }
  for (const key of Reflect.ownKeys(expected)) {
    const found = difference(
      (actual as Record<PropertyKey, unknown>)[key],
      (expected as Record<PropertyKey, unknown>)[key],
      `${path}.${String(key)}`
    )
    if (found !== undefined) return found
  }
  return undefined
}

/** Asserts that two decoded values are the same (see {@link difference}). */
export const expectSameDecoding = (actual: unknown, expected: unknown): void => {
  expect(difference(actual, expected)).toBeUndefined()
}

/** An insights body with one account of `count` transactions and their usual repeats. */
export const largeInsights = (count: number) => {
  const transactions = Array.from({ length: count }, (_, index) =>
    txn2025({
      amount: (index % 997) + 0.5,
      balance: index * 3,
      hash: index.toString(16).padStart(32, "0"),
      transaction_note: `UPI/${index}/NAME ${index % 97}`
    }))
  const flats = Array.from({ length: Math.floor(count * 0.68) }, (_, index) => flatTxn({ amount: index }))
  const groups = Array.from({ length: 20 }, (_, group) => ({
    account_id: "a-1",
    transaction_channel: "UPI",
    clean_transaction_note: `COUNTERPARTY ${group}`,
    median: 5000,
    start_date: "2025-01-01 00:00:00",
    end_date: "2025-12-01 00:00:00",
    transactions: flats.slice(group * Math.floor(flats.length / 20), (group + 1) * Math.floor(flats.length / 20))
  }))
  const predictors: Record<string, unknown> = { month_0: "Nov-25" }
  for (let index = 0; index < 2160; index++) predictors[`predictor_${index}`] = index % 7 === 0 ? null : index * 1.5
  const monthly: Record<string, Record<string, unknown>> = {}
  for (let metric = 0; metric < 404; metric++) {
    monthly[`metric_${metric}`] = Object.fromEntries(
      ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map((
        m
      ) => [`${m}-2025`, metric])
    )
  }
  return {
    session_id: "s-1",
    accounts: [{
      account_id: "a-1",
      data: {
        transactions,
        lender_transactions: flats.slice(0, 200),
        recurring_transactions: { debit_transactions: groups.slice(0, 10), credit_transactions: groups.slice(10) },
        monthly_analysis: monthly,
        predictors,
        xlsx_report_url: reportUrl("account_report_a-1.xlsx")
      }
    }],
    aggregate_monthly_analysis: monthly
  }
}
