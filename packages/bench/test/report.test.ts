import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ratio } from "../src/harness.js"
import { generatedNotice, render, reportPath, type Results, resultsPath } from "../src/report.js"
import type * as Tracker from "../src/tracker.js"

// docs/performance.md is generated from results/latest.json: nobody edits it by hand, and
// its figures are the run's. No benchmark runs here.

const results = JSON.parse(readFileSync(resultsPath, "utf8")) as Results

/** The table that follows a `## title` heading in a rendered report. */
const tableOf = (report: string, title: string) => {
  const section = report.split(`\n## ${title}\n`)[1]?.split("\n## ")[0] ?? ""
  return section.split("\n").filter((line) => line.startsWith("|"))
}

const rowOf = (table: ReadonlyArray<string>, ...cells: ReadonlyArray<string>) =>
  table.find((line) => cells.every((cell) => line.includes(`| ${cell} |`)))

describe("the performance report", () => {
  it("docs/performance.md is the report rendered from results/latest.json", () => {
    // to fix a failure: pnpm --filter @effect-bankconnect/bench report
    expect(readFileSync(reportPath, "utf8")).toBe(render(results))
  })

  it("starts with the generated notice and names the run's machine", () => {
    const report = render(results)
    expect(report.split("\n")[0]).toBe(generatedNotice)
    const { machine } = results
    expect(report).toContain(
      `> ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ` +
        `the run ended ${results.date.slice(0, 10)} and took ${results.seconds} s.`
    )
  })

  it("has each benchmark's table, one row per result, with the figures of the JSON", () => {
    const report = render(results)
    const overhead = tableOf(report, "Decoding and request overhead")
    const sessions = tableOf(report, "Many sessions")
    const receiver = tableOf(report, "Webhook receiver")
    const completion = tableOf(report, "Time to completion")
    // a header and a separator, then the rows
    expect(overhead).toHaveLength(2 + results.decode!.length + results.requests!.length)
    expect(sessions).toHaveLength(2 + results.sessions!.length)
    expect(receiver).toHaveLength(2 + results.receiver!.length)
    expect(completion).toHaveLength(2 + results.completion!.length)

    const decode = results.decode!.find((r) => r.case === "100 statements")!
    expect(rowOf(overhead, "decode", "100 statements", ratio(decode))).toBeDefined()

    const undici = results.requests!.find((r) =>
      r.baseline.startsWith("undici request") && r.subject.includes("layerUndici")
    )!
    expect(rowOf(overhead, undici.baseline, undici.subject, ratio(undici))).toBeDefined()

    const inMemory = results.requests!.find((r) => r.ratioOn === "cpu")!
    expect(rowOf(overhead, inMemory.subject, `${inMemory.ratio.toFixed(2)}x (cpu)`)).toBeDefined()

    const watch = results.sessions!.find((r) =>
      r.transport === "in-memory" && r.watchers === 10_000 && r.contender.startsWith("watchProgress")
    )!
    expect(rowOf(sessions, "10,000", watch.contender, `${(watch.heapPerWatcherBytes / 1024).toFixed(1)} KB`))
      .toBeDefined()

    const serve = results.receiver!.find((r) => r.server.startsWith("Webhook.serve"))!
    expect(rowOf(receiver, serve.server, serve.requestsPerSecond.toFixed(0), `${serve.throughputRatio.toFixed(2)}x`))
      .toBeDefined()

    const polling = results.completion!.find((r) => r.path === "polling alone")!
    expect(rowOf(completion, "polling alone", polling.expectedBoundMs.toFixed(0))).toBeDefined()
  })

  it("takes its figures from the results, not from fixed text", () => {
    const changed: Results = {
      ...results,
      seconds: 4321,
      machine: { ...results.machine, cpu: "Some Other CPU", node: "v99.0.0" },
      receiver: results.receiver!.map((r) =>
        r.server.startsWith("Webhook.serve") ? { ...r, requestsPerSecond: 65432, throughputRatio: 0.75 } : r
      )
    }
    const report = render(changed)
    expect(report).toContain("Some Other CPU, ")
    expect(report).toContain("Node v99.0.0")
    expect(report).toContain("took 4321 s")
    expect(rowOf(tableOf(report, "Webhook receiver"), "65432", "0.75x")).toBeDefined()
    expect(report).toContain("at least 0.5x the raw server: met (0.75x)")
    expect(report).not.toBe(render(results))
  })

  it("shows each of the six targets beside this run's figure and verdict, and what remains of a missed one", () => {
    const withReceiver = (throughputRatio: number): Results => ({
      ...results,
      receiver: results.receiver!.map((r) =>
        r.server.startsWith("Webhook.serve") ? { ...r, throughputRatio, finding: "the finding of this run" } : r
      )
    })
    const targetsOf = (report: string) => tableOf(report, "Targets")
    const receiverRow = (report: string) => targetsOf(report).find((line) => line.includes("`Webhook.serve`"))
    // a header and a separator, then the six targets
    expect(targetsOf(render(results))).toHaveLength(2 + 6)

    const missed = render(withReceiver(0.4))
    expect(receiverRow(missed)).toContain("| at least 0.5x | 0.40x | missed |")
    expect(missed).toMatch(
      /^- \*\*`Webhook\.serve` .*\(0\.40x\): the finding of this run\. What would remove it: .+\.$/m
    )

    const met = render(withReceiver(0.75))
    expect(receiverRow(met)).toContain("| at least 0.5x | 0.75x | met |")
    expect(met).not.toContain("the finding of this run")

    const heap = results.sessions!.find((r) =>
      r.transport === "in-memory" && r.watchers === 10_000 && r.contender.startsWith("watchProgress")
    )!
    const heapRow = targetsOf(render(results)).find((line) => line.includes("heap per"))
    expect(heapRow).toContain(
      `| ${(heap.heapPerWatcherBytes / 1024).toFixed(1)} KB | ${
        heap.heapPerWatcherBytes / 1024 <= 36 ? "met" : "missed"
      } |`
    )

    const decode = results.decode!.map((r) => `${r.ratio.toFixed(2)}x`).join(" / ")
    expect(targetsOf(render(results)).find((line) => line.includes("`JSON.parse` + `Progress.decode` against")))
      .toContain(`| ${decode} |`)
  })

  it("leaves out a benchmark that did not run, and shows a figure with no sample as a dash", () => {
    const partial: Results = {
      date: results.date,
      machine: results.machine,
      seconds: results.seconds,
      // as JSON writes a figure with no sample
      sessions: [JSON.parse(JSON.stringify({
        ...results.sessions![0]!,
        snapshots: 0,
        firstSnapshotMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
        latenessMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
      }))]
    }
    const report = render(partial)
    expect(report).not.toContain("## Webhook receiver")
    expect(report).not.toContain("## Decoding and request overhead")
    // no target measured: no targets; the targets of the benchmarks that did not run say so
    expect(report).not.toContain("## Targets")
    const decodeOnly = render({
      date: results.date,
      machine: results.machine,
      seconds: results.seconds,
      decode: results.decode
    })
    expect(tableOf(decodeOnly, "Targets").filter((line) => line.endsWith("| - | not measured |"))).toHaveLength(5)
    expect(tableOf(report, "Many sessions")[2]).toContain("| - / - | - / - / - |")
  })
})

describe("the fleet tracker's section", () => {
  const trackerCase = (key: Tracker.CaseKey, figures: Partial<Tracker.CaseResult> = {}): Tracker.CaseResult => ({
    key,
    transport: key.includes("loopback") ? "loopback (simulator)" : "in-memory",
    contender: key.startsWith("watch") ? "watchProgress (maxRequestsInFlight 32)" : "tracker, memory store",
    sessions: key.endsWith("100k") ? 100_000 : key.endsWith("1k") ? 1_000 : 10_000,
    intervalMs: key.endsWith("100k") ? 30_000 : 2000,
    fallback: key.endsWith("100k"),
    startSeconds: 1,
    settleSeconds: 2.5,
    windowSeconds: 10,
    polls: 50_000,
    heapPerSessionBytes: 1500,
    cpu: 0.4,
    latenessMs: { p50: 1, p99: 20, max: 30 },
    roundTripMs: key.includes("loopback") ? { p50: 2, p99: 8, max: 12 } : null,
    storeWrites: key.startsWith("watch") ? null : 0,
    unchangedWrites: key.startsWith("watch") ? null : 0,
    failed: 0,
    ...figures
  })
  const allMet: ReadonlyArray<Tracker.CaseResult> = [
    trackerCase("watch-10k", { heapPerSessionBytes: 38_000, cpu: 0.9, latenessMs: { p50: 900, p99: 2500, max: 2600 } }),
    trackerCase("tracker-10k"),
    trackerCase("tracker-100k", { polls: 33_000, windowSeconds: 32, latenessMs: { p50: 1, p99: 60, max: 90 } }),
    trackerCase("libsql-10k", { cpu: 0.6 }),
    trackerCase("watch-loopback-1k", { polls: 5_000, latenessMs: { p50: 5, p99: 150, max: 200 } }),
    trackerCase("tracker-loopback-1k", { polls: 5_000, latenessMs: { p50: 3, p99: 40, max: 60 } })
  ]
  const withTracker = (cases: ReadonlyArray<Tracker.CaseResult>): Results => ({
    ...results,
    tracker: {
      date: "2030-01-02T03:04:05.000Z",
      machine: { ...results.machine, cpu: "The Tracker's CPU" },
      seconds: 234,
      cases
    }
  })
  /** The section's tables: the targets, then the cases. */
  const tablesOf = (report: string) => {
    const section = report.split("\n## Fleet tracker\n")[1]!.split("\n## ")[0]!
    return section.split("\n\n").filter((part) => part.startsWith("|")).map((part) =>
      part.split("\n").filter((line) => line.startsWith("|"))
    )
  }
  const sectionOf = (report: string) => report.split("\n## Fleet tracker\n")[1]!.split("\n## ")[0]!

  it("without the tracker's figures, says how to add them", () => {
    const { tracker: _, ...without } = results
    const section = sectionOf(render(without))
    expect(section).toContain("Not measured in these results: `pnpm bench tracker`")
    expect(section).not.toContain("|")
  })

  it("shows each target beside the tracker's figure and watchProgress's, with the tracker's own run", () => {
    const report = render(withTracker(allMet))
    expect(sectionOf(report)).toContain(
      `> The Tracker's CPU, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, ` +
        `${results.machine.platform}; the tracker's cases ended 2030-01-02 and took 234 s.`
    )
    const [targets, cases] = tablesOf(report)
    // a header and a separator, then the eight targets; the cases, one row each
    expect(targets).toHaveLength(2 + 8)
    expect(cases).toHaveLength(2 + allMet.length)
    expect(targets!.slice(2).every((line) => line.endsWith("| met |"))).toBe(true)
    const row = (measure: string) => targets!.find((line) => line.startsWith(`| ${measure}`))!
    expect(row("10,000 sessions at 2 s, memory store: CPU")).toContain(
      "| at most 0.5 core | 0.40 core | 0.90 core | met |"
    )
    expect(row("10,000 sessions at 2 s, memory store: heap")).toContain("| at most 2 KB | 1.46 KB | 37.11 KB | met |")
    expect(row("10,000 sessions at 2 s, memory store: p99")).toContain("| at most 50 ms | 20.0 ms | 2500 ms | met |")
    expect(row("100,000 sessions at a 30 s fallback interval, memory store: p99")).toContain(
      "| at most 100 ms | 60.0 ms | - | met |"
    )
    expect(row("1,000 sessions at 2 s against the simulator over loopback: p99")).toContain(
      "| at most 100 ms | 40.0 ms | 150 ms | met |"
    )
    expect(row("10,000 sessions at 2 s, libsql store (file): unchanged")).toContain("| none | 0 | - | met |")
    // nothing missed, so no remaining cost
    expect(sectionOf(report)).not.toContain("- **")
  })

  it("says what remains of a missed target, as the stub-client row measured it", () => {
    const missed = [
      ...allMet.filter((r) => r.key !== "tracker-10k" && r.key !== "libsql-10k"),
      // 0.9 core over 10 s for 50,000 polls: 180 µs a poll, where 0.5 core allows 100
      trackerCase("tracker-10k", { cpu: 0.9, latenessMs: { p50: 30, p99: 400, max: 500 } }),
      // the same without HTTP: 20 µs a poll
      trackerCase("stub-10k", { contender: "tracker, memory store, stub client (no HTTP)", cpu: 0.1 }),
      trackerCase("libsql-10k", { unchangedWrites: 12 })
    ]
    const report = render(withTracker(missed))
    const [targets, cases] = tablesOf(report)
    expect(cases).toHaveLength(2 + missed.length)
    const cpu = targets!.find((line) => line.startsWith("| 10,000 sessions at 2 s, memory store: CPU"))!
    expect(cpu).toContain("| 0.90 core | 0.90 core | missed |")
    const section = sectionOf(report)
    expect(section).toMatch(
      /^- \*\*10,000 sessions at 2 s, memory store: CPU \(1 = a core\)\*\* \(0\.90 core\): 0\.90 core at 5,000 polls a second, 180 µs of CPU a poll, where 0\.5 core at 5,000 polls a second allows 100 µs; with a stub client .* used 0\.10 core, 20 µs of CPU a poll, .*the other 160 µs a poll are the client's getProgress over HTTP .*\.$/m
    )
    expect(section).toMatch(/^- \*\*10,000 sessions at 2 s, memory store: p99 lateness\*\* \(400 ms\): p99 400 ms/m)
    expect(section).toMatch(
      /^- \*\*10,000 sessions at 2 s, libsql store \(file\): unchanged .*\(12\): 12 changes written/m
    )
    // the met ones have none
    expect(section).not.toMatch(/^- \*\*100,000/m)
  })

  it("judges CPU at the full rate when the polls fell behind it", () => {
    // 0.45 core for 2,000 polls a second of the 5,000 due: 225 µs a poll, 1.125 cores at the full rate
    const behind = allMet.map((r) => r.key === "tracker-10k" ? { ...r, cpu: 0.45, polls: 20_000 } : r)
    const [targets] = tablesOf(render(withTracker(behind)))
    expect(targets!.find((line) => line.startsWith("| 10,000 sessions at 2 s, memory store: CPU"))).toContain(
      "| at most 0.5 core | 0.45 core (1.13 at the full 5,000 polls a second) | 0.90 core | missed |"
    )
  })

  it("marks a target whose case did not run as not measured", () => {
    const [targets] = tablesOf(render(withTracker(allMet.filter((r) => r.key !== "libsql-10k"))))
    expect(targets!.filter((line) => line.endsWith("| not measured |"))).toHaveLength(2)
  })
})
