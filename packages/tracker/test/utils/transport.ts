import { BankConnectClient } from "@effect-bankconnect/client"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { RateLimit } from "../../src/index.js"

/** One answer of the fake API. */
export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
  /** How long the answer takes, on the Clock. */
  readonly latencyMillis?: number
}

/** A call the fake API received. */
export interface Call {
  readonly sessionId: string
  readonly path: string
  /** When it arrived (Clock millis). */
  readonly at: number
  /** The n-th call for this session and path, from 0. */
  readonly n: number
}

const statement = (stage: "processing" | "completed" | "failed", id = "st-1") => ({
  identity_status: "completed",
  transaction_status: "completed",
  processing_status: stage,
  fraud_status: stage === "failed" ? null : stage,
  statement_id: id,
  message: stage === "failed" ? "could not enrich" : null,
  source: "pdf"
})

/** A progress answer: processing (optionally at a numbered stage, so snapshots differ), or completed. */
export const progress = (
  sessionId: string,
  state: "processing" | "completed" | "failed",
  statementId = "st-1"
): Answer => ({
  status: 200,
  body: {
    session_id: sessionId,
    session_progress: state === "processing" ? "processing" : "completed",
    progress: [statement(state, statementId)]
  }
})

/** A session-status answer: one account, completed or failed with a code. */
export const sessionStatus = (
  sessionId: string,
  accounts: ReadonlyArray<
    { readonly status: "completed" | "failed"; readonly code?: string; readonly message?: string }
  > = [
    { status: "completed" }
  ]
): Answer => ({
  status: 200,
  body: {
    session_id: sessionId,
    insights_available: accounts.every((account) => account.status === "completed"),
    accounts: accounts.map((account, i) => ({
      account_id: `acc-${i + 1}`,
      bank_name: "sbi",
      account_status: account.status,
      error_code: account.code ?? null,
      error_message: account.message ?? null,
      statements: []
    }))
  }
})

/**
 * The usual script for one session: progress answers from `progressAt(call)`, and the
 * session status completed.
 */
export const withStatus = (progressAt: (call: Call) => Answer) => (call: Call): Answer =>
  call.path === "session_status" ? sessionStatus(call.sessionId) : progressAt(call)

export const apiError = (status: number, code: string, message = code): Answer => ({
  status,
  body: { error: { code, message } }
})

export const rateLimited = (retryAfterSeconds?: number): Answer => ({
  status: 429,
  body: { error: { code: "RATE_LIMITED", message: "slow down" } },
  ...(retryAfterSeconds === undefined ? {} : { headers: { "retry-after": String(retryAfterSeconds) } })
})

const encoder = new TextEncoder()

/**
 * A response whose body is an Effect stream of one chunk: read without promises, so a
 * poll under the TestClock completes as soon as the clock lets it (a Fetch `Response`
 * body settles on promises, which the TestClock does not drive).
 */
const respond = (request: HttpClientRequest.HttpClientRequest, answer: Answer) => {
  const bytes = encoder.encode(JSON.stringify(answer.body))
  const source = {
    status: answer.status,
    headers: new Headers({ "content-type": "application/json", ...answer.headers }),
    body: null
  }
  const response = HttpClientResponse.fromWeb(request, source as unknown as Response)
  Object.defineProperty(response, "stream", { value: Stream.succeed(bytes) })
  return response
}

/** Answers per session and path from a script; records every call, and how many run at once. */
export const make = (script: (call: Call) => Answer) => {
  const calls: Array<Call> = []
  const counts = new Map<string, number>()
  let inFlight = 0
  let maxInFlight = 0
  const httpClient = HttpClient.make((request) =>
    Effect.gen(function*() {
      const url = new URL(request.url)
      const match = /\/session_data\/([^/]+)\/([a-z_]+)\/$/.exec(url.pathname)
      const sessionId = match === null ? "" : decodeURIComponent(match[1]!)
      const path = match === null ? url.pathname : match[2]!
      const key = `${path}:${sessionId}`
      const n = counts.get(key) ?? 0
      counts.set(key, n + 1)
      const call: Call = { sessionId, path, at: yield* Clock.currentTimeMillis, n }
      calls.push(call)
      const answer = script(call)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        if (answer.latencyMillis !== undefined && answer.latencyMillis > 0) yield* Effect.sleep(answer.latencyMillis)
      } finally {
        inFlight--
      }
      return respond(request, answer)
    })
  )
  return {
    calls,
    /** The calls for one session (and path, default progress). */
    callsOf: (sessionId: string, path = "progress") =>
      calls.filter((c) => c.sessionId === sessionId && c.path === path),
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    httpClient,
    /** The client over this transport (no retries of its own), 429s reported to the tracker. */
    client: (options?: { readonly observe?: boolean }) =>
      BankConnectClient.layer({
        apiKey: Redacted.make("test-api-key-123"),
        serverHash: Redacted.make("test-server-hash-123"),
        retry: { times: 0 }
      }).pipe(
        Layer.provide(
          Layer.succeed(HttpClient.HttpClient, options?.observe === false ? httpClient : RateLimit.observe(httpClient))
        )
      )
  }
}
