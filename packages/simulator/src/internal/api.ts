import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Limits from "../Limits.js"
import type { RequestRecord } from "../Simulator.js"
import * as Body from "./body.js"
import * as Faults from "./faults.js"
import { apiError, badRequest, formatParseError } from "./responses.js"
import { jsonBytes, type Store } from "./store.js"
import * as Timeline from "./timeline.js"

/**
 * What the API routes need.
 *
 * @internal
 */
export interface Deps {
  readonly store: Store
  readonly apiKey: string
  readonly serverHash: string
  readonly accessDenied: "envelope" | "detail"
  /** Starts processing a session that was waiting for `initiate_processing`. */
  readonly initiate: (sessionId: string) => Effect.Effect<void>
}

const prefix = "/bank-connect/v1/session_data"

type Handler = (
  sessionId: string | undefined
) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>

const gatewayPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>" +
  "</center><hr><center>nginx</center></body></html>"

/**
 * Every API call goes through here: the latency and fault it draws, then the credential
 * check, then the handler; and it is logged.
 */
const guarded = (deps: Deps, handler: Handler) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const sessionId = (yield* HttpRouter.params).id
    const at = yield* Clock.currentTimeMillis
    const authorized = request.headers["x-api-key"] === deps.apiKey &&
      request.headers["server-hash"] === deps.serverHash
    const faults = deps.store.faultsFor(sessionId)
    const fault = Faults.draw(faults, deps.store.random)
    if (fault.latencyMillis > 0) yield* Effect.sleep(fault.latencyMillis)
    const log = (status: number | "dropped") => {
      const record: RequestRecord = {
        at,
        method: request.method,
        path: request.url.split("?")[0] ?? "",
        sessionId,
        status,
        fault: fault.kind,
        authorized
      }
      deps.store.requests.push(record, jsonBytes(record))
    }
    const respond = (response: HttpServerResponse.HttpServerResponse) => {
      log(response.status)
      return response
    }
    switch (fault.kind) {
      case "drop": {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        log("dropped")
        return HttpServerResponse.empty()
      }
      case "error":
        return respond(apiError(fault.status, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable"))
      case "rateLimit":
        return respond(
          HttpServerResponse.unsafeJson(
            { error: { code: "RATE_LIMITED", message: "Too many requests" } },
            { status: 429, headers: { "retry-after": String(faults.retryAfterSeconds) } }
          )
        )
      case "nonJson":
        return respond(HttpServerResponse.html(gatewayPage).pipe(HttpServerResponse.setStatus(502)))
    }
    if (!authorized) {
      return respond(
        deps.accessDenied === "detail"
          ? HttpServerResponse.unsafeJson({ detail: "Authentication credentials were not provided." }, { status: 401 })
          : apiError(403, "ACCESS_DENIED", "Authentication credentials were not provided")
      )
    }
    return respond(yield* handler(sessionId))
  })

/** The session, or the error answer for an unknown or deleted one. */
const lookup = (store: Store, sessionId: string | undefined) => {
  const session = sessionId === undefined ? undefined : store.sessions.get(sessionId)
  if (session === undefined) {
    return Either.left(apiError(404, "SESSION_NOT_FOUND", "The provided session ID is invalid"))
  }
  if (session.deleted) return Either.left(apiError(410, "SESSION_DELETED", "The provided session ID has been deleted"))
  return Either.right(session)
}

const notRequested = () =>
  apiError(400, "PROCESSING_NOT_REQUESTED", "Cannot proceed as the processing has not been requested yet")

const UpdateWebhookBody = Schema.Struct({
  webhook_url: Schema.String.pipe(
    Schema.maxLength(Limits.maxUrlLength, {
      message: (issue) =>
        `webhook_url must be at most ${Limits.maxUrlLength} characters (Limits.maxUrlLength), got ${
          (issue.actual as string).length
        }`
    }),
    Schema.filter((url) => {
      try {
        const parsed = new URL(url)
        return parsed.protocol === "http:" || parsed.protocol === "https:"
      } catch {
        return false
      }
    }, { message: () => "webhook_url must be an absolute http(s) URL" })
  ),
  webhook_mode: Schema.optionalWith(Schema.Literal(0, 1), { default: () => 0 as const })
})

const decodeUpdateWebhookBody = Schema.decodeUnknown(UpdateWebhookBody)

const updateWebhook = (deps: Deps): Handler => () =>
  Body.text().pipe(
    Effect.flatMap((text) =>
      Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => badRequest("The body must be JSON") })
    ),
    Effect.flatMap((json) =>
      Effect.mapError(decodeUpdateWebhookBody(json), (error) => badRequest(formatParseError(error)))
    ),
    Effect.map((body) => {
      deps.store.webhook = { url: body.webhook_url, mode: body.webhook_mode }
      return HttpServerResponse.unsafeJson({ message: "success" })
    }),
    Effect.catchTags({
      BodyTooLarge: (error) => Effect.succeed(Body.tooLarge(error)),
      BodyUnreadable: () => Effect.succeed(badRequest("The body could not be read"))
    }),
    Effect.merge
  )

const progress = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    if (session.right.startedAt === undefined) return notRequested()
    return HttpServerResponse.unsafeJson(Timeline.progressBody(session.right, yield* Clock.currentTimeMillis))
  })

const initiateProcessing = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    if (session.right.startedAt !== undefined) {
      return apiError(409, "DUPLICATE_PROCESSING_REQUEST", "Request for processing have already been initiated")
    }
    yield* deps.initiate(session.right.id)
    return HttpServerResponse.unsafeJson({ session_id: session.right.id, message: "success" }, { status: 202 })
  })

const sessionStatus = (deps: Deps): Handler => (sessionId) =>
  Effect.gen(function*() {
    const session = lookup(deps.store, sessionId)
    if (Either.isLeft(session)) return session.left
    if (session.right.startedAt === undefined) return notRequested()
    const completesAt = Timeline.completesAt(session.right) ?? Infinity
    if ((yield* Clock.currentTimeMillis) < completesAt) {
      return apiError(400, "PROCESSING_NOT_COMPLETED", "The processing for this session is currently in progress")
    }
    return HttpServerResponse.unsafeJson(Timeline.sessionStatusBody(session.right))
  })

/**
 * Adds the BankConnect API's routes.
 *
 * @internal
 */
export const withRoutes = (deps: Deps) => <E, R>(router: HttpRouter.HttpRouter<E, R>) =>
  router.pipe(
    HttpRouter.post(`${prefix}/update_webhook/`, guarded(deps, updateWebhook(deps))),
    HttpRouter.get(`${prefix}/:id/progress/`, guarded(deps, progress(deps))),
    HttpRouter.post(`${prefix}/:id/initiate_processing/`, guarded(deps, initiateProcessing(deps))),
    HttpRouter.get(`${prefix}/:id/session_status/`, guarded(deps, sessionStatus(deps)))
  )
