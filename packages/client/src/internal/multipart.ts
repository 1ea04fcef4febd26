import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"

// A `multipart/form-data` body written as a stream, so a statement of any size is sent as it
// is read (from a path, a web or Node stream, an async iterable), never buffered whole.

/**
 * Where a file part's bytes come from.
 *
 * @internal
 */
export type FileSource = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/**
 * A body ready to send.
 *
 * @internal
 */
export interface Body {
  readonly stream: Stream.Stream<Uint8Array, FileError>
  readonly contentType: string
  /** Known when every part's length is: the fields and a path or bytes. */
  readonly contentLength: number | undefined
}

/**
 * The file could not be read.
 *
 * @internal
 */
export class FileError {
  readonly _tag = "FileError"
  constructor(readonly message: string) {}
}

const encoder = new TextEncoder()

/** A header value inside quotes: no quote, backslash or line break can break out of it. */
const quoted = (value: string) => `"${value.replace(/["\\\r\n]/g, "_")}"`

const fieldPart = (boundary: string, name: string, value: string) =>
  encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`
  )

const fileHeader = (boundary: string, name: string, fileName: string) =>
  encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}; filename=${
      quoted(fileName)
    }\r\nContent-Type: application/pdf\r\n\r\n`
  )

const describe = (cause: unknown) => cause instanceof Error ? cause.message : String(cause)

/** The file's bytes and, when it can be known before reading, its length. */
const source = (file: FileSource): Effect.Effect<{
  readonly bytes: Stream.Stream<Uint8Array, FileError>
  readonly length: number | undefined
}, FileError> => {
  if (typeof file === "string") {
    return Effect.tryPromise({
      try: () => stat(file),
      catch: (cause) => new FileError(`cannot read ${file}: ${describe(cause)}`)
    }).pipe(
      Effect.filterOrFail((info) => info.isFile(), () => new FileError(`${file} is not a file`)),
      Effect.map((info) => ({
        bytes: Stream.fromAsyncIterable(
          createReadStream(file) as AsyncIterable<Uint8Array>,
          (cause) => new FileError(`cannot read ${file}: ${describe(cause)}`)
        ),
        length: info.size
      }))
    )
  }
  if (file instanceof Uint8Array) return Effect.succeed({ bytes: Stream.make(file), length: file.byteLength })
  if (typeof (file as ReadableStream<Uint8Array>).getReader === "function") {
    return Effect.succeed({
      bytes: Stream.fromReadableStream({
        evaluate: () => file as ReadableStream<Uint8Array>,
        onError: (cause) => new FileError(`cannot read the file's stream: ${describe(cause)}`)
      }),
      length: undefined
    })
  }
  return Effect.succeed({
    bytes: Stream.fromAsyncIterable(
      file as AsyncIterable<Uint8Array>,
      (cause) => new FileError(`cannot read the file's stream: ${describe(cause)}`)
    ),
    length: undefined
  })
}

/**
 * The body of `fields` (sent first, in order) and, when given, one file part.
 *
 * @internal
 */
export const make = (
  fields: ReadonlyArray<readonly [name: string, value: string]>,
  file: Option.Option<{ readonly name: string; readonly fileName: string; readonly source: FileSource }>
): Effect.Effect<Body, FileError> =>
  Effect.gen(function*() {
    const boundary = `----bankconnect-${crypto.randomUUID()}`
    const head = fields.map(([name, value]) => fieldPart(boundary, name, value))
    const tail = encoder.encode(`--${boundary}--\r\n`)
    const contentType = `multipart/form-data; boundary=${boundary}`
    const fixed = head.reduce((total, part) => total + part.byteLength, 0) + tail.byteLength
    if (Option.isNone(file)) {
      return { stream: Stream.fromIterable([...head, tail]), contentType, contentLength: fixed }
    }
    const { bytes, length } = yield* source(file.value.source)
    const header = fileHeader(boundary, file.value.name, file.value.fileName)
    const crlf = encoder.encode("\r\n")
    return {
      stream: Stream.fromIterable([...head, header]).pipe(
        Stream.concat(bytes),
        Stream.concat(Stream.make(crlf, tail))
      ),
      contentType,
      contentLength: length === undefined ? undefined : fixed + header.byteLength + length + crlf.byteLength
    }
  })
