import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { BankConnectClient } from "../../src/index.js"

/** Distinctive credentials, so a test can look for them anywhere. */
export const apiKey = "ak_live_SECRETKEY_5f3c9a"
export const serverHash = "sh_SECRETHASH_77e1b4"

export const baseUrl = "https://bankconnect.test/bank-connect"

/** A request as the fake API saw it. */
export interface Seen {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  readonly signal: AbortSignal
}

/**
 * What the fake API answers: a status with a JSON or text body, a dropped connection, or a
 * transport failure with the given cause.
 */
export type Reply =
  | {
    readonly status: number
    readonly json?: unknown
    readonly text?: string
    readonly headers?: Record<string, string>
  }
  | { readonly drop: true }
  | { readonly transportFailure: unknown }

/** A snapshot of the progress API's body. */
export const progressBody = (sessionId: string, sessionProgress: "processing" | "completed", statements = 1) => ({
  session_id: sessionId,
  session_progress: sessionProgress,
  progress: Array.from({ length: statements }, (_, i) => ({
    identity_status: "completed",
    transaction_status: "completed",
    processing_status: sessionProgress === "completed" ? "completed" : "processing",
    fraud_status: sessionProgress === "completed" ? "completed" : null,
    statement_id: `statement-${i + 1}`,
    message: null,
    source: "pdf"
  }))
})

const decoder = new TextDecoder()

/**
 * A fake BankConnect transport: every request is recorded, and `handler` (given the
 * request and its 0-based index) says what to answer, possibly after a delay on the
 * Clock, or never.
 */
export const makeFake = (handler: (seen: Seen, index: number) => Effect.Effect<Reply> | Reply) => {
  const requests: Array<Seen> = []
  const httpClient = HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? JSON.parse(decoder.decode(request.body.body)) : undefined
      const seen: Seen = { method: request.method, url, headers: request.headers, body, signal }
      requests.push(seen)
      const answer = handler(seen, requests.length - 1)
      const reply = Effect.isEffect(answer) ? yield* answer : answer
      if ("transportFailure" in reply) {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause: reply.transportFailure })
      }
      if ("drop" in reply) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new TypeError("fetch failed", { cause: new Error("socket hang up") })
        })
      }
      const text = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json))
      return HttpClientResponse.fromWeb(
        request,
        new Response(reply.status === 204 ? null : text, { status: reply.status, headers: reply.headers ?? {} })
      )
    })
  )
  return { requests, httpClient }
}

/** The client over a fake transport, with the test credentials. */
export const layerFake = (
  handler: (seen: Seen, index: number) => Effect.Effect<Reply> | Reply,
  options: Omit<BankConnectClient.Options, "apiKey" | "serverHash"> = {}
) => {
  const fake = makeFake(handler)
  const layer = BankConnectClient.layer({
    apiKey: Redacted.make(apiKey),
    serverHash: Redacted.make(serverHash),
    baseUrl,
    ...options
  }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, fake.httpClient)))
  return { requests: fake.requests, layer }
}
