import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Multipart from "@effect/platform/Multipart"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as Limits from "../Limits.js"

/**
 * The upload call's `multipart/form-data` body, read as it streams: the fields it names (others
 * are read and dropped), and the `file` part counted, hashed and kept up to
 * `Limits.maxUploadBytes`. The parts, each field and the whole body are bounded
 * (`Limits.maxUploadParts`, `Limits.maxUploadRequestBytes`): past a bound, reading stops.
 */

/**
 * A read upload form.
 *
 * @internal
 */
export interface Form {
  /** The text fields, the first of each name. */
  readonly fields: ReadonlyMap<string, string>
  /** The `file` part, when it was sent as a file. */
  readonly file: { readonly bytes: Uint8Array; readonly fileName: string } | undefined
}

/**
 * Why a form could not be read: the answer's status, code and message.
 *
 * @internal
 */
export class FormError extends Data.TaggedError("FormError")<{
  readonly status: number
  readonly code: string
  readonly message: string
}> {}

const formError = (status: number, code: string, message: string) => new FormError({ status, code, message })

const tooLarge = (what: string, limit: number, name: string) =>
  formError(
    413,
    "PAYLOAD_TOO_LARGE",
    `${what} is larger than the limit of ${limit} bytes (${limit / 1_048_576} MiB, Limits.${name})`
  )

/** The fields an upload reads; any other is dropped as it is read. */
const known = new Set(["session_id", "upload_type", "file", "file_url", "bank_name", "pdf_password"])

/**
 * The SHA-256 of some bytes, as hex.
 *
 * @internal
 */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const fromMultipartError = (error: Multipart.MultipartError): FormError => {
  switch (error.reason) {
    case "TooManyParts":
      return formError(
        400,
        "BAD_REQUEST",
        `The form has more than ${Limits.maxUploadParts} parts (Limits.maxUploadParts)`
      )
    case "FieldTooLarge":
    case "FileTooLarge":
    case "BodyTooLarge":
      return tooLarge("The request body", Limits.maxUploadRequestBytes, "maxUploadRequestBytes")
    default:
      return formError(400, "BAD_REQUEST", "The multipart/form-data body could not be parsed")
  }
}

/**
 * Reads the upload form. Fails with the answer to give for a body that is not
 * `multipart/form-data` (415), too large (413, before reading when `content-length` says so)
 * or malformed (400).
 *
 * @internal
 */
export const readForm: Effect.Effect<Form, FormError, HttpServerRequest.HttpServerRequest> = Effect.gen(
  function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const contentType = request.headers["content-type"] ?? ""
    if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) {
      return yield* formError(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be multipart/form-data")
    }
    const declared = request.headers["content-length"]
    if (declared !== undefined && Number(declared) > Limits.maxUploadRequestBytes) {
      return yield* tooLarge("The request body", Limits.maxUploadRequestBytes, "maxUploadRequestBytes")
    }
    const fields = new Map<string, string>()
    let file: Form["file"] = undefined
    yield* request.multipartStream.pipe(
      Multipart.withLimitsStream({
        maxParts: Option.some(Limits.maxUploadParts),
        maxFieldSize: Limits.maxUploadRequestBytes,
        maxFileSize: Option.some(Limits.maxUploadRequestBytes),
        maxTotalSize: Option.some(Limits.maxUploadRequestBytes)
      }),
      Stream.mapError(fromMultipartError),
      Stream.runForEach((part) => {
        if (part._tag === "Field") {
          if (known.has(part.key) && !fields.has(part.key)) fields.set(part.key, part.value)
          return Effect.void
        }
        if (part.key !== "file" || file !== undefined || fields.has("file")) {
          return Stream.runDrain(Stream.mapError(part.content, fromMultipartError))
        }
        const chunks: Array<Uint8Array> = []
        let size = 0
        return part.content.pipe(
          Stream.mapError(fromMultipartError),
          Stream.runForEach((chunk) => {
            size += chunk.length
            if (size > Limits.maxUploadBytes) {
              return Effect.fail(tooLarge("The file", Limits.maxUploadBytes, "maxUploadBytes"))
            }
            chunks.push(chunk)
            return Effect.void
          }),
          Effect.map(() => {
            file = { bytes: Buffer.concat(chunks, size), fileName: part.name }
          })
        )
      })
    )
    return { fields, file }
  }
)
