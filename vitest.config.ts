import { defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

/**
 * The few CPU-heavy test files start first, so that on a 2-core machine they run side by
 * side instead of one after another at the end (on a fresh clone vitest has no timings and
 * orders files by size, which puts these small files last).
 */
const heavyFirst = ["reliability/heap.test.ts", "reliability/hygiene.test.ts", "examples/test/examples.test.ts"]

class HeavyFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>) {
    const sorted = await super.sort(files)
    const rank = (file: TestSpecification) => {
      const index = heavyFirst.findIndex((name) => file.moduleId.endsWith(name))
      return index < 0 ? heavyFirst.length : index
    }
    return [...sorted].sort((a, b) => rank(a) - rank(b))
  }
}

// Global options only (the projects are in vitest.workspace.ts): vitest's default is one
// worker fewer than the cores, a single worker on a 2-core machine.
export default defineConfig({
  test: {
    pool: "forks",
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    sequence: { sequencer: HeavyFirst }
  }
})
