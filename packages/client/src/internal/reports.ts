import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as BankConnectError from "../BankConnectError.js"
import * as Transience from "./transience.js"

// Report and PDF links are pre-signed storage URLs: their query is a bearer credential
// (signature and security token), valid about an hour. They are fetched without the API's
// credentials, without tracing (the platform's span would record the full URL), and no
// error or log ever shows more than their origin and path.

/**
 * How downloads run.
 *
 * @internal
 */
export interface Settings {
  /** The limit on the whole download. */
  readonly timeout: Duration.Duration
  readonly maxBytes: number
  /** Whether http links are allowed (the client's own base URL is http, as a simulator's). */
  readonly allowHttp: boolean
}

type ReportError =
  | BankConnectError.ReportLinkExpired
  | BankConnectError.UnknownApiError
  | BankConnectError.TransportError
  | BankConnectError.InvalidResponse
  | BankConnectError.InvalidArgument

/**
 * When a pre-signed link expires: `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`) plus `X-Amz-Expires`
 * seconds, in epoch milliseconds; `undefined` when the link does not say.
 *
 * @internal
 */
export const expiresAt = (url: URL): number | undefined => {
  const params = new URLSearchParams([...url.searchParams].map(([k, v]) => [k.toLowerCase(), v]))
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get("x-amz-date") ?? "")
  const expires = params.get("x-amz-expires") ?? ""
  if (date === null || !/^\d{1,7}$/.test(expires)) return undefined
  const [, y, mo, d, h, mi, se] = date.map(Number) as [number, number, number, number, number, number, number]
  const signed = Date.UTC(y, mo - 1, d, h, mi, se)
  return Number.isNaN(signed) ? undefined : signed + Number(expires) * 1000
}

const noRedirects: RequestInit = { redirect: "manual" }

/**
 * The downloader of a client: a link's bytes as a stream.
 *
 * @internal
 */
export const make =
  (httpClient: HttpClient.HttpClient, settings: Settings) =>
  (link: string | Redacted.Redacted<string>): Stream.Stream<Uint8Array, ReportError> => {
    let url: URL
    try {
      url = new URL(Redacted.isRedacted(link) ? Redacted.value(link) : link)
    } catch {
      return Stream.fail(
        new BankConnectError.InvalidArgument({ argument: "url", message: "The report link is not a URL" })
      )
    }
    const shown = `${url.origin}${url.pathname}`
    if (url.protocol !== "https:" && !(settings.allowHttp && url.protocol === "http:")) {
      return Stream.fail(
        new BankConnectError.InvalidArgument({
          argument: "url",
          message: `The report link ${shown} is not https; report links are pre-signed https URLs`
        })
      )
    }
    if (url.username !== "" || url.password !== "") {
      return Stream.fail(
        new BankConnectError.InvalidArgument({
          argument: "url",
          message: `The report link ${shown} carries credentials`
        })
      )
    }
    const target = { method: "GET", url: shown }
    const expiry = expiresAt(url)
    const timedOut = new BankConnectError.TransportError({
      reason: "Timeout",
      message: `GET ${shown} timed out after ${Duration.format(settings.timeout)}`,
      ...target
    })
    const body = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (expiry !== undefined && now >= expiry) {
        return yield* new BankConnectError.ReportLinkExpired({
          message: `The report link ${shown} expired at ${
            new Date(expiry).toISOString()
          }; call insights or get_pdfs again for a fresh one`,
          url: shown,
          expiredAt: new Date(expiry)
        })
      }
      const response = yield* httpClient.execute(HttpClientRequest.get(url)).pipe(
        Effect.provideService(FetchHttpClient.RequestInit, noRedirects),
        Effect.locally(HttpClient.currentTracerDisabledWhen, () => true),
        Effect.locally(HttpClient.currentTracerPropagation, false),
        Effect.mapError((error) =>
          new BankConnectError.TransportError({
            reason: Transience.transportReason(error),
            message: `GET ${shown} failed: ${error.reason}`,
            ...target
          })
        )
      )
      const status = response.status
      if (status >= 200 && status < 300) return response.stream
      yield* Effect.ignore(response.text)
      if (status === 403) {
        return yield* new BankConnectError.ReportLinkExpired({
          message: `The storage refused the report link ${shown} (HTTP 403): it expired or was revoked; ` +
            "call insights or get_pdfs again for a fresh one",
          url: shown,
          status,
          ...(expiry === undefined ? {} : { expiredAt: new Date(expiry) })
        })
      }
      return yield* new BankConnectError.UnknownApiError({
        code: `HTTP_${status}`,
        message: status >= 300 && status < 400
          ? `HTTP ${status} redirect from ${shown}, not followed`
          : `HTTP ${status} from ${shown}`,
        status
      })
    })
    return Stream.suspend(() => {
      let received = 0
      return Stream.unwrap(body).pipe(
        Stream.mapError((error): ReportError =>
          error._tag === "ResponseError"
            ? new BankConnectError.TransportError({
              reason: "Network",
              message: `GET ${shown} failed while reading: ${error.reason}`,
              ...target
            })
            : error
        ),
        Stream.mapChunksEffect((chunk) => {
          for (const bytes of chunk) received += bytes.byteLength
          return received > settings.maxBytes
            ? Effect.fail(
              new BankConnectError.InvalidResponse({
                reason: "TooLarge",
                message: `The report at ${shown} is over ${settings.maxBytes} bytes (maxReportBytes); not read further`,
                status: 200,
                url: shown
              })
            )
            : Effect.succeed(chunk)
        }),
        Stream.interruptWhen(Effect.zipRight(Effect.sleep(settings.timeout), Effect.fail(timedOut))),
        Stream.withSpan("BankConnectClient.downloadReport", { attributes: { "bankconnect.report": shown } })
      )
    })
  }
