import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as BankConnectError from "../BankConnectError.js"
import type * as Secrets from "./secrets.js"

/**
 * The error bodies the API sends: the documented envelope (also inside the upload-style
 * body, whose extra fields are ignored) and DRF's `{"detail": ...}`.
 */
const ErrorBody = Schema.Union(
  Schema.Struct({
    error: Schema.Struct({
      code: Schema.String,
      message: Schema.optionalWith(Schema.String, { nullable: true })
    })
  }),
  Schema.Struct({ detail: Schema.String })
)

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** What people can read of a body that is not JSON (a gateway page, say): scrubbed whole, then cut. */
const snippet = (text: string, scrubber: Secrets.Scrubber): string =>
  scrubber.excerpt(
    // the first 16 KiB say what the page is; scrubbing them costs little whatever the body's size
    scrubber.scrub(text.slice(0, 16_384)).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim(),
    200
  )

/**
 * The error class of each known code, as an instance type.
 *
 * @internal
 */
export type ErrorOf<K extends BankConnectError.KnownCode> = InstanceType<typeof BankConnectError.codes[K]["error"]>

/**
 * The context of one call: the codes its endpoint documents (any other code becomes an
 * {@link BankConnectError.UnknownApiError}, so each endpoint's error type stays exact) and
 * the session it was about. `scrubber` removes the credentials from any text the server
 * sent.
 *
 * @internal
 */
export interface CallContext<K extends BankConnectError.KnownCode> {
  readonly codes: ReadonlyArray<K>
  readonly sessionId: string | undefined
  readonly scrubber: Secrets.Scrubber
}

/**
 * Turns an error response into its typed error: by the API's `error.code` first, then, for
 * a body without a code, by the HTTP status (401 and 403 are `ACCESS_DENIED`; 402 and 415
 * are `PAYMENT_REQUIRED` and `UNSUPPORTED_MEDIA_TYPE` where the endpoint lists them; on a
 * session call, 404 is `SESSION_NOT_FOUND` and 410 `SESSION_DELETED`). Anything else is an
 * {@link BankConnectError.UnknownApiError} whose code is the API's, or `HTTP_<status>`.
 *
 * @internal
 */
export const fromResponse = <K extends BankConnectError.KnownCode>(
  context: CallContext<K>,
  status: number,
  text: string
): ErrorOf<K> | BankConnectError.UnknownApiError => {
  const body = decodeErrorBody(parseJson(text))
  const apiCode = Option.flatMap(body, (b) => "error" in b ? Option.some(b.error.code) : Option.none())
  const apiMessage = Option.flatMap(
    body,
    (b) => Option.fromNullable("error" in b ? b.error.message : b.detail)
  )
  const code = Option.getOrElse(apiCode, () => statusFallback(context, status) ?? `HTTP_${status}`)
  const message = Option.getOrElse(apiMessage, () => {
    const page = snippet(text, context.scrubber)
    return page.length > 0 ? `HTTP ${status}: ${page}` : `HTTP ${status}`
  })
  const fields = {
    code: context.scrubber.excerpt(code, 100),
    message: context.scrubber.excerpt(message, 1000),
    status,
    ...(context.sessionId === undefined ? {} : { sessionId: context.sessionId })
  }
  if ((context.codes as ReadonlyArray<string>).includes(code)) {
    const ErrorClass = BankConnectError.codes[code as K].error
    return new ErrorClass(fields) as ErrorOf<K>
  }
  return new BankConnectError.UnknownApiError(fields)
}

const statusFallback = (
  context: CallContext<BankConnectError.KnownCode>,
  status: number
): BankConnectError.KnownCode | undefined => {
  if (status === 401 || status === 403) return "ACCESS_DENIED"
  // BankConnect documents these statuses without a code; an endpoint that lists them types them
  if (status === 402 && context.codes.includes("PAYMENT_REQUIRED")) return "PAYMENT_REQUIRED"
  if (status === 415 && context.codes.includes("UNSUPPORTED_MEDIA_TYPE")) return "UNSUPPORTED_MEDIA_TYPE"
  if (context.sessionId === undefined) return undefined
  if (status === 404) return "SESSION_NOT_FOUND"
  if (status === 410) return "SESSION_DELETED"
  return undefined
}
