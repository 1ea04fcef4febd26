/**
 * Measures a subject against a baseline in the same process and the same run: rounds
 * alternate baseline and subject (so drift in machine load hits both), each round times a
 * batch of operations, and the result is the median per operation over the rounds, with the
 * ratio subject / baseline (on wall time, or on CPU time where the comparison says so).
 */

export interface Contender {
  readonly name: string
  /** Runs `n` operations. */
  readonly run: (n: number) => Promise<void>
}

export interface Result {
  readonly benchmark: string
  readonly case: string
  readonly baseline: string
  readonly subject: string
  /** Median wall time per operation, microseconds. */
  readonly baselineMicros: number
  readonly subjectMicros: number
  /** Median CPU time (user + system) per operation, microseconds. */
  readonly baselineCpuMicros: number
  readonly subjectCpuMicros: number
  /** subject / baseline, on `ratioOn`. */
  readonly ratio: number
  /** What `ratio` compares: wall time (the default, and for results that do not say) or CPU time. */
  readonly ratioOn?: "wall" | "cpu" | undefined
  readonly rounds: number
  readonly operationsPerRound: number
  /**
   * Where a target is missed, what the remaining cost is, as the bench measured it (a
   * difference per operation, a CPU profile's shares); written by the benchmark, not by hand.
   */
  readonly finding?: string | undefined
}

/** The median of `values`. */
export const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const timeBatch = async (contender: Contender, n: number) => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await contender.run(n)
  const wall = (performance.now() - start) * 1000 / n
  const used = process.cpuUsage(cpu)
  return { wall, cpu: (used.user + used.system) / n }
}

export const compare = async (options: {
  readonly benchmark: string
  readonly case: string
  readonly baseline: Contender
  readonly subject: Contender
  readonly operations: number
  readonly rounds?: number
  /** What the ratio compares; default wall time. */
  readonly ratioOn?: "wall" | "cpu"
}): Promise<Result> => {
  const rounds = options.rounds ?? 7
  // warm up both, so the JIT has seen each path before anything counts
  await options.baseline.run(Math.max(1, Math.floor(options.operations / 5)))
  await options.subject.run(Math.max(1, Math.floor(options.operations / 5)))
  const baseline: Array<{ wall: number; cpu: number }> = []
  const subject: Array<{ wall: number; cpu: number }> = []
  for (let round = 0; round < rounds; round++) {
    // alternate which goes first, so neither always runs on a warmer or cooler machine
    if (round % 2 === 0) {
      baseline.push(await timeBatch(options.baseline, options.operations))
      subject.push(await timeBatch(options.subject, options.operations))
    } else {
      subject.push(await timeBatch(options.subject, options.operations))
      baseline.push(await timeBatch(options.baseline, options.operations))
    }
  }
  const baselineMicros = median(baseline.map((r) => r.wall))
  const subjectMicros = median(subject.map((r) => r.wall))
  const baselineCpuMicros = median(baseline.map((r) => r.cpu))
  const subjectCpuMicros = median(subject.map((r) => r.cpu))
  const ratioOn = options.ratioOn ?? "wall"
  return {
    benchmark: options.benchmark,
    case: options.case,
    baseline: options.baseline.name,
    subject: options.subject.name,
    baselineMicros,
    subjectMicros,
    baselineCpuMicros,
    subjectCpuMicros,
    ratio: ratioOn === "cpu" ? subjectCpuMicros / baselineCpuMicros : subjectMicros / baselineMicros,
    ratioOn,
    rounds,
    operationsPerRound: options.operations
  }
}

const fixed = (n: number) => n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)

/** A result's ratio as the tables print it: CPU ratios say so. */
export const ratio = (r: Result) => `${r.ratio.toFixed(2)}x${r.ratioOn === "cpu" ? " (cpu)" : ""}`

/** The results as a markdown table. */
export const table = (results: ReadonlyArray<Result>): string =>
  [
    "| benchmark | case | baseline | µs/op (cpu) | library | µs/op (cpu) | ratio |",
    "|---|---|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${r.benchmark} | ${r.case} | ${r.baseline} | ${fixed(r.baselineMicros)} (${fixed(r.baselineCpuMicros)}) | ` +
      `${r.subject} | ${fixed(r.subjectMicros)} (${fixed(r.subjectCpuMicros)}) | ${ratio(r)} |`
    )
  ].join("\n")
