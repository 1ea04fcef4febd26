import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"

/**
 * A schema error as short lines, `path: message`, for people reading a 400.
 *
 * @internal
 */
export const formatParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)
    .join("; ")

/**
 * The API's error envelope.
 *
 * @internal
 */
export const apiError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status })

/**
 * A 400 for input the simulator cannot take.
 *
 * @internal
 */
export const badRequest = (message: string) => apiError(400, "BAD_REQUEST", message)

const pattern = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/**
 * Answers what no route takes with a JSON error: 405 with `Allow` for a known path and
 * another method, 404 for an unknown path, and 500 for anything that went wrong inside
 * (which never stops the server).
 *
 * @internal
 */
export const withFallbacks = <E, R>(router: HttpRouter.HttpRouter<E, R>) => {
  const routes = Chunk.toReadonlyArray(router.routes).map((route) => ({
    method: route.method,
    pattern: pattern(route.path)
  }))
  return router.pipe(
    Effect.catchAllCause((cause) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const path = request.url.split("?")[0] ?? "/"
        const allowed = routes.filter((route) => route.pattern.test(path)).map((route) => route.method)
        const notFound = cause._tag === "Fail" && (cause.error as { _tag?: unknown })._tag === "RouteNotFound"
        if (notFound && allowed.length > 0) {
          return HttpServerResponse.unsafeJson(
            { error: { code: "METHOD_NOT_ALLOWED", message: `${request.method} is not allowed on ${path}` } },
            { status: 405, headers: { allow: [...new Set(allowed)].join(", ") } }
          )
        }
        if (notFound) return apiError(404, "NOT_FOUND", `No route for ${request.method} ${path}`)
        yield* Effect.logError("simulator: a handler failed", cause)
        return apiError(500, "SIMULATOR_ERROR", "The simulator failed to handle this request")
      })
    )
  )
}
