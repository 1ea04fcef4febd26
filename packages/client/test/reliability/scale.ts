/**
 * How big the reliability runs are: 1 in `pnpm test`, larger in `pnpm soak`
 * (RELIABILITY_SCALE=10). Each test multiplies its counts by it.
 */
export const scale = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1))

/** Prints a figure the README's Reliability section reports. */
export const report = (line: string) => console.info(`reliability: ${line}`)
