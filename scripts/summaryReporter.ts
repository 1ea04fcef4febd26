/**
 * A vitest reporter that ends the run with one plain line, `Summary: N passed, N failed`
 * (and `, N skipped` when some were), so CI can tell a green run from one that ran nothing.
 */
import type { Reporter } from "vitest/node"

interface Task {
  readonly type: string
  readonly mode: string
  readonly result?: { readonly state?: string } | undefined
  readonly tasks?: ReadonlyArray<Task>
}

export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<Task>) {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    const visit = (task: Task): void => {
      if (task.tasks !== undefined) return task.tasks.forEach(visit)
      if (task.type !== "test") return
      const state = task.result?.state
      if (state === "pass") counts.passed++
      else if (state === "fail") counts.failed++
      else counts.skipped++
    }
    files.forEach(visit)
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : ""
    process.stdout.write(`\nSummary: ${counts.passed} passed, ${counts.failed} failed${skipped}\n`)
  }
}
