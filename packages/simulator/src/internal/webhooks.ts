import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import type * as Simulator from "../Simulator.js"
import * as Lifecycle from "./lifecycle.js"
import { jsonBytes, type Store } from "./store.js"
import * as Timeline from "./timeline.js"

/**
 * How deliveries are made.
 *
 * @internal
 */
export interface Settings {
  /** Retries of a delivery answered with anything but 200, or not answered. */
  readonly retries: number
  /** The first retry's wait; each next one doubles. */
  readonly backoff: Duration.Duration
  /** The limit on one attempt. */
  readonly timeout: Duration.Duration
  /** Sent as `x-secret-key` when set. */
  readonly secret: string | undefined
}

/**
 * Delivers webhooks for the store's sessions.
 *
 * @internal
 */
export const make = (
  store: Store,
  httpClient: HttpClient.HttpClient,
  fibers: FiberMap.FiberMap<string>,
  settings: Settings
) => {
  /** Logs an attempt; its weight is the payload's bytes (already known) and the rest's. */
  const recordWith = (payloadBytes: number) => (attempt: Omit<Simulator.WebhookAttempt, "at">) =>
    Effect.map(Clock.currentTimeMillis, (at) => {
      const entry = { at, ...attempt }
      store.webhookAttempts.push(entry, payloadBytes + jsonBytes({ ...entry, payload: null }))
    })

  /** One copy of the payload, with its retries. */
  const deliverCopy = (session: Timeline.Session, payload: unknown, copy: number) =>
    Effect.gen(function*() {
      const body = JSON.stringify(payload)
      const record = recordWith(Buffer.byteLength(body))
      for (let attempt = 1; attempt <= settings.retries + 1; attempt++) {
        const base = { sessionId: session.id, copy, attempt, payload }
        const registration = store.webhook
        if (registration === undefined) {
          return yield* record({ ...base, url: null, outcome: "skipped", detail: "no webhook URL is registered" })
        }
        if (registration.mode === 0 && !Timeline.isNetBanking(session)) {
          return yield* record({
            ...base,
            url: registration.url,
            outcome: "skipped",
            detail: "webhook_mode 0 notifies for net-banking sessions only"
          })
        }
        const request = HttpClientRequest.post(registration.url).pipe(
          HttpClientRequest.bodyText(body, "application/json"),
          settings.secret === undefined ? (r) => r : HttpClientRequest.setHeader("x-secret-key", settings.secret)
        )
        const status = yield* httpClient.execute(request).pipe(
          Effect.map((response) => response.status),
          Effect.timeout(settings.timeout),
          Effect.either
        )
        if (status._tag === "Right" && status.right === 200) {
          return yield* record({ ...base, url: registration.url, outcome: "delivered", status: 200 })
        }
        yield* record({
          ...base,
          url: registration.url,
          outcome: "failed",
          ...(status._tag === "Right"
            ? { status: status.right, detail: `answered ${status.right}` }
            : { detail: status.left._tag === "TimeoutException" ? "timed out" : status.left.message })
        })
        if (attempt <= settings.retries) {
          yield* Effect.sleep(Duration.times(settings.backoff, 2 ** (attempt - 1)))
        }
      }
    })

  /** Every copy of a payload made from the session as the store holds it at delivery time. */
  const deliver = (sessionId: string, payloadOf: (session: Timeline.Session) => unknown) =>
    Effect.gen(function*() {
      const session = store.sessions.get(sessionId)
      if (session === undefined || session.deleted || !session.scenario.webhook.send) return
      const payload = payloadOf(session)
      if (payload === undefined) return
      for (let copy = 1; copy <= 1 + session.scenario.webhook.duplicates; copy++) {
        yield* deliverCopy(session, payload, copy)
      }
    })

  const uploadKey = (sessionId: string) => `${sessionId}\u0000upload`
  const expiryKey = (sessionId: string) => `${sessionId}\u0000expiry`

  return {
    /**
     * Schedules the session's notification for when it completes (less the scenario's
     * `earlyMillis`), replacing any earlier schedule.
     */
    schedule: (session: Timeline.Session) =>
      Effect.gen(function*() {
        const completesAt = Timeline.completesAt(session)
        if (completesAt === undefined || !session.scenario.webhook.send) return
        const now = yield* Clock.currentTimeMillis
        const wait = Math.max(0, completesAt - session.scenario.webhook.earlyMillis - now)
        yield* FiberMap.run(
          fibers,
          session.id,
          Effect.zipRight(Effect.sleep(wait), deliver(session.id, Timeline.enrichmentNotification))
        )
      }),
    /** Sends `SESSION_REQUIREMENT_COMPLETION_NOTIFICATION` now (once per session: the caller keeps count). */
    notifyCompletion: (sessionId: string) =>
      FiberMap.run(
        fibers,
        uploadKey(sessionId),
        deliver(sessionId, (s) => Lifecycle.uploadNotification(s, "completion"))
      ),
    /**
     * Sends `SESSION_EXPIRY_NOTIFICATION` at the session's expiry, unless processing was
     * requested or the session deleted by then.
     */
    scheduleExpiry: (session: Timeline.Session) =>
      Effect.gen(function*() {
        const intake = session.intake
        if (intake === undefined || session.startedAt !== undefined || session.deleted) return
        const now = yield* Clock.currentTimeMillis
        yield* FiberMap.run(
          fibers,
          expiryKey(session.id),
          Effect.zipRight(
            Effect.sleep(Math.max(0, intake.expiresAt - now)),
            deliver(
              session.id,
              (s) => s.startedAt === undefined ? Lifecycle.uploadNotification(s, "expiry") : undefined
            )
          )
        )
      }),
    /** Stops the session's expiry notification (processing was requested). */
    cancelExpiry: (sessionId: string) => FiberMap.remove(fibers, expiryKey(sessionId)),
    /** Stops every pending delivery of the session. */
    cancel: (sessionId: string) =>
      Effect.all([
        FiberMap.remove(fibers, sessionId),
        FiberMap.remove(fibers, uploadKey(sessionId)),
        FiberMap.remove(fibers, expiryKey(sessionId))
      ], { discard: true })
  }
}
