import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"

/** @internal */
export class TooLarge {
  readonly _tag = "TooLarge"
}

/** @internal */
export class Unreadable {
  readonly _tag = "Unreadable"
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number) => Buffer.concat(chunks, size)

/**
 * A Node request body, with plain listeners; a body past `max` is drained, not kept.
 *
 * @internal
 */
export const fromNode = (source: Readable, max: number) =>
  Effect.async<Uint8Array, TooLarge | Unreadable>((resume) => {
    // read already (a body parser mounted first): it would never end
    if (source.readableEnded) return resume(Effect.fail(new Unreadable()))
    const chunks: Array<Uint8Array> = []
    let size = 0
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength
      if (size <= max) return chunks.push(chunk)
      stop()
      source.resume()
      resume(Effect.fail(new TooLarge()))
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(concat(chunks, size)))
    }
    const onError = () => {
      stop()
      resume(Effect.fail(new Unreadable()))
    }
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    return Effect.sync(stop)
  })

/**
 * A Fetch request body, read chunk by chunk; a body past `max` is cancelled.
 *
 * @internal
 */
export const fromFetch = (source: Request, max: number) =>
  Effect.flatMap(
    Effect.tryPromise({
      try: async () => {
        const reader = source.body?.getReader()
        const chunks: Array<Uint8Array> = []
        let size = 0
        while (reader !== undefined) {
          const { done, value } = await reader.read()
          if (done) break
          size += value.byteLength
          if (size > max) {
            await reader.cancel()
            return new TooLarge()
          }
          chunks.push(value)
        }
        return concat(chunks, size)
      },
      catch: () => new Unreadable()
    }),
    (body) => body instanceof TooLarge ? Effect.fail(body) : Effect.succeed(body)
  )

/** Any other request, through the platform's body stream. */
const fromStream = (request: HttpServerRequest.HttpServerRequest, max: number) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEach(
      Stream.mapError(request.stream, () => new Unreadable()),
      (chunk) => {
        size += chunk.byteLength
        if (size > max) return Effect.fail(new TooLarge())
        chunks.push(chunk)
        return Effect.void
      }
    ).pipe(Effect.map(() => concat(chunks, size)))
  })

/**
 * Reads a platform request's body, failing as soon as it grows past `max` bytes. Under
 * the platform's Node and Fetch requests it reads the underlying request directly: the
 * platform's body `Stream` cost about a millisecond per request, most of the receiver's
 * time (see the webhook benchmark).
 *
 * @internal
 */
export const read = (
  request: HttpServerRequest.HttpServerRequest,
  max: number
): Effect.Effect<Uint8Array, TooLarge | Unreadable> =>
  request.source instanceof Readable
    ? fromNode(request.source, max)
    : typeof Request !== "undefined" && request.source instanceof Request
    ? fromFetch(request.source, max)
    : fromStream(request, max)
