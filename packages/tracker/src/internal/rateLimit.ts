import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/**
 * Told of each 429 answer seen while it is set: the wait its `Retry-After` asks for, in
 * milliseconds, or `undefined` when it has none (or one that does not parse).
 *
 * @internal
 */
export type Listener = (retryAfterMillis: number | undefined) => void

/**
 * The listener of the fiber that sent the request. The tracker sets it around each of its
 * calls; forked fibers (the client's per-attempt timeout) inherit it.
 *
 * @internal
 */
export const currentListener: FiberRef.FiberRef<Listener | undefined> = globalValue(
  Symbol.for("@effect-bankconnect/tracker/RateLimit/currentListener"),
  () => FiberRef.unsafeMake<Listener | undefined>(undefined)
)

/**
 * A `Retry-After` value: whole seconds, or an HTTP date (relative to `now`, epoch
 * milliseconds; a past date is zero).
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

const report = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.flatMap(
    FiberRef.get(currentListener),
    (listener) =>
      listener === undefined ? Effect.void : Effect.map(Clock.currentTimeMillis, (now) => {
        listener(parseRetryAfter(response.headers["retry-after"], now))
      })
  )

/** @internal */
export const observe = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.tap(client, (response) => response.status === 429 ? report(response) : Effect.void)
