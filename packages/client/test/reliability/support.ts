import * as v8 from "node:v8"
import * as vm from "node:vm"

/**
 * How big the reliability runs are: 1 in `pnpm test`, larger in `pnpm soak`
 * (RELIABILITY_SCALE=10). Each test multiplies its counts by it.
 */
export const scale = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1))

/** Prints a figure the README's Reliability section reports. */
export const report = (line: string) => console.info(`reliability: ${line}`)

v8.setFlagsFromString("--expose_gc")
const gc = vm.runInNewContext("gc") as () => void

/** The heap after full collections (Node needs no --expose-gc flag for this). */
export const heapAfterGc = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
