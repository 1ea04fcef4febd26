/**
 * `pnpm bench`: runs every benchmark, prints a markdown table, and writes the results with
 * the machine they ran on to `packages/bench/results/latest.json`.
 */
import { writeFileSync } from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import * as Decode from "./decode.js"
import { type Result, table } from "./harness.js"
import * as RequestOverhead from "./requestOverhead.js"

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`
}

const results: Array<Result> = []
for (const [name, benchmark] of [["decode", Decode], ["request overhead", RequestOverhead]] as const) {
  process.stderr.write(`running ${name}...\n`)
  results.push(...await benchmark.run())
}

console.log(table(results))
console.log(`\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`)
const out = fileURLToPath(new URL("../results/latest.json", import.meta.url))
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2) + "\n")
