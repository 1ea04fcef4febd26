import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/**
 * How big the reliability runs are: 1 in `pnpm test`, larger in `pnpm soak`
 * (RELIABILITY_SCALE=10). Each test multiplies its counts by it.
 */
export const scale = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1))

/** Prints a figure the README's Reliability section reports. */
// eslint-disable-next-line no-console -- these lines are the test's report
export const report = (line: string) => console.info(`reliability: ${line}`)

v8.setFlagsFromString("--expose_gc")
const gc = vm.runInNewContext("gc") as () => void

/** The heap after full collections (Node needs no --expose-gc flag for this). */
export const heapAfterGc = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * An in-memory transport that answers every request at once with `body`, in a fresh
 * `Response` each time (the client reads bodies through their stream, with a size cap).
 */
export const inMemoryTransport = (body: string, onRequest: () => void = () => {}) => {
  const bytes = new TextEncoder().encode(body)
  const init = { status: 200, headers: { "content-type": "application/json" } }
  return HttpClient.make((request) =>
    Effect.sync(() => {
      onRequest()
      return HttpClientResponse.fromWeb(request, new Response(bytes, init))
    })
  )
}
