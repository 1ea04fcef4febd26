import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Limits from "../Limits.js"
import { apiError } from "./responses.js"

/**
 * A request body past `Limits.maxBodyBytes`.
 *
 * @internal
 */
export class TooLarge extends Data.TaggedError("BodyTooLarge")<{ readonly limit: number }> {}

/**
 * A request body that could not be read (the client went away, say).
 *
 * @internal
 */
export class Unreadable extends Data.TaggedError("BodyUnreadable")<{ readonly cause: unknown }> {}

/**
 * The request's body as UTF-8 text, read up to `limit` bytes. A `content-length` past the
 * limit fails before anything is read; a body without one (chunked) is counted while it is
 * read, and reading stops at the chunk that goes past the limit. Nothing past the limit is
 * kept.
 *
 * @internal
 */
export const text = (limit: number = Limits.maxBodyBytes): Effect.Effect<
  string,
  TooLarge | Unreadable,
  HttpServerRequest.HttpServerRequest
> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const declared = request.headers["content-length"]
    if (declared !== undefined && Number(declared) > limit) return Effect.fail(new TooLarge({ limit }))
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    if (incoming.readableEnded) {
      return Effect.fail(new Unreadable({ cause: new Error("The body was already read") }))
    }
    return Effect.async<string, TooLarge | Unreadable>((resume) => {
      const chunks: Array<Buffer> = []
      let bytes = 0
      const stop = () => {
        incoming.off("data", onData)
        incoming.off("end", onEnd)
        incoming.off("error", onError)
      }
      const onData = (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > limit) {
          stop()
          incoming.pause()
          chunks.length = 0
          resume(Effect.fail(new TooLarge({ limit })))
        } else {
          chunks.push(chunk)
        }
      }
      const onEnd = () => {
        stop()
        resume(Effect.succeed(Buffer.concat(chunks, bytes).toString("utf8")))
      }
      const onError = (cause: unknown) => {
        stop()
        resume(Effect.fail(new Unreadable({ cause })))
      }
      incoming.on("data", onData)
      incoming.on("end", onEnd)
      incoming.on("error", onError)
      return Effect.sync(stop)
    })
  })

/**
 * The answer to a body past the limit: 413 `PAYLOAD_TOO_LARGE` in the API's error envelope,
 * naming the limit, and the connection closed once it is sent (the rest of the body is not
 * read).
 *
 * @internal
 */
export const tooLarge = (error: TooLarge) =>
  apiError(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body is larger than the limit of ${error.limit} bytes` +
      (error.limit % 1_048_576 === 0 ? ` (${error.limit / 1_048_576} MiB, Limits.maxBodyBytes)` : "")
  ).pipe(HttpServerResponse.setHeader("connection", "close"))

/** How long the rest of a refused body is read and dropped before the connection is closed. */
const lingerMillis = 2_000

/**
 * After an answer given before the body was read (an upload too large, a bad key): reads
 * and drops the rest of the body, keeping none of it, for at most `lingerMillis` and
 * `limit` bytes, then closes the connection if the body has not ended. Closing at once
 * would reset the connection while the client is still sending, and it could lose the
 * answer; nginx's "lingering close" does the same.
 *
 * @internal
 */
export const linger = (request: HttpServerRequest.HttpServerRequest, limit: number = Limits.maxUploadRequestBytes) => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  if (incoming.readableEnded) return
  incoming.unpipe()
  let dropped = 0
  const close = () => {
    clearTimeout(timer)
    incoming.off("data", onData)
    incoming.socket.destroySoon()
  }
  const onData = (chunk: Buffer) => {
    dropped += chunk.length
    if (dropped > limit) close()
  }
  const timer = setTimeout(close, lingerMillis)
  timer.unref()
  incoming.on("data", onData)
  incoming.once("end", () => clearTimeout(timer))
  incoming.once("close", () => clearTimeout(timer))
  incoming.resume()
}
