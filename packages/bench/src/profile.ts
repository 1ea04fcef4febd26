/**
 * Where the time goes: runs a contender under V8's sampling CPU profiler (in this process,
 * through `node:inspector`) and sums the samples' self time per operation by where the code
 * lives (Effect, the platform, the client, Node, undici, the garbage collector). Two
 * profiles side by side say which part of a subject's extra cost is whose; the bench writes
 * that as a result's `finding`.
 */
import type { Profiler, Runtime } from "node:inspector"
import { Session } from "node:inspector/promises"

/** Self time per operation, µs, by category and by function. */
export interface Profile {
  readonly operations: number
  readonly totalMicros: number
  readonly categories: Readonly<Record<string, number>>
  readonly functions: Readonly<Record<string, number>>
}

const categoryOf = (frame: Runtime.CallFrame): string | undefined => {
  const { functionName, url } = frame
  if (functionName === "(idle)" || functionName === "(root)") return undefined
  if (functionName === "(garbage collector)") return "garbage collection"
  if (url.includes("/packages/client/")) return "the client"
  if (url.includes("/node_modules/@effect/platform-node")) return "@effect/platform-node"
  if (url.includes("/node_modules/@effect/platform/")) return "@effect/platform"
  if (url.includes("/node_modules/effect/")) return "effect"
  if (url.includes("undici")) return "undici"
  if (url.startsWith("node:")) return "Node"
  if (url === "") return "V8 and native code"
  return "other"
}

const nameOf = (frame: Runtime.CallFrame) => {
  const file = frame.url.split("/").pop() ?? ""
  return `${frame.functionName === "" ? "(anonymous)" : frame.functionName}${file === "" ? "" : ` (${file})`}`
}

/** Runs `run(operations)` under the profiler (sampling every 100 µs). */
export const profile = async (run: (n: number) => Promise<void>, operations: number): Promise<Profile> => {
  const session = new Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 100 })
    await session.post("Profiler.start")
    let result: Profiler.Profile
    try {
      await run(operations)
    } finally {
      result = (await session.post("Profiler.stop")).profile
    }
    await session.post("Profiler.disable")
    const frames = new Map(result.nodes.map((node) => [node.id, node.callFrame]))
    const categories: Record<string, number> = {}
    const functions: Record<string, number> = {}
    let totalMicros = 0
    const samples = result.samples ?? []
    const deltas = result.timeDeltas ?? []
    for (let i = 0; i < samples.length; i++) {
      const frame = frames.get(samples[i]!)
      const category = frame === undefined ? undefined : categoryOf(frame)
      if (frame === undefined || category === undefined) continue
      const micros = (deltas[i] ?? 0) / operations
      totalMicros += micros
      categories[category] = (categories[category] ?? 0) + micros
      const name = nameOf(frame)
      functions[name] = (functions[name] ?? 0) + micros
    }
    return { operations, totalMicros, categories, functions }
  } finally {
    session.disconnect()
  }
}

/** Profiles added up, per operation over all of them. */
const merge = (profiles: ReadonlyArray<Profile>): Profile => {
  const operations = profiles.reduce((sum, p) => sum + p.operations, 0)
  const add = (pick: (p: Profile) => Readonly<Record<string, number>>) => {
    const out: Record<string, number> = {}
    for (const p of profiles) {
      for (const [key, micros] of Object.entries(pick(p))) {
        out[key] = (out[key] ?? 0) + micros * p.operations / operations
      }
    }
    return out
  }
  return {
    operations,
    totalMicros: profiles.reduce((sum, p) => sum + p.totalMicros * p.operations, 0) / operations,
    categories: add((p) => p.categories),
    functions: add((p) => p.functions)
  }
}

/**
 * Profiles a subject and its baseline, `operations` each, in alternating parts (so a change
 * in the machine's load falls on both), and says where the subject's extra time goes.
 */
export const compare = async (
  subject: (n: number) => Promise<void>,
  baseline: (n: number) => Promise<void>,
  operations: number,
  parts = 4
): Promise<string> => {
  const subjects: Array<Profile> = []
  const baselines: Array<Profile> = []
  const each = Math.max(1, Math.round(operations / parts))
  for (let part = 0; part < parts; part++) {
    subjects.push(await profile(subject, each))
    baselines.push(await profile(baseline, each))
  }
  return difference(merge(subjects), merge(baselines))
}

/** The largest differences, subject minus baseline, per operation. */
const largest = (subject: Readonly<Record<string, number>>, baseline: Readonly<Record<string, number>>, n: number) =>
  [...new Set([...Object.keys(subject), ...Object.keys(baseline)])]
    .map((key) => [key, (subject[key] ?? 0) - (baseline[key] ?? 0)] as const)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, n)

/**
 * Where a subject's extra time goes, from its profile and its baseline's: each category's
 * share of the difference, and the functions with the largest shares. Shares, not
 * microseconds: sampling inflates the absolute figures (the profiler's own cost, and the
 * moments a loaded machine does not run the process).
 */
export const difference = (subject: Profile, baseline: Profile): string => {
  const extra = subject.totalMicros - baseline.totalMicros
  if (!(extra > 0)) return "CPU profiles of both loops sampled no extra time in the library's"
  const share = (micros: number) => `${micros < 0 ? "−" : ""}${Math.abs(Math.round((100 * micros) / extra))}%`
  const categories = largest(subject.categories, baseline.categories, 5).map(([key, micros]) =>
    `${key} ${share(micros)}`
  )
  const functions = largest(subject.functions, baseline.functions, 4).map(([key, micros]) => `${key} ${share(micros)}`)
  return `CPU profiles of both loops (sampled) put the library's extra time in ${categories.join(", ")} ` +
    `(by where the code lives); by function, ${functions.join(", ")}`
}
