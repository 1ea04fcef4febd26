import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ratio } from "../src/harness.js"
import { generatedNotice, render, reportPath, type Results, resultsPath } from "../src/report.js"

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
