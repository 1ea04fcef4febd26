import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"

// A response body read with a cap, whatever the transport: a server (or anything between)
// can send a body of any size, endless or compressed a thousandfold, so bytes are counted
// as they arrive (after decompression) and reading stops at the cap, the rest of the body
// cancelled. The platform's `text` reads everything first.

/**
 * The body grew past the cap; it was not read further.
 *
 * @internal
 */
export class TooLarge {
  readonly _tag = "TooLarge"
  constructor(readonly limit: number) {}
}

const decoder = new TextDecoder("utf-8")

const decode = (chunks: ReadonlyArray<Uint8Array>, size: number): string =>
  chunks.length === 1 ? decoder.decode(chunks[0]) : decoder.decode(Buffer.concat(chunks, size))

const noop = () => {}

const readError = (response: HttpClientResponse.HttpClientResponse, cause: unknown) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

/** A Fetch `Response` body, through its reader. */
const fromWeb = (response: HttpClientResponse.HttpClientResponse, source: Response, max: number) =>
  Effect.async<string, TooLarge | HttpClientError.ResponseError>((resume) => {
    if (source.body === null) return resume(Effect.succeed(""))
    const reader = source.body.getReader()
    const chunks: Array<Uint8Array> = []
    let size = 0
    let settled = false
    const pump = (): void => {
      reader.read().then(({ done, value }) => {
        if (settled) return
        if (done) {
          settled = true
          return resume(Effect.succeed(decode(chunks, size)))
        }
        size += value.byteLength
        if (size > max) {
          settled = true
          reader.cancel().catch(noop)
          abort(response)
          return resume(Effect.fail(new TooLarge(max)))
        }
        chunks.push(value)
        pump()
      }, (cause: unknown) => {
        if (settled) return
        settled = true
        resume(Effect.fail(readError(response, cause)))
      })
    }
    pump()
    return Effect.sync(() => {
      if (settled) return
      settled = true
      reader.cancel().catch(noop)
      abort(response)
    })
  })

/** A Node stream: `http.IncomingMessage`, or undici's body. */
const fromNode = (response: HttpClientResponse.HttpClientResponse, source: Readable, max: number) =>
  Effect.async<string, TooLarge | HttpClientError.ResponseError>((resume) => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("close", onClose)
    }
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength
      if (size <= max) return void chunks.push(chunk)
      stop()
      source.destroy()
      abort(response)
      resume(Effect.fail(new TooLarge(max)))
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(decode(chunks, size)))
    }
    const onError = (cause: unknown) => {
      stop()
      resume(Effect.fail(readError(response, cause)))
    }
    const onClose = () => onError(new Error("The connection closed before the body ended"))
    if (source.readableEnded) return resume(Effect.fail(readError(response, new Error("The body was read already"))))
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    source.on("close", onClose)
    return Effect.sync(() => {
      stop()
      source.destroy()
      abort(response)
    })
  })

/** Any other transport, through the platform's body stream. */
const fromStream = (response: HttpClientResponse.HttpClientResponse, max: number) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEach(response.stream, (chunk) => {
      size += chunk.byteLength
      if (size > max) return Effect.fail(new TooLarge(max))
      chunks.push(chunk)
      return Effect.void
    }).pipe(Effect.map(() => decode(chunks, size)))
  })

/** What the platform's transports keep as `source`: a Fetch `Response`, or a Node stream. */
const nodeBody = (source: unknown): Readable | undefined => {
  if (source instanceof Readable) return source
  const body = typeof source === "object" && source !== null ? (source as { readonly body?: unknown }).body : undefined
  return body instanceof Readable ? body : undefined
}

/**
 * The platform's client wraps each response (`original`) with the `AbortController` of its
 * request (`controller`); the transport's own response is the original's `source`.
 */
interface Wrapped {
  readonly original?: { readonly source?: unknown }
  readonly source?: unknown
  readonly controller?: AbortController
}

const sourceOf = (response: HttpClientResponse.HttpClientResponse): unknown => {
  const wrapped = response as unknown as Wrapped
  return wrapped.original === undefined ? wrapped.source : wrapped.original.source
}

/** Aborts the response's request, where the platform exposes its controller. */
const abort = (response: HttpClientResponse.HttpClientResponse): void => {
  const controller = (response as unknown as Wrapped).controller
  if (controller instanceof AbortController) controller.abort()
}

/**
 * Reads a response body as UTF-8 text, failing with {@link TooLarge} as soon as it grows
 * past `max` bytes (a declared `content-length` over `max` fails before reading). The
 * rest of an oversized body is cancelled, and so is the read when the effect is
 * interrupted.
 *
 * @internal
 */
export const readText = (
  response: HttpClientResponse.HttpClientResponse,
  max: number
): Effect.Effect<string, TooLarge | HttpClientError.ResponseError> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined && Number(declared) > max) {
    return Effect.zipRight(discard(response), Effect.fail(new TooLarge(max)))
  }
  const source = sourceOf(response)
  if (typeof Response !== "undefined" && source instanceof Response) return fromWeb(response, source, max)
  const node = nodeBody(source)
  return node === undefined ? fromStream(response, max) : fromNode(response, node, max)
}

/**
 * Drops a response body without reading it, so that its connection is released.
 *
 * @internal
 */
export const discard = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.sync(() => {
    const source = sourceOf(response)
    if (typeof Response !== "undefined" && source instanceof Response) {
      if (source.body !== null && !source.bodyUsed) source.body.cancel().catch(noop)
    } else {
      nodeBody(source)?.destroy()
    }
    abort(response)
  })
