/**
 * `pnpm bench`: runs every benchmark, prints markdown tables, and writes the results with
 * the machine they ran on to `packages/bench/results/latest.json`, then renders the report
 * `docs/performance.md` from that file (`report.ts`). `pnpm bench receiver completion` runs
 * only those (of decode, requests, sessions, receiver, completion, tracker, replicas) and
 * writes nothing, but for the tracker and the replicas: whenever they run (`pnpm bench
 * tracker`, `pnpm bench replicas`), their section of `latest.json` is replaced, with its own date and machine, the other sections kept as they
 * are, and the report rendered again.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as Decode from "./decode.js"
import { table } from "./harness.js"
import * as ManySessions from "./manySessions.js"
import * as Replicas from "./replicas.js"
import * as Report from "./report.js"
import * as RequestOverhead from "./requestOverhead.js"
import * as TimeToCompletion from "./timeToCompletion.js"
import * as Tracker from "./tracker.js"
import * as WebhookReceiver from "./webhookReceiver.js"

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`
}

const benchmarks = ["decode", "requests", "sessions", "receiver", "completion", "tracker", "replicas"] as const
const chosen = process.argv.slice(2)
// `insights` runs only on its own, printing its table (`insights.ts`): it is not in the report
if (chosen.length === 1 && chosen[0] === "insights") {
  await import("./insights.js")
  process.exit(0)
}
const unknown = chosen.filter((name) => !(benchmarks as ReadonlyArray<string>).includes(name))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${benchmarks.join(", ")}, or insights alone`)
  process.exit(2)
}
const runs = (name: typeof benchmarks[number]) => chosen.length === 0 || chosen.includes(name)

const started = performance.now()
const step = async <A>(name: typeof benchmarks[number], run: () => Promise<A>): Promise<A | undefined> => {
  if (!runs(name)) return undefined
  process.stderr.write(`running ${name}...\n`)
  return run()
}

const decode = await step("decode", Decode.run)
const requests = await step("requests", RequestOverhead.run)
const sessions = await step("sessions", ManySessions.run)
const receiver = await step("receiver", WebhookReceiver.run)
const completion = await step("completion", TimeToCompletion.run)
const trackerStarted = performance.now()
const trackerCases = await step("tracker", Tracker.run)
const tracker: Tracker.TrackerResults | undefined = trackerCases && {
  date: new Date().toISOString(),
  machine,
  seconds: Math.round((performance.now() - trackerStarted) / 1000),
  cases: trackerCases
}
const replicasStarted = performance.now()
const replicasResult = await step("replicas", Replicas.run)
const replicas: Replicas.ReplicasResults | undefined = replicasResult && {
  date: new Date().toISOString(),
  machine,
  seconds: Math.round((performance.now() - replicasStarted) / 1000),
  result: replicasResult
}
const seconds = Math.round((performance.now() - started) / 1000)

/** The rows' findings (what remains of a missed target, as measured), one line each. */
const findings = (rows: ReadonlyArray<object>) =>
  rows.flatMap((row) => "finding" in row && typeof row.finding === "string" ? [`- ${row.finding}`] : []).join("\n")

const section = <A extends ReadonlyArray<object>>(
  title: string,
  results: A | undefined,
  render: (results: A) => string
) => results === undefined ? [] : [`### ${title}`, render(results), findings(results)].filter((part) => part !== "")

console.log(
  [
    ...section(
      "Decoding and request overhead",
      decode || requests ? [...decode ?? [], ...requests ?? []] : undefined,
      table
    ),
    ...section("Many sessions (2-second interval)", sessions, ManySessions.table),
    ...section("Webhook receiver", receiver, WebhookReceiver.table),
    ...section("Time to completion", completion, TimeToCompletion.table),
    ...section("Fleet tracker", trackerCases, (cases) => `${Tracker.table(cases)}\n\n${Tracker.targetsTable(cases)}`),
    ...section("Replicas on Postgres", replicasResult && [replicasResult], ([result]) => Replicas.table(result!)),
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ` +
    `the run took ${seconds} s.`
  ].join("\n\n")
)
const out = Report.resultsPath
const save = (results: object) => writeFileSync(out, JSON.stringify(results, null, 2) + "\n")
if (chosen.length === 0) {
  save({
    date: new Date().toISOString(),
    machine,
    seconds,
    decode,
    requests,
    sessions,
    receiver,
    completion,
    tracker,
    replicas
  })
  console.error(`wrote ${out} and ${Report.write(out)}`)
} else if (tracker !== undefined || replicas !== undefined) {
  // the tracker's and the replicas' sections alone: the others stay as the last full run left them
  const previous = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) as Report.Results : undefined
  if (previous === undefined) {
    console.error(`no ${out} to add these figures to: run the whole bench once`)
  } else {
    save({
      ...previous,
      ...(tracker === undefined ? {} : { tracker }),
      ...(replicas === undefined ? {} : { replicas })
    })
    console.error(
      `wrote the ${tracker === undefined ? "" : "tracker's "}${
        replicas === undefined ? "" : "replicas' "
      }section of ${out}, and ${Report.write(out)}`
    )
  }
}
