import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scenario from "../Scenario.js"
import type * as Simulator from "../Simulator.js"
import * as Body from "./body.js"
import { apiError, badRequest } from "./responses.js"

/**
 * The control prefix: programs in any language drive the simulator here.
 *
 * @internal
 */
export const prefix = "/__simulator"

/**
 * The request's JSON body, read up to `Limits.maxBodyBytes`; an empty body reads as `{}`.
 * Fails with the answer to give when the body is too large, unreadable or not JSON.
 */
const jsonBody = Effect.gen(function*() {
  const text = yield* Body.text().pipe(
    Effect.catchTags({
      BodyTooLarge: (error) => Effect.fail(Body.tooLarge(error)),
      BodyUnreadable: () => Effect.fail(badRequest("The body could not be read"))
    })
  )
  if (text.trim() === "") return {} as unknown
  try {
    return JSON.parse(text) as unknown
  } catch {
    return yield* Effect.fail(badRequest("The body must be JSON"))
  }
})

const withBody = <A>(
  f: (body: unknown) => Effect.Effect<A, Simulator.ScenarioError>,
  onSuccess: (a: A) => HttpServerResponse.HttpServerResponse
) =>
  Effect.flatMap(Effect.either(jsonBody), (body) =>
    Either.match(body, {
      onLeft: Effect.succeed,
      onRight: (json) =>
        f(json).pipe(
          Effect.map(onSuccess),
          Effect.catchTag("ScenarioError", (error) => Effect.succeed(badRequest(error.message)))
        )
    }))

const settingsKeys = new Set(["scenario", "enabledModes", "outOfCredit", "duplicateProcessingStatus"])

const sessionId = Effect.map(HttpRouter.params, (params) => params.id ?? "")

/**
 * The control routes: sessions, faults and logs, as JSON.
 *
 * @internal
 */
export const router = (simulator: Simulator.Service) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(
      `${prefix}/`,
      Effect.map(simulator.webhook, (webhook) =>
        HttpServerResponse.unsafeJson({
          baseUrl: simulator.baseUrl,
          apiKey: simulator.apiKey,
          serverHash: simulator.serverHash,
          webhook: Option.getOrNull(webhook)
        }))
    ),
    HttpRouter.get(
      `${prefix}/sessions`,
      Effect.map(simulator.sessions, (sessions) => HttpServerResponse.unsafeJson(sessions))
    ),
    HttpRouter.post(
      `${prefix}/sessions`,
      withBody(
        // createSession and setFaults validate what they are given
        (body) => simulator.createSession(body as Scenario.Input),
        (info) => HttpServerResponse.unsafeJson(info, { status: 201 })
      )
    ),
    HttpRouter.get(
      `${prefix}/sessions/:id`,
      Effect.flatMap(sessionId, (id) =>
        Effect.map(simulator.session(id), (info) =>
          Option.match(info, {
            onNone: () => apiError(404, "NOT_FOUND", `No session ${id}`),
            onSome: (found) => HttpServerResponse.unsafeJson(found)
          })))
    ),
    HttpRouter.del(
      `${prefix}/sessions/:id`,
      Effect.flatMap(sessionId, (id) =>
        simulator.deleteSession(id).pipe(
          Effect.as(HttpServerResponse.empty({ status: 204 })),
          Effect.catchTag("ScenarioError", (error) => Effect.succeed(apiError(404, "NOT_FOUND", error.message)))
        ))
    ),
    HttpRouter.put(
      `${prefix}/faults`,
      withBody(
        (body) => simulator.setFaults(body as typeof Scenario.Faults.Encoded),
        () => HttpServerResponse.empty({ status: 204 })
      )
    ),
    HttpRouter.get(
      `${prefix}/settings`,
      Effect.map(simulator.settings, (settings) => HttpServerResponse.unsafeJson(settings))
    ),
    HttpRouter.put(
      `${prefix}/settings`,
      Effect.flatMap(Effect.either(jsonBody), (body) =>
        Either.match(body, {
          onLeft: Effect.succeed,
          onRight: (json) => {
            const unknown = typeof json === "object" && json !== null && !Array.isArray(json)
              ? Object.keys(json).filter((key) => !settingsKeys.has(key))
              : undefined
            if (unknown === undefined) return Effect.succeed(badRequest("The settings must be a JSON object"))
            if (unknown.length > 0) {
              return Effect.succeed(badRequest(`Unknown settings: ${unknown.slice(0, 5).join(", ").slice(0, 300)}`))
            }
            return simulator.setSettings(json as Simulator.Settings).pipe(
              Effect.as(HttpServerResponse.empty({ status: 204 })),
              Effect.catchTag("ScenarioError", (error) => Effect.succeed(badRequest(error.message)))
            )
          }
        }))
    ),
    HttpRouter.get(`${prefix}/requests`, Effect.map(simulator.requests, (log) => HttpServerResponse.unsafeJson(log))),
    HttpRouter.get(
      `${prefix}/webhooks`,
      Effect.map(simulator.webhookAttempts, (log) => HttpServerResponse.unsafeJson(log))
    ),
    HttpRouter.del(`${prefix}/logs`, Effect.as(simulator.clearLogs, HttpServerResponse.empty({ status: 204 })))
  )
