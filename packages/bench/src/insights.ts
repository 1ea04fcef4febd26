/**
 * `pnpm bench insights` (run on its own; not part of the full run's report): a 12-month,
 * 5,000-transaction insights body from the simulator, decoded as the client decodes it.
 * Prints, per decoding, the median time over the runs and the longest time the event loop
 * was blocked (a `setImmediate` probe running alongside): `Insights.decode` yields between
 * slices, so other work goes on while a body of megabytes is decoded.
 */
import { Insights } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

const runs = 15

/** The longest gap between `setImmediate` turns while `work` runs, in ms. */
const blocked = async (work: () => Promise<unknown>): Promise<{ readonly total: number; readonly longest: number }> => {
  let longest = 0
  let last = performance.now()
  let running = true
  const probe = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(probe)
  }
  setImmediate(probe)
  const started = performance.now()
  await work()
  const total = performance.now() - started
  running = false
  longest = Math.max(longest, performance.now() - last)
  return { total, longest }
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const body = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const sim = yield* Simulator.make()
  const { sessionId } = yield* sim.createSession({
    stageMillis: { identity: 1, transaction: 1, processing: 1, fraud: 1 },
    insights: { months: 12, transactions: 5_000, seed: 7 }
  })
  yield* Effect.sleep("200 millis")
  return yield* Effect.promise(() =>
    fetch(`${sim.baseUrl}/v1/session_data/${sessionId}/insights/`, {
      headers: { "x-api-key": sim.apiKey, "server-hash": sim.serverHash }
    }).then((response) => response.text())
  )
})))

const schema = Schema.decodeUnknownEither(Insights.Insights)
const rows: Array<[string, number, number]> = []
const measure = async (name: string, work: () => Promise<unknown>) => {
  const totals: Array<number> = []
  const longest: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const run = await blocked(work)
    totals.push(run.total)
    longest.push(run.longest)
  }
  rows.push([name, median(totals), median(longest)])
}
const check = (decoded: Either.Either<unknown, unknown>) => {
  if (Either.isLeft(decoded)) throw new Error("the insights body does not decode")
}

await measure("JSON.parse", async () => JSON.parse(body))
await measure(
  "JSON.parse + Schema.decodeUnknownEither(Insights) (one block)",
  async () => check(schema(JSON.parse(body)))
)
await measure(
  "JSON.parse + Insights.decodeEither (fast path, one block)",
  async () => check(Insights.decodeEither(JSON.parse(body)))
)
await measure("JSON.parse + Insights.decode (fast path, in slices)", async () => {
  const json = JSON.parse(body)
  await Effect.runPromise(Insights.decode(json))
})

const transactions = (JSON.parse(body) as { accounts: Array<{ data: { transactions: Array<unknown> } }> }).accounts
  .reduce((n, account) => n + account.data.transactions.length, 0)
console.log(
  `insights body: ${(body.length / 1024 / 1024).toFixed(2)} MB, ${transactions} transactions, 12 months; ` +
    `median of ${runs} runs (wall ms)\n`
)
console.log("| decoding | total ms | event loop blocked at most, ms |")
console.log("|---|---|---|")
for (const [name, total, longest] of rows) console.log(`| ${name} | ${total.toFixed(1)} | ${longest.toFixed(1)} |`)
